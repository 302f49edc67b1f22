"""Merging two contacts: every row of both kept, one strong tie of two, the summary recounted."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.apps import apps
from django.db.models import ForeignObjectRel
from django.utils import translation

from contacts import roster
from contacts.choices import Circle, Stage
from contacts.models import Contact, ContactEmail, ContactPhone, DistinctPair, StageChange
from imports import merge, undo
from imports.models import ImportedContact, ImportRow, MergedContact
from netzwerk.accounts.models import AccessLog, User
from reminders import due, states
from reminders.models import ItemKind, ReminderState
from tests.factories import (
    ContactEmailFactory,
    ContactFactory,
    ContactPhoneFactory,
    OrganisationFactory,
    TagFactory,
    UserFactory,
    strong_ties,
)
from tests.imports.helpers import imported
from touchpoints import ledger
from touchpoints.kinds import Kind
from touchpoints.models import Exchange, OneOffReminder, Touchpoint
from touchpoints.summary import stored_summary, summarise

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 10, tzinfo=UTC)


@pytest.fixture
def owner(db: None) -> User:
    return UserFactory(email="alice@netzwerk.test", time_zone="Europe/Berlin")


def contacts_relations() -> set[str]:
    """Every foreign key, one-to-one and many-to-many (through its table) that points at Contact."""
    found = set()
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields():
            if isinstance(field, ForeignObjectRel) or not field.is_relation or not field.concrete:
                continue
            if field.related_model is Contact and (field.many_to_one or field.one_to_one):
                found.add(f"{model._meta.label}.{field.name}")
            if field.many_to_many and field.related_model is Contact:
                found.add(f"{model._meta.label}.{field.name}")
    return found


# ---------------------------------------------------------------- the registry


def test_it_moves_or_drops_with_a_reason_every_relation_to_a_contact() -> None:
    found = contacts_relations()

    unnamed = sorted(found - set(merge.RELATIONS))

    assert unnamed == [], f"say in imports.merge.RELATIONS how a merge moves these (or why not): {unnamed}"
    # the walk finds what it must: plain keys, the contact's own, many-to-many tables, imports'
    assert {
        "touchpoints.Touchpoint.contact",
        "contacts.Contact.introduced_by",
        "contacts.Contact_tags.contact",
        "reminders.ReminderState.contact",
        "imports.ImportedContact.contact",
        "imports.ImportRow.contact",
    } <= found


def test_its_registry_names_only_relations_that_exist_and_gives_reasons() -> None:
    assert set(merge.RELATIONS) <= contacts_relations()
    for label in merge.ID_POINTERS:
        app_model, name = label.rsplit(".", 1)
        assert apps.get_model(app_model)._meta.get_field(name)
    for how in [*merge.RELATIONS.values(), *merge.ID_POINTERS.values()]:
        assert callable(how) or how.reason.strip()


def test_it_chooses_or_says_why_not_for_every_field_of_a_contact() -> None:
    chosen = {name for names in merge.FIELD_GROUPS.values() for name in names}
    fields = {field.name for field in Contact._meta.get_fields() if not isinstance(field, ForeignObjectRel)}

    assert sorted(fields - chosen - set(merge.NOT_CHOSEN)) == []
    assert chosen & set(merge.NOT_CHOSEN) == set()
    assert set(merge.NOT_CHOSEN) <= fields


# ---------------------------------------------------------------- everything of both


def touch(contact: Contact, days_ago: int, kind: str = Kind.CALL, **fields: object) -> Touchpoint:
    return ledger.log_touch(contact, kind=kind, happened_at=NOW - timedelta(days=days_ago), **fields)


@pytest.fixture
def pair(owner: User) -> tuple[Contact, Contact]:
    """Max twice: as added by hand, and as he came from LinkedIn, each with rows of every kind."""
    kept = ContactFactory(owner=owner, first_name="Max", last_name="Mustermann", company="Alt GmbH")
    gone = ContactFactory(
        owner=owner, first_name="Max", last_name="Mustermann", company="Neu AG", position="CEO"
    )
    shared_tag, club = TagFactory(owner=owner, name="Kunde"), OrganisationFactory(owner=owner, name="Rotary")
    kept.tags.add(shared_tag)
    gone.tags.add(shared_tag, TagFactory(owner=owner, name="LinkedIn"))
    kept.organisations.add(club)
    gone.organisations.add(club, OrganisationFactory(owner=owner, name="IHK"))
    ContactEmailFactory(contact=kept, address="max@alt.example")
    ContactEmailFactory(contact=gone, address="MAX@alt.example")  # the same address
    ContactEmailFactory(contact=gone, address="max@neu.example")
    ContactPhoneFactory(contact=kept, number="+4930111111")
    ContactPhoneFactory(contact=gone, number="+4930111111")
    ContactPhoneFactory(contact=gone, number="+4930222222")
    touch(kept, 40)
    touch(gone, 20, promise="Artikel schicken")
    touch(gone, 10, Kind.EMAIL, exchange=Exchange.GIVE, exchange_label="Empfehlung")
    touch(gone, 5, Kind.MEETING, exchange=Exchange.ASK)
    return kept, gone


def test_whom_the_merged_contact_was_kept_apart_from_the_survivor_is(
    owner: User, pair: tuple[Contact, Contact]
) -> None:
    kept, gone = pair
    anna, bert = ContactFactory(owner=owner), ContactFactory(owner=owner)
    DistinctPair.keep_apart(gone, anna)  # the merged contact on either side of a pair
    DistinctPair.keep_apart(bert, gone)
    DistinctPair.keep_apart(kept, bert)  # already kept apart from the survivor too

    merge.merge(owner, kept, gone, {}, now=NOW)

    expected = {tuple(sorted((kept.pk, other.pk))) for other in (anna, bert)}
    assert DistinctPair.objects.filter(owner=owner).pairs() == expected


def test_it_moves_every_row_of_the_merged_contact(owner: User, pair: tuple[Contact, Contact]) -> None:
    kept, gone = pair
    friend = ContactFactory(owner=owner, introduced_by=gone)
    StageChange.objects.create(
        contact=gone, from_stage=Stage.ONLINE, to_stage=Stage.MET, cause="edited", changed_at=NOW
    )
    states.snooze(owner, ItemKind.BIRTHDAY, days=7, now=NOW, contact=gone, occasion="2026")
    AccessLog.objects.create(client=owner, action="view", what="contact", object_id=gone.pk)
    upload = imported(owner, ("Connections.csv", "First Name,Last Name\nErika,Muster\n"))
    row = ImportRow.objects.create(upload=upload, file="a.csv", line=2, data={}, contact=gone)
    earlier = MergedContact.objects.create(survivor=gone, name="Maximilian M.", merged_at=NOW)
    touches = set(Touchpoint.objects.filter(contact__in=pair).values_list("pk", flat=True))
    history = set(StageChange.objects.filter(contact__in=pair).values_list("pk", flat=True))

    merge.merge(owner, kept, gone, {}, now=NOW)

    assert not Contact.objects.filter(pk=gone.pk).exists()
    assert set(kept.touchpoints.values_list("pk", flat=True)) == touches
    assert history <= set(kept.stage_changes.values_list("pk", flat=True))
    assert sorted(kept.emails.values_list("address", flat=True)) == ["max@alt.example", "max@neu.example"]
    assert sorted(kept.phones.values_list("number", flat=True)) == ["+4930111111", "+4930222222"]
    assert sorted(kept.tags.values_list("name", flat=True)) == ["Kunde", "LinkedIn"]
    assert sorted(kept.organisations.values_list("name", flat=True)) == ["IHK", "Rotary"]
    friend.refresh_from_db()
    assert friend.introduced_by_id == kept.pk
    state = ReminderState.objects.get(owner=owner, kind=ItemKind.BIRTHDAY)
    assert (state.contact_id, state.key) == (kept.pk, f"birthday:{kept.pk}:2026")
    assert AccessLog.objects.get(client=owner, what="contact").object_id == kept.pk
    row.refresh_from_db()
    assert row.contact_id == kept.pk
    assert set(kept.merges.values_list("pk", flat=True)) == {
        earlier.pk,
        MergedContact.objects.latest("pk").pk,
    }


def test_its_summary_equals_a_recomputation(owner: User, pair: tuple[Contact, Contact]) -> None:
    kept, gone = pair

    merge.merge(owner, kept, gone, {}, now=NOW)

    kept.refresh_from_db()
    assert stored_summary(kept) == summarise(kept.touchpoints.all(), prospect_since=kept.prospect_since)
    assert (kept.touch_count, kept.gives, kept.asks, kept.open_promises) == (4, 1, 1, 1)
    assert kept.last_touch_at == NOW - timedelta(days=5)


def test_its_summary_counts_prospect_touches_from_the_chosen_prospect_date(owner: User) -> None:
    kept = ContactFactory(owner=owner, first_name="Pia")
    gone = ContactFactory(
        owner=owner, first_name="Pia", prospect_status="prospect", prospect_since=NOW - timedelta(days=15)
    )
    touch(kept, 10)
    touch(kept, 30)
    touch(gone, 3)

    merge.merge(owner, kept, gone, {"prospect": "merged"}, now=NOW)

    kept.refresh_from_db()
    assert (kept.prospect_status, kept.prospect_touches) == ("prospect", 2)
    assert stored_summary(kept) == summarise(kept.touchpoints.all(), prospect_since=kept.prospect_since)


def test_a_personal_touch_of_the_merged_contact_moves_the_survivor_out_of_online(owner: User) -> None:
    kept = ContactFactory(owner=owner, stage=Stage.ONLINE, circle=Circle.LOOSE)
    gone = ContactFactory(owner=owner, stage=Stage.ONLINE, circle=Circle.LOOSE)
    touch(gone, 3, Kind.MEETING)

    merge.merge(owner, kept, gone, {}, now=NOW)

    kept.refresh_from_db()
    assert kept.stage == Stage.MET
    assert kept.stage_changes.filter(cause=StageChange.Cause.FIRST_PERSONAL_TOUCH).count() == 1


def test_it_applies_the_field_choices(owner: User, pair: tuple[Contact, Contact]) -> None:
    kept, gone = pair
    kept.notes, gone.notes = "Kennt den Einkauf", "Segelt"
    kept.birthday_day, kept.birthday_month = 1, 5
    gone.birthday_day, gone.birthday_month, gone.birthday_year = 29, 2, 1980
    kept.save()
    gone.save()

    merge.merge(
        owner, kept, gone, {"company": "merged", "birthday": "merged", "position": "survivor"}, now=NOW
    )

    kept.refresh_from_db()
    assert kept.company == "Neu AG"
    assert kept.position == ""  # the survivor's empty value, as chosen
    assert kept.birthday_date == date(1980, 2, 29)
    assert kept.notes == "Kennt den Einkauf\n\nSegelt"  # both notes: the default
    assert Contact.objects.filter(owner=owner, search_text__contains="neu ag").get() == kept


def test_by_default_it_takes_the_value_that_is_set(owner: User, pair: tuple[Contact, Contact]) -> None:
    kept, gone = pair

    merge.merge(owner, kept, gone, {}, now=NOW)

    kept.refresh_from_db()
    assert kept.position == "CEO"


def test_the_survivor_is_as_old_as_the_older_of_the_two(owner: User, pair: tuple[Contact, Contact]) -> None:
    kept, gone = pair
    Contact.objects.filter(pk=gone.pk).update(created_at=NOW - timedelta(days=900))

    merge.merge(owner, kept, gone, {}, now=NOW)

    kept.refresh_from_db()
    assert kept.created_at == NOW - timedelta(days=900)
    assert merge.default_survivor(kept, ContactFactory(owner=owner)) == kept


def test_it_keeps_the_merged_contacts_values_in_the_survivors_history(
    owner: User, pair: tuple[Contact, Contact]
) -> None:
    kept, gone = pair

    record = merge.merge(owner, kept, gone, {}, now=NOW)

    assert record.survivor == kept
    assert record.name == "Max Mustermann"
    assert record.first_email in {"MAX@alt.example", "max@neu.example"}
    with translation.override("en"):
        shown = {str(label): value for label, value in record.shown_values()}
    assert shown["company"] == "Neu AG"
    assert shown["tags"] == "Kunde, LinkedIn"


def test_the_survivor_loses_no_snooze_when_both_had_one(owner: User) -> None:
    kept, gone = ContactFactory(owner=owner), ContactFactory(owner=owner)
    states.snooze(owner, ItemKind.CADENCE, days=3, now=NOW, contact=kept)
    states.snooze(owner, ItemKind.CADENCE, days=7, now=NOW, contact=gone)  # the later change

    merge.merge(owner, kept, gone, {}, now=NOW)

    (state,) = ReminderState.objects.filter(owner=owner)
    assert (state.key, state.contact_id) == (f"cadence:{kept.pk}", kept.pk)
    assert state.snoozed_until == date(2026, 3, 9)


def test_a_promise_reminder_stays_with_its_touch(owner: User) -> None:
    kept, gone = ContactFactory(owner=owner), ContactFactory(owner=owner)
    promise = touch(gone, 2, promise="Angebot")
    states.snooze(owner, ItemKind.PROMISE, days=7, now=NOW, contact=gone, touch=promise)

    merge.merge(owner, kept, gone, {}, now=NOW)

    state = ReminderState.objects.get(owner=owner)
    assert (state.key, state.contact_id, state.touchpoint_id) == (
        f"promise:{promise.pk}",
        kept.pk,
        promise.pk,
    )


def test_a_one_off_reminder_moves_with_its_snooze(owner: User) -> None:
    kept, gone = ContactFactory(owner=owner), ContactFactory(owner=owner)
    day = NOW.date()
    snoozed = OneOffReminder.objects.create(contact=gone, due_on=day, text="Angebot nachfassen")
    shown = OneOffReminder.objects.create(contact=gone, due_on=day, text="Zum Geburtstag anrufen")
    states.snooze(owner, ItemKind.ONE_OFF, days=3, now=NOW, contact=gone, occasion=str(snoozed.pk))

    merge.merge(owner, kept, gone, {}, now=NOW)

    assert set(OneOffReminder.objects.filter(contact=kept)) == {snoozed, shown}
    state = ReminderState.objects.get(owner=owner)
    assert (state.key, state.contact_id) == (f"one_off:{kept.pk}:{snoozed.pk}", kept.pk)
    # still snoozed on Today, under the survivor: only the other one shows
    section = due.section_for(owner, ItemKind.ONE_OFF, now=NOW)
    assert [item.one_off for item in section.items] == [shown]


# ---------------------------------------------------------------- the roster


def test_two_strong_ties_become_one(owner: User) -> None:
    kept, gone, _other = strong_ties(owner, 3)

    merge.merge(owner, kept, gone, {}, now=NOW)

    kept.refresh_from_db()
    assert kept.circle == Circle.STRONG
    assert roster.roster_for(owner).count == 2


def test_a_strong_tie_merged_at_the_cap_makes_the_survivor_strong_without_passing_it(owner: User) -> None:
    owner.strong_tie_cap = 40
    owner.save()
    ties = strong_ties(owner, 40)
    kept = ContactFactory(owner=owner, circle=Circle.REGULAR)

    merge.merge(owner, kept, ties[0], {}, now=NOW)  # the stronger circle by default

    kept.refresh_from_db()
    assert kept.circle == Circle.STRONG
    assert roster.roster_for(owner).count == 40


def test_choosing_the_weaker_circle_frees_a_place(owner: User) -> None:
    (gone,) = strong_ties(owner, 1)
    Contact.objects.filter(pk=gone.pk).update(stage=Stage.STRONG_TIE)
    kept = ContactFactory(owner=owner, circle=Circle.REGULAR, stage=Stage.RELATIONSHIP)

    merge.merge(owner, kept, gone, {"circle": "survivor"}, now=NOW)

    kept.refresh_from_db()
    assert (kept.circle, kept.stage) == (Circle.REGULAR, Stage.RELATIONSHIP)
    assert roster.roster_for(owner).count == 0


def test_a_strong_tie_survivor_taking_the_merged_stage_records_the_change(owner: User) -> None:
    (kept,) = strong_ties(owner, 1)
    gone = ContactFactory(owner=owner, circle=Circle.REGULAR, stage=Stage.RELATIONSHIP)

    merge.merge(owner, kept, gone, {"circle": "merged"}, now=NOW)

    kept.refresh_from_db()
    assert (kept.circle, kept.stage) == (Circle.REGULAR, Stage.RELATIONSHIP)
    assert kept.stage_changes.filter(
        from_stage=Stage.STRONG_TIE,
        to_stage=Stage.RELATIONSHIP,
        cause=StageChange.Cause.DEMOTED,
        changed_at=NOW,
    ).exists()


# ---------------------------------------------------------------- refusals


def test_it_refuses_another_owners_contact(owner: User) -> None:
    kept = ContactFactory(owner=owner)
    theirs = ContactFactory(owner=UserFactory())

    with pytest.raises(Contact.DoesNotExist):
        merge.merge(owner, kept, theirs, {}, now=NOW)

    assert Contact.objects.filter(pk=theirs.pk).exists()


def test_it_refuses_one_contact_twice_and_a_merge_without_a_name(owner: User) -> None:
    kept = ContactFactory(owner=owner, first_name="", last_name="Muster")
    gone = ContactFactory(owner=owner, first_name="Eva", last_name="")

    with pytest.raises(merge.MergeRefused):
        merge.merge(owner, kept, kept, {}, now=NOW)
    with pytest.raises(merge.MergeRefused):
        merge.merge(owner, kept, gone, {"first_name": "survivor", "last_name": "merged"}, now=NOW)
    with pytest.raises(merge.MergeRefused):
        merge.merge(owner, kept, gone, {"company": "both"}, now=NOW)

    assert Contact.objects.filter(pk=gone.pk).exists()


# ---------------------------------------------------------------- undoing an import after a merge

CSV = "First Name,Last Name,E-mail Address\nMax,Mustermann,max@neu.example\n"


def test_undo_keeps_the_survivor_a_merged_imported_contact_went_into(owner: User) -> None:
    kept = ContactFactory(owner=owner, first_name="Maximilian", last_name="Mustermann")
    ContactEmailFactory(contact=kept, address="max@alt.example")
    touch(kept, 30)
    upload = imported(owner, ("google.csv", CSV))
    gone = Contact.objects.get(owner=owner, first_name="Max")

    merge.merge(owner, kept, gone, {}, now=NOW)
    result = undo.undo(upload.pk, now=NOW)

    kept.refresh_from_db()
    assert result.deleted == 0
    assert list(kept.emails.values_list("address", flat=True)) == ["max@alt.example"]  # the import's went
    assert kept.touchpoints.count() == 1


def test_undo_keeps_the_imported_survivor_and_what_the_other_brought(owner: User) -> None:
    gone = ContactFactory(owner=owner, first_name="Maximilian", last_name="Mustermann")
    ContactEmailFactory(contact=gone, address="max@alt.example")
    upload = imported(owner, ("google.csv", CSV))
    kept = Contact.objects.get(owner=owner, first_name="Max")
    record = ImportedContact.objects.get(upload=upload, contact=kept)
    assert record.created

    merge.merge(owner, kept, gone, {}, now=NOW)
    undo.undo(upload.pk, now=NOW)

    kept.refresh_from_db()
    assert list(kept.emails.values_list("address", flat=True)) == ["max@alt.example"]
    assert Contact.objects.filter(owner=owner).count() == 1


def test_undo_keeps_an_address_the_other_had_too_on_the_imported_survivor(owner: User) -> None:
    """After the import, the user added the same person with the same address and number; merged
    into the imported one, their copies went (the survivor had them): undoing the import must not
    take the address and the number away."""
    csv = (
        "First Name,Last Name,E-mail Address,Mobile Phone\nMax,Mustermann,max@neu.example,+49 160 77788899\n"
    )
    upload = imported(owner, ("google.csv", csv))
    kept = Contact.objects.get(owner=owner, first_name="Max")
    gone = ContactFactory(owner=owner, first_name="Maximilian", last_name="Mustermann")
    ContactEmailFactory(contact=gone, address="MAX@neu.example")
    ContactPhoneFactory(contact=gone, number="+4916077788899")

    merge.merge(owner, kept, gone, {}, now=NOW)
    undo.undo(upload.pk, now=NOW)

    kept.refresh_from_db()
    assert list(kept.emails.values_list("address", flat=True)) == ["max@neu.example"]
    assert list(kept.phones.values_list("number", flat=True)) == ["+4916077788899"]


def test_undo_deletes_a_survivor_the_import_made_of_two_it_created(owner: User) -> None:
    upload = imported(owner, ("google.csv", CSV + "Maximilian,Mustermann,mm@neu.example\n"))
    kept, gone = Contact.objects.filter(owner=owner).order_by("pk")

    merge.merge(owner, kept, gone, {}, now=NOW)
    assert ImportedContact.objects.filter(upload=upload).count() == 1
    result = undo.undo(upload.pk, now=NOW)

    assert result.deleted == 1
    assert not Contact.objects.filter(owner=owner).exists()
    assert not ContactEmail.objects.exists()
    assert not ContactPhone.objects.exists()


def test_an_online_origin_beside_the_others_stage_goes_back_to_online_without_a_meeting(owner: User) -> None:
    """R1: the LinkedIn contact's origin and the other's "met in person" (no origin, no touch):
    known only online as one, it stays "online contact" until a meeting is logged."""
    online = ContactFactory(owner=owner, how_met="linkedin", stage=Stage.ONLINE, circle=Circle.LOOSE)
    met = ContactFactory(owner=owner, how_met="", stage=Stage.MET, circle=Circle.LOOSE)

    merge.merge(owner, online, met, {"how_met": "survivor", "circle": "merged"}, now=NOW)

    online.refresh_from_db()
    assert (online.how_met, online.stage) == ("linkedin", Stage.ONLINE)


def test_a_survivors_own_stage_and_origin_stay_as_they_were(owner: User) -> None:
    """A stage stored before R1 was enforced (LinkedIn, "met in person", no touch) is the
    survivor's own: a merge that takes nothing of the other's for them leaves it."""
    legacy = ContactFactory(owner=owner, how_met="linkedin", stage=Stage.MET, circle=Circle.LOOSE)
    other = ContactFactory(owner=owner, how_met="", stage=Stage.ONLINE, circle=Circle.LOOSE)

    merge.merge(owner, legacy, other, {"how_met": "survivor", "circle": "survivor"}, now=NOW)

    legacy.refresh_from_db()
    assert (legacy.how_met, legacy.stage) == ("linkedin", Stage.MET)
