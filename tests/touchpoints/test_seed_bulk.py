"""The demo seed writes in bulk (COPY on PostgreSQL) and computes the summaries as it plans: the
result is the network that logging every planned touch with the ledger, one by one, leaves."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from contacts import demo
from contacts.models import Contact, ContactEmail, ContactPhone, StageChange
from netzwerk import bulk_copy
from netzwerk.accounts.models import User
from touchpoints import demo as touch_demo
from touchpoints import ledger
from touchpoints.models import Touchpoint
from touchpoints.summary import stored_summary, summarise

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
ARGS = ("--email", "bulk@netzwerk.example", "--contacts", "40", "--touchpoints", "400", "--users", "2")


def seed(*args: str) -> None:
    with time_machine.travel(NOW, tick=False):
        call_command("seed_demo", *args, stdout=StringIO())


def one_by_one(users: Sequence[User], *, per_user: int | None, now: datetime) -> touch_demo.TouchSeedResult:
    """The slow path: the same planned touches, each logged with `ledger.log_touch` (its summary
    and R1 milestone), then every contact refreshed (those without touches too)."""
    facts = touch_demo.contact_facts(users)
    written = 0
    for user in users:
        plan = touch_demo.plan_touches(
            touch_demo.rng_for(user.email),
            facts.get(user.pk, []),
            total=per_user or 0,
            rules=touch_demo.DemoRules.of(user),
            zone=user.zone,
            now=now,
        )
        for item in plan:
            contact = Contact.objects.get(pk=item.contact_id)
            contact.created_at, contact.prospect_since = item.created_at, item.prospect_since
            contact.prospect_outcome_at = item.prospect_outcome_at
            contact.save(update_fields=["created_at", "prospect_since", "prospect_outcome_at"])
            for touch in item.touches:
                fields = {name: getattr(touch, name) for name in touch_demo.PLANNED_FIELDS}
                del fields["contact_id"]
                ledger.log_touch(contact, **fields)
                written += 1
            ledger.refresh(contact)
    return touch_demo.TouchSeedResult(users=len(users), contacts=0, touchpoints=written, milestones=0)


def network() -> dict[str, object]:
    """Everything seeded, keyed by owner and name (the keys differ between two seeds)."""

    def name(contact: Contact) -> tuple[str, str, str]:
        return (contact.owner.email, contact.first_name, contact.last_name)

    contacts = Contact.objects.select_related("owner", "introduced_by", "met_at")
    return {
        "contacts": sorted(
            (
                name(contact),
                stored_summary(contact),
                contact.stage,
                contact.circle,
                contact.created_at,
                contact.prospect_since,
                contact.prospect_outcome_at,
                contact.introduced_by.name if contact.introduced_by else None,
                contact.met_at.name if contact.met_at else None,
                contact.name_key,
                contact.search_text,
            )
            for contact in contacts
        ),
        "stage_changes": sorted(
            (name(change.contact), change.from_stage, change.to_stage, change.cause, change.changed_at)
            for change in StageChange.objects.select_related("contact__owner")
        ),
        "touches": sorted(
            (name(touch.contact), *(getattr(touch, field) for field in touch_demo.PLANNED_FIELDS[1:]))
            for touch in Touchpoint.objects.select_related("contact__owner")
        ),
        "emails": sorted((name(item.contact), item.address) for item in ContactEmail.objects.all()),
        "phones": sorted((name(item.contact), item.number) for item in ContactPhone.objects.all()),
        "tags": sorted(
            (name(contact), tag.name)
            for contact in contacts.prefetch_related("tags")
            for tag in contact.tags.all()
        ),
    }


def test_the_bulk_seed_leaves_what_logging_each_touch_with_the_ledger_leaves(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seed(*ARGS)
    bulk = network()
    assert len(bulk["touches"]) == 3 * 400  # type: ignore[arg-type]
    assert bulk["stage_changes"]  # some online contacts reached the milestone (R1)
    for contact in Contact.objects.prefetch_related("touchpoints"):
        assert stored_summary(contact) == summarise(
            contact.touchpoints.all(), prospect_since=contact.prospect_since
        )

    User.objects.all().delete()
    monkeypatch.setattr(touch_demo, "seed_touchpoints", one_by_one)
    seed(*ARGS)

    assert network() == bulk


def test_without_copy_the_seed_writes_the_same_network(monkeypatch: pytest.MonkeyPatch) -> None:
    seed(*ARGS)
    copied = network()

    User.objects.all().delete()
    monkeypatch.setattr(bulk_copy, "uses_copy", lambda: False)  # SQLite's path: bulk_create, bulk_update
    seed(*ARGS)

    assert network() == copied


def test_copy_writes_text_that_needs_escaping_and_empty_values() -> None:
    user = User.objects.create_user("copy@netzwerk.example", "secret-pass-123")
    contacts = [
        Contact(owner=user, first_name="Back\\slash", last_name="Tab\tNew\nline", notes="\r\\N"),
        Contact(owner=user, first_name="Jürgen", last_name="Weiß", birthday_year=None),
    ]
    for contact in contacts:
        contact.fill_keys()

    bulk_copy.create(Contact, contacts)

    stored = {contact.pk: contact for contact in Contact.objects.filter(owner=user)}
    assert [contact.pk for contact in contacts] == sorted(stored)
    first, second = stored[contacts[0].pk], stored[contacts[1].pk]
    assert (first.first_name, first.last_name, first.notes) == ("Back\\slash", "Tab\tNew\nline", "\r\\N")
    assert (second.name, second.birthday_year, second.created_at is not None) == ("Jürgen Weiß", None, True)


@pytest.mark.django_db(transaction=True)
def test_extra_users_seeded_by_two_processes_get_the_same_network() -> None:
    def touches(users: list[User]) -> touch_demo.TouchSeedResult:
        return touch_demo.seed_touchpoints(users, per_user=120, now=NOW)

    with time_machine.travel(NOW, tick=False):
        alone = demo.seed_extra_users(3, contacts=15, now=NOW, users_per_batch=1, after_batch=touches)
    network_alone = network()
    User.objects.all().delete()
    with time_machine.travel(NOW, tick=False):
        shared = demo.seed_extra_users(
            3, contacts=15, now=NOW, users_per_batch=1, after_batch=touches, workers=2
        )

    assert network() == network_alone
    assert shared == alone
    assert len(alone.after_batch) == 3
    assert Touchpoint.objects.count() == 3 * 120
