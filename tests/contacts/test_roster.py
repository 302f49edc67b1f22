"""R2: the strong-tie cap holds on every path that can make a strong tie."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.admin.sites import site as admin_site
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import Client, RequestFactory
from django.urls import reverse

from contacts import roster
from contacts.admin import ContactAdmin
from contacts.choices import Circle, Stage
from contacts.models import Contact
from tests.factories import ContactFactory, UserFactory, contact_form_data, strong_ties

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def strong_count(user) -> int:
    return Contact.objects.for_owner(user).strong_ties().count()


@pytest.fixture
def full_owner(owner):
    owner.strong_tie_cap = 40
    owner.save()
    strong_ties(owner, 40)
    return owner


def test_it_counts_the_roster_and_its_key_positions(owner) -> None:
    ties = strong_ties(owner, 3)
    ties[0].key_position = True
    ties[0].save()
    ContactFactory(owner=owner, key_position=True)  # not a strong tie

    state = roster.roster_for(owner)

    assert (state.count, state.cap, state.key_positions) == (3, 60, 1)
    assert not state.is_warning
    assert not state.is_full


def test_it_warns_from_40_and_is_full_at_the_cap(owner) -> None:
    assert roster.Roster(count=39, cap=60, key_positions=0).is_warning is False
    assert roster.Roster(count=40, cap=60, key_positions=0).is_warning is True
    assert roster.Roster(count=59, cap=60, key_positions=0).is_full is False
    assert roster.Roster(count=60, cap=60, key_positions=0).is_full is True


def test_it_refuses_the_41st_strong_tie_at_a_cap_of_40(full_owner) -> None:
    newcomer = ContactFactory(owner=full_owner)

    with pytest.raises(roster.RosterFull) as refused:
        roster.promote(newcomer, now=NOW)

    assert strong_count(full_owner) == 40
    newcomer.refresh_from_db()
    assert newcomer.circle == Circle.REGULAR
    assert refused.value.roster.count == 40
    assert len(roster.swap_candidates(full_owner, now=NOW)) == roster.SWAP_SUGGESTIONS


def test_it_refuses_the_61st_strong_tie_at_the_default_cap(owner) -> None:
    strong_ties(owner, 60)

    with pytest.raises(roster.RosterFull):
        roster.promote(ContactFactory(owner=owner), now=NOW)

    assert strong_count(owner) == 60


def test_it_refuses_a_new_contact_created_as_a_strong_tie_when_full(full_owner) -> None:
    contact = Contact(owner=full_owner, first_name="Neu", circle=Circle.STRONG, stage=Stage.MET)

    with pytest.raises(roster.RosterFull):
        roster.save_contact(contact, now=NOW)

    assert contact.pk is None
    assert strong_count(full_owner) == 40


def test_it_lets_a_strong_tie_be_saved_again_when_full(full_owner) -> None:
    tie = Contact.objects.for_owner(full_owner).strong_ties()[0]
    tie.company = "Neue Firma AG"

    roster.save_contact(tie, now=NOW)

    tie.refresh_from_db()
    assert tie.company == "Neue Firma AG"


def test_it_suggests_the_longest_without_a_personal_touch_first(owner) -> None:
    recent, old, never = strong_ties(owner, 3)
    Contact.objects.filter(pk=recent.pk).update(last_personal_touch_at=NOW - timedelta(days=3))
    Contact.objects.filter(pk=old.pk).update(last_personal_touch_at=NOW - timedelta(days=300))

    assert [c.pk for c in roster.swap_candidates(owner, now=NOW)] == [never.pk, old.pk, recent.pk]


def test_it_breaks_ties_by_the_lower_strength(owner) -> None:
    weak, strong = strong_ties(owner, 2)
    Contact.objects.filter(pk=strong.pk).update(
        last_touch_at=NOW - timedelta(days=2), first_touch_at=NOW - timedelta(days=200), touch_count=9
    )

    assert [c.pk for c in roster.swap_candidates(owner, now=NOW)] == [weak.pk, strong.pk]


def test_it_counts_only_the_owners_strong_ties(owner, stranger) -> None:
    owner.strong_tie_cap = 40
    owner.save()
    strong_ties(stranger, 45)

    roster.promote(ContactFactory(owner=owner), now=NOW)

    assert strong_count(owner) == 1


def test_it_swaps_in_one_step_or_not_at_all(full_owner) -> None:
    leaving = Contact.objects.for_owner(full_owner).strong_ties()[0]
    leaving.stage = Stage.STRONG_TIE
    leaving.save()
    newcomer = ContactFactory(owner=full_owner)

    roster.swap(promote_contact=newcomer, demote_contact=leaving, now=NOW)

    leaving.refresh_from_db()
    newcomer.refresh_from_db()
    assert (leaving.circle, leaving.stage) == (Circle.REGULAR, Stage.RELATIONSHIP)
    assert newcomer.circle == Circle.STRONG
    assert strong_count(full_owner) == 40


def test_it_never_makes_an_archived_contact_a_strong_tie(owner) -> None:
    contact = ContactFactory(owner=owner)
    contact.archive(now=NOW)

    with pytest.raises(roster.CannotPromoteArchived):
        roster.promote(contact, now=NOW)

    assert strong_count(owner) == 0


def test_archiving_a_strong_tie_frees_its_slot(owner) -> None:
    (tie,) = strong_ties(owner, 1)

    tie.archive(now=NOW)

    tie.refresh_from_db()
    assert tie.circle == Circle.REGULAR
    assert tie.is_archived
    assert strong_count(owner) == 0


# ---------------------------------------------------------------- every path


def test_the_contact_form_refuses_a_strong_tie_when_full(full_owner, client: Client) -> None:
    client.force_login(full_owner)
    data = contact_form_data(circle=Circle.STRONG)

    response = client.post(reverse("contacts:create"), data)

    assert response.status_code == 200
    assert "roster is full" in response.content.decode()
    assert not Contact.objects.filter(last_name="Groß").exists()
    assert strong_count(full_owner) == 40


def test_the_edit_form_refuses_a_promotion_when_full(full_owner, client: Client) -> None:
    contact = ContactFactory(owner=full_owner, first_name="Ute")
    client.force_login(full_owner)
    data = contact_form_data(first_name="Ute", last_name="Weiß", circle=Circle.STRONG)

    response = client.post(reverse("contacts:edit", args=[contact.pk]), data, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert "roster is full" in response.content.decode()
    contact.refresh_from_db()
    assert contact.circle == Circle.REGULAR


def test_the_htmx_promote_shows_who_to_demote_when_full(full_owner, client: Client) -> None:
    newcomer = ContactFactory(owner=full_owner)
    oldest = roster.swap_candidates(full_owner, now=NOW)[0]
    client.force_login(full_owner)

    response = client.post(reverse("contacts:promote", args=[newcomer.pk]), HTTP_HX_REQUEST="true")

    body = response.content.decode()
    assert response.status_code == 200
    assert oldest.name in body
    assert reverse("contacts:swap", args=[newcomer.pk, oldest.pk]) in body
    assert strong_count(full_owner) == 40
    # the newcomer's own control still offers the promotion, not a demotion it does not have
    assert reverse("contacts:promote", args=[newcomer.pk]) in body
    assert reverse("contacts:demote", args=[newcomer.pk]) not in body


def test_an_htmx_promotion_tells_the_rules_panel_to_reload(owner, client: Client) -> None:
    contact = ContactFactory(owner=owner)
    client.force_login(owner)

    page = client.get(contact.get_absolute_url()).content.decode()
    response = client.post(reverse("contacts:promote", args=[contact.pk]), HTTP_HX_REQUEST="true")

    assert 'hx-trigger="promise-kept from:body, roster-changed from:body"' in page
    assert "roster-changed" in response["HX-Trigger"]


def test_a_refused_promotion_leaves_the_circle_alone(full_owner) -> None:
    newcomer = ContactFactory(owner=full_owner, circle=Circle.LOOSE)

    with pytest.raises(roster.RosterFull):
        roster.promote(newcomer, now=NOW)

    assert newcomer.circle == Circle.LOOSE
    newcomer.refresh_from_db()
    assert newcomer.circle == Circle.LOOSE


def test_demoting_a_contact_that_is_no_strong_tie_changes_nothing(owner, client: Client) -> None:
    loose = ContactFactory(owner=owner, circle=Circle.LOOSE)
    client.force_login(owner)

    client.post(reverse("contacts:demote", args=[loose.pk]), HTTP_HX_REQUEST="true")

    loose.refresh_from_db()
    assert loose.circle == Circle.LOOSE
    assert not loose.stage_changes.exists()


def test_the_plain_promote_answers_409_with_the_swap_page_when_full(full_owner, client: Client) -> None:
    newcomer = ContactFactory(owner=full_owner)
    client.force_login(full_owner)

    response = client.post(reverse("contacts:promote", args=[newcomer.pk]))

    assert response.status_code == 409
    assert "<html" in response.content.decode()
    assert strong_count(full_owner) == 40


def test_the_admin_action_refuses_promotions_beyond_the_cap(full_owner) -> None:
    superuser = UserFactory(is_staff=True, is_superuser=True, totp=True)
    newcomers = ContactFactory.create_batch(2, owner=full_owner)
    request = RequestFactory().post("/admin/contacts/contact/")
    request.user = superuser
    request.session = {}  # type: ignore[assignment]
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]

    ContactAdmin(Contact, admin_site).promote_to_strong_tie(
        request, Contact.objects.filter(pk__in=[c.pk for c in newcomers])
    )

    assert strong_count(full_owner) == 40
    assert "not promoted" in " ".join(str(m) for m in request._messages)  # type: ignore[attr-defined]


def test_the_admin_cannot_edit_the_circle_directly() -> None:
    assert "circle" in ContactAdmin.readonly_fields


def test_the_database_refuses_a_strong_tie_stage_outside_the_strong_circle(owner) -> None:
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        ContactFactory(owner=owner, circle=Circle.REGULAR, stage=Stage.STRONG_TIE)


# ---------------------------------------------------------------- concurrency


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_promotions_at_59_make_60_not_61(database_vendor: str) -> None:
    """On PostgreSQL (CI) the owner's row lock serialises them; on SQLite, IMMEDIATE mode."""
    owner = UserFactory()
    strong_ties(owner, 59)
    first, second = ContactFactory.create_batch(2, owner=owner)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def promote(contact: Contact) -> None:
        from django.db import connections

        try:
            barrier.wait()
            roster.promote(contact, now=NOW)
            outcomes.append("promoted")
        except roster.RosterFull:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=promote, args=(c,)) for c in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["promoted", "refused"]
    assert strong_count(owner) == 60


