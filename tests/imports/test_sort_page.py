"""The sort page (imports.sorting): one waiting contact at a time, each choice's effect, the
roster's cap for a strong tie, skipping, strangers and the empty page, full page and htmx."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from contacts import rules
from contacts.choices import Channel, Circle, Sorting, Stage
from contacts.models import Contact, StageChange
from imports.models import Import, ImportedContact
from netzwerk.accounts.models import User
from tests.contacts.test_sorting import EFFECTS
from tests.factories import ContactFactory, ContactPhoneFactory, ImportFactory, strong_ties
from touchpoints import ledger
from touchpoints.kinds import Kind
from touchpoints.models import Initiator

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
SORT = reverse("imports:sort")


def imported(
    owner: User,
    *names: str,
    connected: datetime = datetime(2018, 3, 1, 9, tzinfo=UTC),
    stage: str = Stage.ONLINE,
) -> list[Contact]:
    """New contacts from an import (committed now), the first named connected first (one day
    apart); `stage` "met in person" for people met since (their meeting logged)."""
    made = []
    upload = ImportFactory(owner=owner, status=Import.Status.COMMITTED, committed_at=NOW)
    for n, name in enumerate(names):
        contact = ContactFactory(
            owner=owner,
            first_name=name,
            last_name="Imported",
            circle=Circle.LOOSE,
            stage=stage,
            sorting=Sorting.UNSORTED,
            how_met=Channel.LINKEDIN,
        )
        Contact.objects.filter(pk=contact.pk).update(created_at=connected + timedelta(days=n))
        if stage != Stage.ONLINE:  # met since: the meeting is logged (roster.has_met)
            ledger.log_touch(contact, kind=Kind.MEETING, happened_at=NOW - timedelta(days=1))
        ImportedContact.objects.create(upload=upload, contact=contact, created=True)
        made.append(Contact.objects.get(pk=contact.pk))
    return made


def decide(client: Client, contact: Contact, choice: str, *, htmx: bool = False, **data: Any) -> Any:
    headers = {"HX-Request": "true"} if htmx else {}
    with time_machine.travel(NOW, tick=False):
        return client.post(
            reverse("imports:sort_decide", args=[contact.pk]), {"choice": choice, **data}, headers=headers
        )


def stored(contact: Contact) -> Contact:
    return Contact.objects.get(pk=contact.pk)


def shown(response: Any) -> str:
    """The name on the card (the card's heading link)."""
    body = response.content.decode()
    start = body.index('data-testid="sort-name">') + len('data-testid="sort-name">')
    return body[start : body.index("</a>", start)]


# ---------------------------------------------------------------- the card


def test_it_shows_the_freshest_waiting_contact_with_what_the_import_brought(
    owner: User, owner_client: Client, stranger: User
) -> None:
    older, fresh = imported(owner, "Anna", "Jürgen", connected=datetime(2024, 1, 3, 9, tzinfo=UTC))
    Contact.objects.filter(pk=fresh.pk).update(company="Bauer & Söhne GmbH", position="Vertriebsleiter")
    ledger.log_touch(fresh, kind=Kind.MESSAGE, happened_at=NOW - timedelta(days=40), note="Hallo Jürgen")
    ledger.log_touch(
        fresh,
        kind=Kind.MESSAGE,
        happened_at=NOW - timedelta(days=30),
        note="Gern, lass uns telefonieren.",
        initiated_by=Initiator.THEM,
    )
    ledger.log_touch(fresh, kind=Kind.CALL, happened_at=NOW - timedelta(days=20))  # not a message
    ContactFactory(owner=owner, first_name="Sorted", sorting=Sorting.REGULAR)
    imported(stranger, "Mallory", connected=datetime(2025, 1, 1, tzinfo=UTC))

    response = owner_client.get(SORT)

    assert response.status_code == 200
    body = response.content.decode()
    assert shown(response) == "Jürgen Imported"
    assert "Bauer &amp; Söhne GmbH" in body
    assert "Vertriebsleiter" in body
    assert "LinkedIn" in body
    assert "Jan. 4, 2024" in body  # connected since (the import's "connected on")
    assert "2 messages" in body
    assert "the last from them on Nov. 1, 2026" in body
    assert "Gern, lass uns telefonieren." in body
    assert "Hallo Jürgen" not in body
    assert "2 contacts left to sort" in body
    assert "Mallory" not in body
    assert older.name not in body
    assert [f'data-key="{key}"' in body for key in ("1", "6", "ArrowRight")] == [True] * 3


def test_it_says_all_sorted_when_nothing_waits(owner: User, owner_client: Client) -> None:
    ContactFactory(owner=owner, sorting=Sorting.LOOSE)
    strong_ties(owner, 1)  # a strong tie never waits, whatever its sorting

    response = owner_client.get(SORT)

    body = response.content.decode()
    assert 'data-testid="sort-empty"' in body
    assert "All sorted." in body
    assert f'href="{reverse("reminders:today")}"' in body
    assert f'href="{reverse("contacts:list")}"' in body
    assert 'data-testid="sort-card"' in body
    assert "sort-name" not in body


def test_htmx_gets_the_card_alone(owner: User, owner_client: Client) -> None:
    imported(owner, "Anna")

    response = owner_client.get(SORT, headers={"HX-Request": "true"})

    body = response.content.decode()
    assert "<html" not in body
    assert body.lstrip().startswith('<section id="sort-card"')
    assert shown(response) == "Anna Imported"


# ---------------------------------------------------------------- the choices


@pytest.mark.parametrize(("choice", "circle", "prospect", "archived"), EFFECTS)
def test_each_choice_sorts_the_contact_and_moves_on(
    owner: User, owner_client: Client, choice: str, circle: str, prospect: str, archived: bool
) -> None:
    second, first = imported(owner, "Anna", "Jürgen")

    response = decide(owner_client, first, choice)

    assert response.status_code == 302
    assert response["Location"] == f"{SORT}?after={first.pk}"
    sorted_ = stored(first)
    assert (sorted_.sorting, sorted_.circle, sorted_.prospect_status) == (choice, circle, prospect)
    assert sorted_.is_archived is archived
    assert sorted_.sorted_at == NOW
    assert stored(second).sorting == Sorting.UNSORTED
    assert shown(owner_client.get(response["Location"])) == "Anna Imported"


def test_pursue_starts_the_online_window_today(owner: User, owner_client: Client) -> None:
    (contact,) = imported(owner, "Anna")  # connected in 2018

    decide(owner_client, contact, Sorting.PURSUE)

    asked = rules.online_only(stored(contact), owner=owner, now=NOW)
    assert asked is not None
    assert asked.due_at == NOW + timedelta(days=owner.online_window_days)
    assert not asked.is_due


def test_htmx_swaps_in_the_next_card_with_the_message(owner: User, owner_client: Client) -> None:
    _second, first = imported(owner, "Anna", "Jürgen")

    response = decide(owner_client, first, Sorting.REGULAR, htmx=True)

    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert shown(response) == "Anna Imported"
    assert "Jürgen Imported sorted as “Regular”." in body
    assert "1 contact left to sort" in body
    assert stored(first).sorting == Sorting.REGULAR


def test_a_contact_sorted_already_is_left_as_it_is(owner: User, owner_client: Client) -> None:
    (contact,) = imported(owner, "Anna")
    decide(owner_client, contact, Sorting.PROSPECT)

    response = decide(owner_client, contact, Sorting.ARCHIVE, htmx=True)  # a second tap, a stale tab

    assert "Anna Imported was sorted already." in response.content.decode()
    assert stored(contact).sorting == Sorting.PROSPECT
    assert not stored(contact).is_archived


def test_an_unknown_choice_changes_nothing(owner: User, owner_client: Client) -> None:
    (contact,) = imported(owner, "Anna")

    response = decide(owner_client, contact, Sorting.UNSORTED)

    assert response.status_code == 400
    assert shown(response) == "Anna Imported"
    assert stored(contact).waits_to_be_sorted


# ---------------------------------------------------------------- strong ties and the cap


def test_a_strong_tie_is_promoted_through_the_roster(owner: User, owner_client: Client) -> None:
    (contact,) = imported(owner, "Anna", stage=Stage.MET)

    response = decide(owner_client, contact, "strong", htmx=True)

    promoted = stored(contact)
    assert promoted.circle == Circle.STRONG
    assert promoted.stage == Stage.STRONG_TIE  # the circle and the stage tell one story
    assert promoted.stage_changes.filter(
        from_stage=Stage.MET, cause=StageChange.Cause.JOINED_STRONG_TIES, changed_at=NOW
    ).exists()
    assert promoted.sorting == Sorting.REGULAR  # what it is should it ever leave the roster
    assert promoted.sorted_at == NOW
    assert not promoted.waits_to_be_sorted
    assert "Anna Imported is now a strong tie." in response.content.decode()


@pytest.mark.parametrize("htmx", [False, True])
def test_a_contact_known_only_online_is_refused_with_the_way_forward(
    owner: User, owner_client: Client, htmx: bool
) -> None:
    (contact,) = imported(owner, "Anna")

    response = decide(owner_client, contact, "strong", htmx=htmx)

    assert response.status_code == (200 if htmx else 409)
    body = response.content.decode()
    assert shown(response) == "Anna Imported"
    assert "You have not met Anna Imported in person yet" in body
    assert f'href="{reverse("touchpoints:panel", args=[contact.pk])}">Log your first meeting' in body
    waiting = stored(contact)
    assert (waiting.sorting, waiting.circle, waiting.stage) == (Sorting.UNSORTED, Circle.LOOSE, Stage.ONLINE)


def test_a_full_roster_says_so_and_the_contact_still_waits(owner: User, owner_client: Client) -> None:
    ties = strong_ties(owner, owner.strong_tie_cap)
    (contact,) = imported(owner, "Anna", stage=Stage.MET)

    response = decide(owner_client, contact, "strong")

    assert response.status_code == 409
    body = response.content.decode()
    assert shown(response) == "Anna Imported"
    assert f"Your strong-tie roster is full ({owner.strong_tie_cap}/{owner.strong_tie_cap})." in body
    assert f'name="out" value="{ties[0].pk}"' in body  # the roster's suggestions, to swap from here
    waiting = stored(contact)
    assert (waiting.sorting, waiting.circle, waiting.sorted_at) == (Sorting.UNSORTED, Circle.LOOSE, None)
    assert Contact.objects.for_owner(owner).strong_ties().count() == owner.strong_tie_cap


def test_htmx_shows_the_full_roster_in_the_card(owner: User, owner_client: Client) -> None:
    strong_ties(owner, owner.strong_tie_cap)
    (contact,) = imported(owner, "Anna", stage=Stage.MET)

    response = decide(owner_client, contact, "strong", htmx=True)

    assert response.status_code == 200  # htmx swaps only a 2xx answer
    assert "swap-panel" in response.content.decode()
    assert stored(contact).waits_to_be_sorted


def test_a_swap_makes_room_for_the_contact(owner: User, owner_client: Client) -> None:
    ties = strong_ties(owner, owner.strong_tie_cap)
    (contact,) = imported(owner, "Anna", stage=Stage.MET)

    response = decide(owner_client, contact, "strong", out=ties[0].pk)

    assert response.status_code == 302
    assert stored(contact).circle == Circle.STRONG
    assert stored(ties[0]).circle == Circle.REGULAR
    assert Contact.objects.for_owner(owner).strong_ties().count() == owner.strong_tie_cap


def test_a_swap_for_a_contact_known_only_online_demotes_nobody(owner: User, owner_client: Client) -> None:
    ties = strong_ties(owner, owner.strong_tie_cap)
    (contact,) = imported(owner, "Anna")

    response = decide(owner_client, contact, "strong", out=ties[0].pk)

    assert response.status_code == 409
    assert "Log your first meeting with Anna Imported" in response.content.decode()
    assert (stored(ties[0]).circle, stored(ties[0]).stage) == (Circle.STRONG, Stage.STRONG_TIE)
    assert stored(contact).waits_to_be_sorted


def test_a_swap_with_a_strangers_tie_is_a_404(owner: User, owner_client: Client, stranger: User) -> None:
    strong_ties(owner, owner.strong_tie_cap)
    (theirs,) = strong_ties(stranger, 1)
    (contact,) = imported(owner, "Anna")

    response = decide(owner_client, contact, "strong", out=theirs.pk)

    assert response.status_code == 404
    assert stored(theirs).circle == Circle.STRONG
    assert stored(contact).waits_to_be_sorted


# ---------------------------------------------------------------- skipping, access


def test_skip_goes_to_the_next_and_past_the_last_back_to_the_first(owner: User, owner_client: Client) -> None:
    third, second, first = imported(owner, "Carla", "Bernd", "Anna")

    assert shown(owner_client.get(SORT, {"after": first.pk})) == "Bernd Imported"
    assert shown(owner_client.get(SORT, {"after": second.pk})) == "Carla Imported"
    assert shown(owner_client.get(SORT, {"after": third.pk})) == "Anna Imported"
    assert shown(owner_client.get(SORT, {"after": "nonsense"})) == "Anna Imported"
    assert all(stored(c).waits_to_be_sorted for c in (first, second, third))


def test_after_a_skip_the_next_decision_keeps_going_forward(owner: User, owner_client: Client) -> None:
    _third, second, first = imported(owner, "Carla", "Bernd", "Anna")

    response = decide(owner_client, second, Sorting.LOOSE, htmx=True)  # Anna was skipped

    assert shown(response) == "Carla Imported"
    assert stored(first).waits_to_be_sorted


def test_a_strangers_contact_is_never_shown_nor_sorted(
    owner: User, stranger_client: Client, stranger: User
) -> None:
    (mine,) = imported(owner, "Anna")
    (theirs,) = imported(stranger, "Mallory")

    assert decide(stranger_client, mine, Sorting.ARCHIVE).status_code == 404
    assert shown(stranger_client.get(SORT, {"after": mine.pk})) == "Mallory Imported"
    assert stored(mine).waits_to_be_sorted
    assert stored(theirs).waits_to_be_sorted


def test_anonymous_users_are_sent_to_sign_in(owner: User, client: Client) -> None:
    (contact,) = imported(owner, "Anna")

    for response in (client.get(SORT), decide(client, contact, Sorting.LOOSE)):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    assert stored(contact).waits_to_be_sorted


def test_deciding_takes_post_only(owner: User, owner_client: Client) -> None:
    (contact,) = imported(owner, "Anna")

    assert owner_client.get(reverse("imports:sort_decide", args=[contact.pk])).status_code == 405


def test_it_says_no_connection_date_the_import_did_not_bring_and_offers_a_twin(
    owner: User, owner_client: Client
) -> None:
    (phone_card,) = imported(owner, "Mama", connected=NOW)  # dated the day of the import
    known = ContactFactory(owner=owner, first_name="Mama", last_name="Privat", sorting="")
    ContactPhoneFactory(contact=phone_card, number="+496221445566")
    ContactPhoneFactory(contact=known, number="+496221445566")

    body = owner_client.get(SORT).content.decode()

    assert "Connected since" not in body
    assert reverse("imports:merge", args=[known.pk, phone_card.pk]) in body


# ---------------------------------------------------------------- queries


@pytest.mark.parametrize("size", [5, 50])
def test_the_page_and_a_decision_take_the_same_queries_at_any_size(
    owner: User, owner_client: Client, size: int, django_assert_num_queries: Any
) -> None:
    contacts = imported(owner, *(f"Person{n}" for n in range(size)))
    for contact in contacts:
        for day in range(3):
            ledger.log_touch(contact, kind=Kind.MESSAGE, happened_at=NOW - timedelta(days=day + 1), note="Hi")
    first = contacts[-1]

    # session, user; the contact with its messages; how many are left; its twins (two queries)
    with django_assert_num_queries(6):
        owner_client.get(SORT)
    # session, user, the contact (owner_object); contacts.sorting (its ids, savepoint, the owner's
    # lock, one UPDATE, release); the next card (the contact with its messages, how many are
    # left, its twins)
    with django_assert_num_queries(12):
        decide(owner_client, first, Sorting.REGULAR, htmx=True)


def test_strong_tie_is_offered_only_for_a_contact_met_in_person(owner: User, owner_client: Client) -> None:
    """R5: a button the roster would always refuse is not offered; the card says why and what to
    choose instead."""
    (online,) = imported(owner, "Olli")

    body = owner_client.get(SORT).content.decode()

    assert 'value="strong"' not in body
    assert 'data-testid="sort-not-met"' in body
    ledger.log_touch(online, kind=Kind.MEETING, happened_at=NOW - timedelta(days=1))
    body = owner_client.get(SORT).content.decode()
    assert 'value="strong"' in body
    assert 'data-testid="sort-not-met"' not in body


# ---------------------------------------------------------------- undo

UNDO = re.compile(
    r'<form class="undo inline" method="post" action="([^"]+)".*?name="token" value="([^"]+)"', re.S
)


def test_a_decision_is_undone_and_the_contact_waits_again(owner: User, owner_client: Client) -> None:
    _second, first = imported(owner, "Anna", "Jürgen")
    before = {
        name: getattr(stored(first), name) for name in ("sorting", "sorted_at", "archived_at", "circle")
    }

    response = decide(owner_client, first, Sorting.ARCHIVE, htmx=True)
    found = UNDO.search(response.content.decode())
    assert found is not None, "no undo offered"
    assert stored(first).is_archived
    with time_machine.travel(NOW + timedelta(seconds=5), tick=False):
        undone = owner_client.post(found.group(1), {"token": found.group(2)}, headers={"HX-Request": "true"})

    assert {name: getattr(stored(first), name) for name in before} == before
    assert stored(first).waits_to_be_sorted
    assert shown(undone) == "Jürgen Imported"  # its card again
    assert "Jürgen Imported waits to be sorted again." in undone.content.decode()


def test_an_undo_after_a_touch_since_changes_nothing(owner: User, owner_client: Client) -> None:
    (contact,) = imported(owner, "Anna")
    response = decide(owner_client, contact, Sorting.REGULAR)
    found = UNDO.search(owner_client.get(SORT).content.decode())
    assert found is not None, "no undo offered"

    with time_machine.travel(NOW + timedelta(seconds=5), tick=False):
        ledger.log_touch(stored(contact), kind=Kind.CALL, happened_at=NOW)
        owner_client.post(found.group(1), {"token": found.group(2)})

    assert response.status_code == 302
    assert stored(contact).sorting == Sorting.REGULAR


def test_an_undo_takes_nothing_back_from_a_contact_changed_since_its_check(owner: User) -> None:
    """The check and the write are one: a touch logged between them keeps the contact sorted."""
    from imports import sorting as sort_page

    (contact,) = imported(owner, "Anna")
    before = sort_page.before_sorting(contact)
    decided_at = datetime(2026, 12, 1, 10, tzinfo=UTC)
    sort_page.decide(owner, contact, Sorting.REGULAR, now=decided_at)
    ledger.log_touch(stored(contact), kind=Kind.CALL, happened_at=NOW)  # updated_at moves

    taken = sort_page.take_back(owner, contact, before, decided_at=decided_at, now=NOW)

    assert (taken, stored(contact).sorting) == (False, Sorting.REGULAR)
