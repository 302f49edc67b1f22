"""The merge page: both contacts side by side, a choice per differing field, a clear confirmation."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contacts import roster
from contacts.choices import Channel, Circle
from contacts.models import Contact
from netzwerk.accounts.models import User
from tests.factories import ContactEmailFactory, ContactFactory, TagFactory, UserFactory, bulk_touches
from touchpoints import ledger
from touchpoints.kinds import Kind
from touchpoints.models import Touchpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(owner: User) -> tuple[Contact, Contact]:
    first = ContactFactory(owner=owner, first_name="Max", last_name="Mustermann", company="Alt GmbH")
    second = ContactFactory(owner=owner, first_name="Max", last_name="Mustermann", company="Neu AG")
    Contact.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(days=400))
    ContactEmailFactory(contact=second, address="max@neu.example")
    bulk_touches(second, 3)
    return first, second


def url(first: Contact, second: Contact) -> str:
    return reverse("imports:merge", args=[first.pk, second.pk])


def test_it_shows_both_and_a_choice_for_each_differing_field(
    owner_client: Client, pair: tuple[Contact, Contact]
) -> None:
    first, second = pair

    response = owner_client.get(url(first, second))

    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('data-testid="merge-side"') == 2
    assert 'name="pick_company"' in body
    assert 'name="pick_first_name"' not in body  # the same on both: nothing to choose
    assert f'value="{second.pk}"' in body
    assert "Alt GmbH" in body
    assert "Neu AG" in body
    # the older one stays unless the user says otherwise
    assert re.search(rf'name="survivor" value="{first.pk}"[^>]* checked', body)
    assert "3 touches" in body


def test_the_survivors_spelling_is_the_default_and_a_value_only_one_has_is_taken(
    owner_client: Client, owner: User
) -> None:
    older = ContactFactory(owner=owner, first_name="Thomas", last_name="Bäcker", position="")
    newer = ContactFactory(owner=owner, first_name="Tom", last_name="Baecker", position="Bäckermeister")
    Contact.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=400))

    body = owner_client.get(url(older, newer)).content.decode()

    assert re.search(rf'name="pick_first_name" value="{older.pk}"[^>]* checked', body)
    assert re.search(rf'name="pick_last_name" value="{older.pk}"[^>]* checked', body)
    assert 'name="pick_position"' not in body  # only the newer has one: nothing to choose
    owner_client.post(
        url(older, newer),
        {"survivor": older.pk, "pick_first_name": older.pk, "pick_last_name": older.pk, "confirm": "on"},
    )
    older.refresh_from_db()
    assert (older.first_name, older.last_name, older.position) == ("Thomas", "Bäcker", "Bäckermeister")


def test_it_merges_with_the_field_picked_and_goes_to_the_survivor(
    owner_client: Client, owner: User, pair: tuple[Contact, Contact]
) -> None:
    first, second = pair

    response = owner_client.post(
        url(first, second), {"survivor": first.pk, "pick_company": second.pk, "confirm": "on"}, follow=True
    )

    assert response.redirect_chain == [(first.get_absolute_url(), 302)]
    first.refresh_from_db()
    assert first.company == "Neu AG"
    assert not Contact.objects.filter(pk=second.pk).exists()
    assert Touchpoint.objects.filter(contact=first).count() == 3
    body = response.content.decode()
    assert "Max Mustermann was merged into Max Mustermann." in body
    assert 'data-testid="merges"' in body
    assert "max@neu.example" in body  # "merged with Max Mustermann (max@neu.example) on …"


def test_the_survivor_can_be_the_second(owner_client: Client, pair: tuple[Contact, Contact]) -> None:
    first, second = pair

    owner_client.post(url(first, second), {"survivor": second.pk, "pick_company": first.pk, "confirm": "on"})

    second.refresh_from_db()
    assert second.company == "Alt GmbH"
    assert not Contact.objects.filter(pk=first.pk).exists()


def test_it_merges_nothing_without_the_confirmation(
    owner_client: Client, pair: tuple[Contact, Contact]
) -> None:
    first, second = pair

    response = owner_client.post(url(first, second), {"survivor": first.pk, "pick_company": second.pk})

    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert Contact.objects.filter(pk__in=[first.pk, second.pk]).count() == 2


def test_it_answers_404_for_a_pair_with_another_owners_contact(
    owner_client: Client, owner: User, pair: tuple[Contact, Contact]
) -> None:
    first, _second = pair
    theirs = ContactFactory(owner=UserFactory())

    for target in (url(first, theirs), url(theirs, first)):
        assert owner_client.get(target).status_code == 404
        assert owner_client.post(target, {"survivor": first.pk, "confirm": "on"}).status_code == 404
    assert owner_client.get(url(first, first)).status_code == 404
    assert Contact.objects.filter(pk=theirs.pk).exists()


def test_it_answers_404_to_a_stranger(stranger_client: Client, pair: tuple[Contact, Contact]) -> None:
    first, second = pair

    assert stranger_client.get(url(first, second)).status_code == 404
    assert (
        stranger_client.post(url(first, second), {"survivor": first.pk, "confirm": "on"}).status_code == 404
    )
    assert Contact.objects.filter(pk__in=[first.pk, second.pk]).count() == 2


def test_it_sends_anonymous_users_to_login(client: Client, pair: tuple[Contact, Contact]) -> None:
    response = client.get(url(*pair))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_it_speaks_german(owner: User, owner_client: Client, pair: tuple[Contact, Contact]) -> None:
    owner.language = "de"
    owner.save()

    body = owner_client.get(url(*pair)).content.decode()

    assert "Zwei Kontakte zusammenführen" in body
    assert "Welcher bleibt?" in body


@pytest.mark.parametrize("size", [1, 40])
def test_the_page_takes_the_same_queries_at_any_size(
    owner_client: Client, owner: User, size: int, django_assert_num_queries
) -> None:
    first = ContactFactory(owner=owner, first_name="Max", last_name="Mustermann")
    second = ContactFactory(owner=owner, first_name="Max", last_name="Mustermann", company="Neu AG")
    for contact in (first, second):
        bulk_touches(contact, size)
        for n in range(size):
            ContactEmailFactory(contact=contact)
            contact.tags.add(TagFactory(owner=owner, name=f"{contact.pk}-{n}"))

    # session, user, the two contacts (with met at, introduced by, counts), their e-mails,
    # phones, tags, organisations
    with django_assert_num_queries(7):
        response = owner_client.get(url(first, second))

    assert response.status_code == 200


def online_and_strong(owner: User, *, strong_met_by: str) -> tuple[Contact, Contact]:
    """One known only on XING, and a strong tie met in person: by a call (`touch`) or at an
    event (`origin`)."""
    online = ContactFactory(owner=owner, first_name="Olga", last_name="Online", how_met=Channel.XING)
    how_met = Channel.XING if strong_met_by == "touch" else Channel.EVENT
    strong = ContactFactory(owner=owner, first_name="Olga", last_name="Online", how_met=how_met)
    if strong_met_by == "touch":
        ledger.log_touch(strong, kind=Kind.CALL, happened_at=timezone.now() - timedelta(days=3))
        strong.refresh_from_db()
    roster.promote(strong, now=timezone.now())
    return online, strong


def test_the_strong_place_goes_to_the_survivor_when_the_other_brings_the_meeting(
    owner_client: Client, owner: User
) -> None:
    """The other's call moves over with it: the survivor has met Olga (it answered 500 before:
    the survivor's touches were read before the other's had moved)."""
    online, strong = online_and_strong(owner, strong_met_by="touch")

    response = owner_client.post(
        url(online, strong), {"survivor": online.pk, "pick_circle": strong.pk, "confirm": "on"}
    )

    assert response.status_code == 302
    online.refresh_from_db()
    assert online.circle == Circle.STRONG
    assert not Contact.objects.filter(pk=strong.pk).exists()


def test_a_merge_that_would_make_a_strong_tie_of_someone_never_met_is_refused_in_the_form(
    owner_client: Client, owner: User
) -> None:
    online, strong = online_and_strong(owner, strong_met_by="origin")

    response = owner_client.post(
        url(online, strong),
        {"survivor": online.pk, "pick_circle": strong.pk, "pick_how_met": online.pk, "confirm": "on"},
    )

    assert response.status_code == 200
    assert "Only someone you have met in person can be a strong tie" in response.content.decode()
    assert Contact.objects.filter(owner=owner).count() == 2


def test_a_pair_where_only_one_has_values_says_those_stay_not_that_the_two_agree(
    owner_client: Client, owner: User
) -> None:
    bare = ContactFactory(
        owner=owner, first_name="Ralf", last_name="Stein", company="", position="", notes=""
    )
    full = ContactFactory(
        owner=owner,
        first_name="Ralf",
        last_name="Stein",
        company="Stein AG",
        notes="Kennt Olga",
        birthday_day=3,
        birthday_month=4,
    )

    body = owner_client.get(url(bare, full)).content.decode()

    assert "The two agree on every field." not in body
    assert "where only one of them has a value, that value stays" in body
    assert "Kennt Olga" in body  # the other's notes and birthday on its card
    assert "April 3" in body or "3 April" in body
    # the two choices of which stays differ: one names its company
    assert "· Stein AG" in body