def new_strong_ties(owner, count: int, *, stage: str = Stage.STRONG_TIE) -> list[Contact]:
    return [
        Contact(owner=owner, first_name="Neu", last_name=f"Nummer {n}", circle=Circle.STRONG, stage=stage)
        for n in range(count)
    ]


def test_strong_ties_created_at_once_fill_only_the_room_on_each_roster(owner) -> None:
    other = UserFactory(strong_tie_cap=40)
    owner.strong_tie_cap = 40
    owner.save()
    strong_ties(owner, 38)
    strong_ties(other, 39)
    contacts = new_strong_ties(owner, 4) + new_strong_ties(other, 1)

    joined = roster.create_strong_ties(contacts)

    assert joined == 2 + 1
    assert [contact.circle for contact in contacts] == [Circle.STRONG] * 2 + [Circle.REGULAR] * 2 + [
        Circle.STRONG
    ]
    assert [contact.stage for contact in contacts[2:4]] == [Stage.RELATIONSHIP] * 2  # the stage follows
    assert strong_count(owner) == 40
    assert strong_count(other) == 40
    assert Contact.objects.for_owner(owner).filter(last_name="Nummer 2").get().name_key  # keys filled


def test_strong_ties_created_at_once_must_have_been_met(owner) -> None:
    contacts = new_strong_ties(owner, 2)
    contacts[1].stage = Stage.ONLINE

    with pytest.raises(roster.NotMetYet):
        roster.create_strong_ties(contacts)

    assert not Contact.objects.for_owner(owner).exists()


@pytest.mark.parametrize("count", [1, 40])
def test_strong_ties_created_at_once_take_the_same_queries_for_any_number(
    owner, count: int, django_assert_num_queries
) -> None:
    contacts = new_strong_ties(owner, count) + new_strong_ties(UserFactory(), count)

    # savepoint, lock the owners, their rosters, the keys, COPY, release
    with django_assert_num_queries(6):
        roster.create_strong_ties(contacts)

    assert Contact.objects.strong_ties().count() == 2 * count
