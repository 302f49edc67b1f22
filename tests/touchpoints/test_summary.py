"""The contact's touch summary always equals a recomputation from scratch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contacts.choices import Stage
from contacts.models import Contact
from tests.factories import ContactFactory, UserFactory
from touchpoints import ledger
from touchpoints.kinds import KINDS, Kind
from touchpoints.models import Exchange, Touchpoint
from touchpoints.summary import Summary, refresh_summaries, stored_summary, summarise

START = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)


def fresh(contact: Contact) -> Summary:
    contact.refresh_from_db()
    return stored_summary(contact)


def from_scratch(contact: Contact) -> Summary:
    return summarise(Touchpoint.objects.filter(contact=contact), prospect_since=contact.prospect_since)


def test_every_kind_has_a_weight_and_a_class() -> None:
    assert set(KINDS) == set(Kind.values)
    assert KINDS[Kind.MEETING].personal
    assert not KINDS[Kind.EMAIL].personal
    assert KINDS[Kind.MEETING].weight > KINDS[Kind.EMAIL].weight
    assert not KINDS[Kind.REACTION].qualifies
    assert not KINDS[Kind.MASS_MAIL].qualifies
    assert all(info.qualifies for info in KINDS.values() if info.personal)


def test_a_like_never_counts_as_a_touch(owner) -> None:
    contact = ContactFactory(owner=owner, stage=Stage.ONLINE)

    ledger.log_touch(contact, kind=Kind.REACTION, happened_at=START)

    summary = fresh(contact)
    assert summary.last_touch_at is None
    assert summary.first_touch_at is None


def test_the_first_personal_touch_is_the_milestone_that_ends_online_only(owner) -> None:
    contact = ContactFactory(owner=owner, stage=Stage.ONLINE)
    ledger.log_touch(contact, kind=Kind.MESSAGE, happened_at=START)
    stage_after_message = Contact.objects.get(pk=contact.pk).stage

    ledger.log_touch(contact, kind=Kind.CALL, happened_at=START + timedelta(days=3))

    contact.refresh_from_db()
    assert stage_after_message == Stage.ONLINE
    assert contact.stage == Stage.MET
    assert contact.first_personal_touch_at == START + timedelta(days=3)


def test_it_counts_qualifying_touches_since_becoming_a_prospect(owner) -> None:
    contact = ContactFactory(owner=owner, prospect_since=START + timedelta(days=10))
    for day, kind in [(1, Kind.CALL), (11, Kind.EMAIL), (12, Kind.REACTION), (13, Kind.MEETING)]:
        ledger.log_touch(contact, kind=kind, happened_at=START + timedelta(days=day))

    assert fresh(contact).prospect_touches == 2


def test_it_keeps_the_give_and_ask_balance_and_open_promises(owner) -> None:
    contact = ContactFactory(owner=owner)
    ledger.log_touch(
        contact, kind=Kind.CALL, happened_at=START, exchange=Exchange.GIVE, exchange_label="Empfehlung"
    )
    asked = ledger.log_touch(contact, kind=Kind.EMAIL, happened_at=START, exchange=Exchange.ASK)
    promised = ledger.log_touch(
        contact, kind=Kind.MEETING, happened_at=START, promise="Artikel schicken", promise_due=START.date()
    )

    assert (fresh(contact).gives, fresh(contact).asks, fresh(contact).open_promises) == (1, 1, 1)

    ledger.edit_touch(promised, promise_kept_at=START + timedelta(days=1))
    ledger.delete_touch(asked)

    assert (fresh(contact).gives, fresh(contact).asks, fresh(contact).open_promises) == (1, 0, 0)


def test_a_touchpoint_cannot_move_to_another_contact(owner) -> None:
    touch = ledger.log_touch(ContactFactory(owner=owner), kind=Kind.CALL, happened_at=START)

    with pytest.raises(ValueError, match="stays with its contact"):
        ledger.edit_touch(touch, contact=ContactFactory(owner=owner))


def test_deleting_a_contact_deletes_its_touchpoints(owner) -> None:
    contact = ContactFactory(owner=owner)
    ledger.log_touch(contact, kind=Kind.CALL, happened_at=START)

    contact.delete()

    assert not Touchpoint.objects.exists()


# ---------------------------------------------------------------- the property

touch_fields = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(Kind.values),
        "happened_at": st.integers(min_value=0, max_value=400).map(lambda d: START + timedelta(hours=d * 7)),
        "exchange": st.sampled_from(["", Exchange.GIVE, Exchange.ASK]),
        "promise": st.sampled_from(["", "Kontakt vermitteln"]),
        "kept": st.booleans(),
        "initiated_by": st.sampled_from(["me", "them"]),
    }
)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("create"), touch_fields),
        st.tuples(st.just("edit"), st.integers(min_value=0, max_value=20), touch_fields),
        st.tuples(st.just("delete"), st.integers(min_value=0, max_value=20)),
    ),
    max_size=25,
)


def as_changes(fields: dict[str, Any]) -> dict[str, Any]:
    changes = {key: value for key, value in fields.items() if key != "kept"}
    kept = fields["kept"] and bool(fields["promise"])
    changes["promise_kept_at"] = fields["happened_at"] + timedelta(days=2) if kept else None
    return changes


class Rollback(Exception):
    pass


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=operations,
    prospect_day=st.one_of(st.none(), st.integers(min_value=0, max_value=120)),
)
def test_the_summary_equals_a_recomputation_after_any_sequence(steps, prospect_day) -> None:
    try:
        with transaction.atomic():
            since = None if prospect_day is None else START + timedelta(days=prospect_day)
            contact = ContactFactory(owner=UserFactory(), prospect_since=since)
            touches: list[Touchpoint] = []
            for step in steps:
                if step[0] == "create":
                    touches.append(ledger.log_touch(contact, **as_changes(step[1])))
                elif touches and step[0] == "edit":
                    ledger.edit_touch(touches[step[1] % len(touches)], **as_changes(step[2]))
                elif touches and step[0] == "delete":
                    ledger.delete_touch(touches.pop(step[1] % len(touches)))

                assert fresh(contact) == from_scratch(contact)
            raise Rollback
    except Rollback:
        pass


# ---------------------------------------------------------------- many contacts at once


def test_refresh_summaries_gives_exactly_the_recomputation_for_each_contact(owner) -> None:
    prospect = ContactFactory(owner=owner, prospect_since=START + timedelta(days=5))
    digital = ContactFactory(owner=owner, stage=Stage.ONLINE)
    busy = ContactFactory(owner=owner)
    untouched = ContactFactory(owner=owner, prospect_since=START)
    stale = ContactFactory(owner=owner)  # a summary that no longer matches anything
    Contact.objects.filter(pk=stale.pk).update(touch_count=9, last_touch_at=START, gives=2)
    plan = {
        prospect: [
            (1, Kind.CALL, "", ""),
            (6, Kind.EMAIL, "", ""),
            (7, Kind.REACTION, "", ""),
            (9, Kind.MEETING, "", ""),
        ],
        digital: [(2, Kind.MESSAGE, "", ""), (3, Kind.MASS_MAIL, "", ""), (4, Kind.SOCIAL, "", "")],
        busy: [
            (0, Kind.MEETING, Exchange.GIVE, "Kontakt vermitteln"),
            (3, Kind.CARD, "", ""),
            (8, Kind.EMAIL, Exchange.ASK, "Artikel schicken"),
            (8, Kind.LETTER, Exchange.ASK, ""),
        ],
    }
    touches = []
    for contact, rows in plan.items():
        for number, (day, kind, exchange, promise) in enumerate(rows):
            touches.append(
                Touchpoint(
                    contact=contact,
                    kind=kind,
                    happened_at=START + timedelta(days=day, hours=number),
                    exchange=exchange,
                    promise=promise,
                    promise_kept_at=START + timedelta(days=20) if promise == "Kontakt vermitteln" else None,
                    initiated_by="them" if number % 2 else "me",
                )
            )
    Touchpoint.objects.bulk_create(touches)  # no summary kept in step, as the demo seed does
    contacts = [prospect, digital, busy, untouched, stale]

    updated = refresh_summaries([contact.pk for contact in contacts], batch_size=2)

    assert updated == len(contacts)
    for contact in contacts:
        assert fresh(contact) == from_scratch(contact), contact.pk
    assert fresh(prospect).prospect_touches == 2
    assert fresh(busy).open_promises == 1
    assert fresh(untouched) == summarise([], prospect_since=None)
    assert fresh(stale).touch_count == 0


def test_the_bulk_refresh_reaches_the_milestone_as_logging_each_touch_does(owner) -> None:
    logged = ContactFactory(owner=owner, stage=Stage.ONLINE)
    bulk = ContactFactory(owner=owner, stage=Stage.ONLINE)
    still_online = ContactFactory(owner=owner, stage=Stage.ONLINE)
    history = [(0, Kind.MESSAGE), (2, Kind.CALL), (5, Kind.MEETING)]
    for day, kind in history:
        ledger.log_touch(logged, kind=kind, happened_at=START + timedelta(days=day))
    Touchpoint.objects.bulk_create(
        [
            Touchpoint(contact=bulk, kind=kind, happened_at=START + timedelta(days=day))
            for day, kind in history
        ]
        + [Touchpoint(contact=still_online, kind=Kind.EMAIL, happened_at=START)]
    )

    refreshed, reached = ledger.after_bulk_create([bulk.pk, still_online.pk])

    assert (refreshed, reached) == (2, 1)

    def milestone(contact: Contact) -> list[tuple[object, ...]]:
        return list(contact.stage_changes.values_list("from_stage", "to_stage", "cause", "changed_at"))

    logged.refresh_from_db()
    bulk.refresh_from_db()
    assert (bulk.stage, milestone(bulk), stored_summary(bulk)) == (
        logged.stage,
        milestone(logged),
        stored_summary(logged),
    )
    assert bulk.stage == Stage.MET
    assert Contact.objects.get(pk=still_online.pk).stage == Stage.ONLINE
    assert not still_online.stage_changes.exists()


def test_a_touch_in_the_minute_the_contact_became_a_prospect_counts(owner) -> None:
    """R6: the log form enters minutes, so a touch logged at 10:15 for a contact made a prospect
    at 10:15:42 counts; one at 10:14 does not. The same by one contact and in bulk."""
    became = datetime(2026, 3, 2, 10, 15, 42, 500, tzinfo=UTC)
    contact = ContactFactory(owner=owner, prospect_since=became)
    for minute in (14, 15):
        ledger.log_touch(
            contact, kind=Kind.CALL, happened_at=became.replace(minute=minute, second=0, microsecond=0)
        )

    assert fresh(contact).prospect_touches == 1
    assert from_scratch(contact).prospect_touches == 1
    Contact.objects.filter(pk=contact.pk).update(prospect_touches=0)
    refresh_summaries([contact.pk])
    assert fresh(contact).prospect_touches == 1
