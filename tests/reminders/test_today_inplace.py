"""Today in place: an action's answer carries the total and the other sections' counts, and a
touch logged in one click can be undone for a while (the touch gone, the item back)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from contacts.choices import Channel, Stage
from contacts.models import Contact, StageChange
from netzwerk import undo
from netzwerk.accounts.models import User
from reminders import due, states
from reminders.models import ItemKind, ReminderState
from tests.reminders.conftest import DAY, NOW, at, contact
from tests.reminders.test_today import grow, post_item, sections
from touchpoints import ledger
from touchpoints.kinds import Kind
from touchpoints.models import OneOffReminder, Touchpoint

MINUTE = timedelta(minutes=1)  # within undo.UNDO_SECONDS

SUMMARY = (
    "last_touch_at",
    "first_personal_touch_at",
    "touch_count",
    "personal_touch_count",
    "prospect_touches",
)
TOKEN = re.compile(
    r'<form class="undo inline" method="post" action="([^"]+)".*?name="token" value="([^"]+)"', re.S
)


def summary(person: Contact) -> dict[str, Any]:
    person.refresh_from_db()
    return {name: getattr(person, name) for name in SUMMARY}


def oob(body: str, element_id: str) -> str:
    """The element swapped out of band with id `element_id`, as the response carries it."""
    found = re.search(rf'<(\w+)[^>]*id="{element_id}"[^>]*hx-swap-oob="true"[^>]*>(.*?)</\1>', body, re.S)
    assert found is not None, f"no out-of-band #{element_id} in the response"
    return found.group(2)


def undo_form(body: str) -> tuple[str, str]:
    """The undo button's action and token in a response's messages."""
    found = TOKEN.search(body)
    assert found is not None, "no undo offered"
    return found.group(1), found.group(2)


def test_an_action_brings_the_total_and_the_other_counts_along(
    owner: User, owner_client: Client, network: dict[str, Contact]
) -> None:
    with at(NOW):
        before = due.today_for(owner, now=NOW)
        response = post_item(owner_client, network["red"], kind="cadence", action="snooze", days="3")

    body = response.content.decode()  # type: ignore[attr-defined]
    assert f"{before.total - 1} things to do." in oob(body, "today-summary")
    counts = {section.kind.value: section.total for section in before.due}
    for kind, total in counts.items():
        if kind != "cadence":
            assert oob(body, f"count-{kind}") == str(total)
    # the acted section itself, with its own count, is the main swap
    assert body.lstrip().startswith('<section id="today-cadence"')
    assert f'data-testid="count-cadence">{counts["cadence"] - 1}<' in body


def test_the_last_item_done_swaps_in_the_empty_state(owner: User, owner_client: Client) -> None:
    owner.date_joined = NOW - 10 * DAY
    owner.save(update_fields=["date_joined"])
    alone = contact(owner, "Allein", touched=100 * DAY)

    with at(NOW):
        response = post_item(owner_client, alone, kind="cadence", log=Kind.CALL)

    summary_now = oob(response.content.decode(), "today-summary")  # type: ignore[attr-defined]
    assert 'data-testid="today-empty"' in summary_now


def log_on_today(client: Client, person: Contact, **data: str) -> tuple[Any, str, str]:
    response = post_item(client, person, **data)
    action, token = undo_form(response.content.decode())  # type: ignore[attr-defined]
    return response, action, token


def test_undo_of_a_clearing_call_deletes_it_and_brings_the_item_back(
    owner: User, owner_client: Client, network: dict[str, Contact]
) -> None:
    person = network["red"]
    before = summary(person)
    with at(NOW):
        _response, action, token = log_on_today(owner_client, person, kind="cadence", log=Kind.CALL)
        logged = Touchpoint.objects.get(contact=person, happened_at=NOW)
        assert summary(person) != before
        assert "Rot" not in sections(owner)[ItemKind.CADENCE]

        undone = owner_client.post(action, {"token": token}, HTTP_HX_REQUEST="true")

    body = undone.content.decode()
    assert action == reverse("reminders:touch_undo", args=[logged.pk])
    assert not Touchpoint.objects.filter(pk=logged.pk).exists()
    assert summary(person) == before
    assert "Rot" in sections(owner)[ItemKind.CADENCE]
    assert "touch-logged" in undone["HX-Trigger"]  # the other sections reload
    assert body.lstrip().startswith('<section id="today-cadence"')
    assert "Rot" in body
    assert "Undone: Call with Rot" in body
    assert "things to do." in oob(body, "today-summary")


def test_undo_of_a_done_gesture_puts_its_state_back(
    owner: User, owner_client: Client, network: dict[str, Contact]
) -> None:
    person = network["birthday"]
    occasion = "2026-11-28:card"
    with at(NOW):
        _response, action, token = log_on_today(
            owner_client, person, kind="birthday", action="done", log=Kind.CARD, occasion=occasion
        )
        assert sections(owner)[ItemKind.BIRTHDAY] == []
        owner_client.post(action, {"token": token}, HTTP_HX_REQUEST="true")

        assert sections(owner)[ItemKind.BIRTHDAY] == ["Geburtstag"]
    assert not Touchpoint.objects.filter(contact=person, kind=Kind.CARD).exists()
    state = ReminderState.objects.get(owner=owner, contact=person)
    assert (state.done_at, state.snoozed_until) == (None, None)


def test_undo_of_a_done_prospect_call_restores_an_earlier_snooze(
    owner: User, owner_client: Client, network: dict[str, Contact]
) -> None:
    person = network["prospect"]
    with at(NOW - 5 * DAY):
        states.snooze(owner, ItemKind.PROSPECT, days=3, now=NOW - 5 * DAY, contact=person)
    earlier = ReminderState.objects.get(owner=owner, contact=person)
    prospect_touches = summary(person)["prospect_touches"]

    with at(NOW):
        _response, action, token = log_on_today(
            owner_client, person, kind="prospect", action="done", log=Kind.CALL
        )
        assert summary(person)["prospect_touches"] == prospect_touches + 1
        owner_client.post(action, {"token": token})

    state = ReminderState.objects.get(pk=earlier.pk)
    assert (state.done_at, state.snoozed_until) == (earlier.done_at, earlier.snoozed_until)
    assert summary(person)["prospect_touches"] == prospect_touches
    assert "Interessent" in sections(owner)[ItemKind.PROSPECT]


def test_undo_of_a_first_meeting_takes_its_milestone_back(owner: User, owner_client: Client) -> None:
    owner.date_joined = NOW - 100 * DAY
    owner.save(update_fields=["date_joined"])
    online = contact(
        owner, "Online", touched=40 * DAY, kind=Kind.EMAIL, how_met=Channel.LINKEDIN, stage=Stage.ONLINE
    )

    with at(NOW):
        _response, action, token = log_on_today(owner_client, online, kind="online_only", log=Kind.MEETING)
        online.refresh_from_db()
        assert online.stage == Stage.MET
        undone = owner_client.post(action, {"token": token}, follow=True)

    assert "Undone: Meeting in person with Online" in undone.content.decode()
    online.refresh_from_db()
    assert online.stage == Stage.ONLINE
    assert not StageChange.objects.filter(
        contact=online, cause=StageChange.Cause.FIRST_PERSONAL_TOUCH
    ).exists()
    assert "Online" in sections(owner)[ItemKind.ONLINE_ONLY]


def test_undo_without_javascript_is_a_message_with_a_button(
    owner: User, owner_client: Client, network: dict[str, Contact]
) -> None:
    person = network["red"]
    with at(NOW):
        page = owner_client.post(
            reverse("reminders:contact_item", args=[person.pk]),
            {"kind": "cadence", "log": Kind.CALL},
            follow=True,
        )
        action, token = undo_form(page.content.decode())
        undone = owner_client.post(action, {"token": token}, follow=True)

    assert undone.redirect_chain == [(reverse("reminders:today"), 302)]
    assert "Undone: Call with Rot" in undone.content.decode()
    assert not Touchpoint.objects.filter(contact=person, happened_at=NOW).exists()


def test_undo_is_refused_after_two_minutes_and_changes_nothing(
    owner: User, owner_client: Client, network: dict[str, Contact]
) -> None:
    person = network["red"]
    with at(NOW):
        _response, action, token = log_on_today(owner_client, person, kind="cadence", log=Kind.CALL)
    after = summary(person)

    with at(NOW + timedelta(seconds=undo.UNDO_SECONDS + 1)):
        late = owner_client.post(action, {"token": token}, HTTP_HX_REQUEST="true")

    assert late.status_code == 200
    assert late["HX-Reswap"] == "none"
    assert "Too late to undo: that was more than 2 minutes ago." in late.content.decode()
    assert Touchpoint.objects.filter(contact=person, happened_at=NOW).exists()
    assert summary(person) == after


def test_undo_in_time_is_taken(owner: User, owner_client: Client, network: dict[str, Contact]) -> None:
    person = network["red"]
    with at(NOW):
        _response, action, token = log_on_today(owner_client, person, kind="cadence", log=Kind.CALL)
    with at(NOW + timedelta(seconds=undo.UNDO_SECONDS - 1)):
        owner_client.post(action, {"token": token})

    assert not Touchpoint.objects.filter(contact=person, happened_at=NOW).exists()


def test_undo_is_for_the_owner_the_touch_and_post_only(
    owner: User, owner_client: Client, stranger_client: Client, network: dict[str, Contact]
) -> None:
    with at(NOW):
        _response, action, token = log_on_today(owner_client, network["red"], kind="cadence", log=Kind.CALL)
        logged = Touchpoint.objects.get(contact=network["red"], happened_at=NOW)
        other = Touchpoint.objects.filter(contact=network["promise"]).get()

        assert stranger_client.post(action, {"token": token}).status_code == 404
        assert owner_client.get(action).status_code == 405
        # the token names its touch: it undoes no other
        elsewhere = reverse("reminders:touch_undo", args=[other.pk])
        refused = owner_client.post(elsewhere, {"token": token}, HTTP_HX_REQUEST="true")
        forged = owner_client.post(action, {"token": token + "x"}, HTTP_HX_REQUEST="true")

    assert "This cannot be undone." in refused.content.decode()
    assert "This cannot be undone." in forged.content.decode()
    assert Touchpoint.objects.filter(pk__in=[logged.pk, other.pk]).count() == 2


@pytest.mark.parametrize("size", [50, 500])
def test_undo_takes_the_same_queries_at_any_size(
    owner: User, owner_client: Client, network: dict[str, Contact], size: int, django_assert_num_queries
) -> None:
    grow(owner, size)
    with at(NOW):
        _response, action, token = log_on_today(owner_client, network["red"], kind="cadence", log=Kind.CALL)
        # session, user, the touch (the owner's); the undo's two savepoints, the contact locked, the
        # touch deleted with its states and import links, the summary read and saved, the savepoints
        # released; the contact's name for the message; Today's five queries (no savepoint of the
        # view's own around the undo any more: states.undo_log holds the whole undo)
        with django_assert_num_queries(23):
            owner_client.post(action, {"token": token}, HTTP_HX_REQUEST="true")


@pytest.mark.parametrize("size", [50, 500])
def test_an_action_takes_the_same_queries_at_any_size(
    owner: User, owner_client: Client, network: dict[str, Contact], size: int, django_assert_num_queries
) -> None:
    grow(owner, size)
    # session, user, the contact; the snooze (savepoint, the state looked up and made in its own
    # savepoint, saved, released: seven); Today's five queries, four more than the acted section
    # alone took before: the total and the other sections' counts come from them
    with at(NOW), django_assert_num_queries(19):
        post_item(owner_client, network["red"], kind="cadence", action="snooze", days="3")


def test_undo_of_a_one_off_reminders_call_opens_it_again(
    owner: User, owner_client: Client, network: dict[str, Contact]
) -> None:
    """ "Call Anna on 15 January" done with a call in one click, then undone: the call is gone and
    the reminder back on Today, open."""
    person = network["one_off"]
    reminder = OneOffReminder.objects.get(contact=person)
    with at(NOW):
        response = owner_client.post(
            reverse("reminders:one_off_item", args=[reminder.pk]), {"log": Kind.CALL}, HTTP_HX_REQUEST="true"
        )
        action, token = undo_form(response.content.decode())
        reminder.refresh_from_db()
        assert reminder.done_at is not None
        assert person.first_name not in sections(owner)[ItemKind.ONE_OFF]

        undone = owner_client.post(action, {"token": token}, HTTP_HX_REQUEST="true")

    assert undone.status_code == 200
    reminder.refresh_from_db()
    assert reminder.done_at is None
    assert not Touchpoint.objects.filter(contact=person, happened_at=NOW).exists()
    assert person.first_name in sections(owner)[ItemKind.ONE_OFF]


def test_undo_of_a_snooze_brings_the_item_back_as_it_was(
    owner: User, owner_client: Client, network: dict[str, Contact]
) -> None:
    person = network["red"]
    with at(NOW):
        _response, action, token = log_on_today(
            owner_client, person, kind="cadence", action="snooze", days="3"
        )
        assert "Rot" not in sections(owner)[ItemKind.CADENCE]

        undone = owner_client.post(action, {"token": token}, HTTP_HX_REQUEST="true")

        assert "Rot" in sections(owner)[ItemKind.CADENCE]
    body = undone.content.decode()
    state = ReminderState.objects.get(owner=owner, contact=person)
    assert action == reverse("reminders:state_undo")
    assert state.snoozed_until is None
    assert body.lstrip().startswith('<section id="today-cadence"')
    assert "Undone: back on your list." in body


def test_undo_of_a_longer_snooze_keeps_the_earlier_one(
    owner: User, owner_client: Client, network: dict[str, Contact]
) -> None:
    person = network["red"]
    with at(NOW):
        post_item(owner_client, person, kind="cadence", action="snooze", days="1")
        _response, action, token = log_on_today(
            owner_client, person, kind="cadence", action="snooze", days="7"
        )
        owner_client.post(action, {"token": token}, HTTP_HX_REQUEST="true")

    state = ReminderState.objects.get(owner=owner, contact=person)
    assert state.snoozed_until == NOW.date() + DAY  # the one-day snooze, as before the second
    assert "Rot" not in sections(owner)[ItemKind.CADENCE]


def test_undo_of_a_snooze_is_the_owners_in_time_and_changes_nothing_otherwise(
    owner: User, owner_client: Client, stranger_client: Client, network: dict[str, Contact]
) -> None:
    person = network["red"]
    with at(NOW):
        _response, action, token = log_on_today(
            owner_client, person, kind="cadence", action="snooze", days="3"
        )
        stranger = stranger_client.post(action, {"token": token}, HTTP_HX_REQUEST="true")
        forged = owner_client.post(action, {"token": token + "x"}, HTTP_HX_REQUEST="true")
    with at(NOW + timedelta(seconds=undo.UNDO_SECONDS + 1)):
        late = owner_client.post(action, {"token": token}, HTTP_HX_REQUEST="true")

    assert "This cannot be undone." in stranger.content.decode()
    assert "This cannot be undone." in forged.content.decode()
    assert "Too late to undo" in late.content.decode()
    assert ReminderState.objects.get(owner=owner, contact=person).snoozed_until == NOW.date() + 3 * DAY


def test_undo_of_a_kept_promise_opens_it_again(
    owner: User, owner_client: Client, network: dict[str, Contact]
) -> None:
    person = network["promise"]
    promise = Touchpoint.objects.get(contact=person, promise="Artikel schicken")
    with at(NOW):
        response = owner_client.post(
            reverse("reminders:promise_item", args=[promise.pk]), {"action": "done"}, HTTP_HX_REQUEST="true"
        )
        action, token = undo_form(response.content.decode())
        promise.refresh_from_db()
        assert promise.promise_kept_at == NOW
        assert sections(owner)[ItemKind.PROMISE] == []

        undone = owner_client.post(action, {"token": token}, HTTP_HX_REQUEST="true")

        assert sections(owner)[ItemKind.PROMISE] == ["Versprechen"]
    promise.refresh_from_db()
    person.refresh_from_db()
    assert action == reverse("reminders:state_undo")
    assert promise.promise_kept_at is None
    assert (person.open_promises, person.kept_promises) == (1, 0)  # the summary as before
    body = undone.content.decode()
    assert body.lstrip().startswith('<section id="today-promise"')
    assert "Undone: back on your list." in body


def test_undo_of_a_one_off_reminder_done_without_a_touch_opens_it_again(
    owner: User, owner_client: Client, network: dict[str, Contact]
) -> None:
    person = network["one_off"]
    reminder = OneOffReminder.objects.get(contact=person)
    with at(NOW):
        response = owner_client.post(
            reverse("reminders:one_off_item", args=[reminder.pk]), {"action": "done"}, HTTP_HX_REQUEST="true"
        )
        action, token = undo_form(response.content.decode())
        assert sections(owner)[ItemKind.ONE_OFF] == []

        owner_client.post(action, {"token": token}, HTTP_HX_REQUEST="true")

        assert sections(owner)[ItemKind.ONE_OFF] == ["Erinnerung"]
    reminder.refresh_from_db()
    assert reminder.done_at is None
    assert not Touchpoint.objects.filter(contact=person, happened_at=NOW).exists()


def test_undo_of_a_done_gesture_without_a_touch_puts_its_state_back(
    owner: User, owner_client: Client, network: dict[str, Contact]
) -> None:
    person = network["birthday"]
    with at(NOW):
        _response, action, token = log_on_today(
            owner_client, person, kind="birthday", action="done", occasion="2026-11-28:card"
        )
        assert sections(owner)[ItemKind.BIRTHDAY] == []

        owner_client.post(action, {"token": token}, HTTP_HX_REQUEST="true")

        assert sections(owner)[ItemKind.BIRTHDAY] == ["Geburtstag"]
    state = ReminderState.objects.get(owner=owner, contact=person)
    assert (state.done_at, state.snoozed_until) == (None, None)


def test_a_state_token_is_refused_to_another_user(
    owner: User, owner_client: Client, stranger_client: Client, network: dict[str, Contact]
) -> None:
    person = network["birthday"]
    with at(NOW):
        _response, action, token = log_on_today(
            owner_client, person, kind="birthday", action="done", occasion="2026-11-28:card"
        )
        stranger_client.post(action, {"token": token}, HTTP_HX_REQUEST="true")

        assert sections(owner)[ItemKind.BIRTHDAY] == []


def test_a_state_undo_works_once_and_not_on_a_later_done(
    owner: User, owner_client: Client, network: dict[str, Contact]
) -> None:
    """Done, undone, done again: the first undo's token changes nothing any more (a second tab,
    a resent form), for a kept promise, a birthday gesture and a one-off reminder alike."""
    promise = Touchpoint.objects.get(contact=network["promise"], promise="Artikel schicken")
    reminder = OneOffReminder.objects.get(contact=network["one_off"])
    clicks = {
        ItemKind.PROMISE: (reverse("reminders:promise_item", args=[promise.pk]), {"action": "done"}),
        ItemKind.BIRTHDAY: (
            reverse("reminders:contact_item", args=[network["birthday"].pk]),
            {"kind": "birthday", "action": "done", "occasion": "2026-11-28:card"},
        ),
        ItemKind.ONE_OFF: (reverse("reminders:one_off_item", args=[reminder.pk]), {"action": "done"}),
    }
    for kind, (url, data) in clicks.items():
        with at(NOW):
            action, token = undo_form(owner_client.post(url, data, HTTP_HX_REQUEST="true").content.decode())
            owner_client.post(action, {"token": token}, HTTP_HX_REQUEST="true")
            assert sections(owner)[kind] != [], kind
        with at(NOW + MINUTE):
            owner_client.post(url, data, HTTP_HX_REQUEST="true")  # done again, a minute later
            replayed = owner_client.post(action, {"token": token}, HTTP_HX_REQUEST="true")

            assert sections(owner)[kind] == [], kind
        assert "This has changed since; nothing was undone." in replayed.content.decode()
    promise.refresh_from_db()
    reminder.refresh_from_db()
    assert promise.promise_kept_at == reminder.done_at == NOW + MINUTE


def test_a_state_undo_after_the_promise_was_kept_elsewhere_says_so(
    owner: User, owner_client: Client, network: dict[str, Contact]
) -> None:
    promise = Touchpoint.objects.get(contact=network["promise"], promise="Artikel schicken")
    url = reverse("reminders:promise_item", args=[promise.pk])
    with at(NOW):
        action, token = undo_form(
            owner_client.post(url, {"action": "done"}, HTTP_HX_REQUEST="true").content.decode()
        )
        ledger.edit_touch(promise, promise_kept_at=None)  # opened again on the contact page
        ledger.edit_touch(promise, promise_kept_at=NOW + MINUTE)  # and kept there later

        replayed = owner_client.post(action, {"token": token}, HTTP_HX_REQUEST="true")

    promise.refresh_from_db()
    assert promise.promise_kept_at == NOW + MINUTE
    assert "This has changed since; nothing was undone." in replayed.content.decode()
    state = ReminderState.objects.get(owner=owner, touchpoint=promise)
    assert state.done_at == NOW  # all of the undo or nothing: the state was not put back either
