"""Today is kept in the cache until something it shows may change: each change below, made
after the page was seen, is on the page at the next request, exactly as computed afresh."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from contacts import rules
from contacts.models import Circle, Contact
from netzwerk.accounts.models import User
from reminders import due
from reminders.models import Reminder
from tests.reminders.conftest import DAY, NOW, at, contact
from touchpoints import ledger
from touchpoints.kinds import Kind
from touchpoints.models import Touchpoint

SEEN = NOW - timedelta(hours=1)  # the network's windows pass on whole days from NOW
LATER = SEEN + timedelta(minutes=5)

Change = Callable[[User, Client, dict[str, Contact]], None]


def log_a_touch(owner: User, client: Client, network: dict[str, Contact]) -> None:
    ledger.log_touch(network["red"], kind=Kind.CALL, happened_at=LATER)


def snooze_on_the_page(owner: User, client: Client, network: dict[str, Contact]) -> None:
    url = reverse("reminders:contact_item", args=[network["yellow"].pk])
    client.post(url, {"kind": Reminder.CADENCE, "days": "3"})


def mark_done_on_the_page(owner: User, client: Client, network: dict[str, Contact]) -> None:
    url = reverse("reminders:contact_item", args=[network["online"].pk])
    client.post(url, {"kind": Reminder.ONLINE_ONLY, "action": "done"})


def keep_the_promise(owner: User, client: Client, network: dict[str, Contact]) -> None:
    touch = Touchpoint.objects.get(contact=network["promise"])
    ledger.edit_touch(touch, promise_kept_at=LATER)


def change_a_circle(owner: User, client: Client, network: dict[str, Contact]) -> None:
    yellow = network["yellow"]
    yellow.circle = Circle.LOOSE  # a loose contact's cadence is longer: it is not due any more
    yellow.save()


def archive_a_contact(owner: User, client: Client, network: dict[str, Contact]) -> None:
    network["prospect"].archive(now=LATER)


def delete_a_contact(owner: User, client: Client, network: dict[str, Contact]) -> None:
    network["birthday"].delete()


def change_a_setting(owner: User, client: Client, network: dict[str, Contact]) -> None:
    owner.birthday_card_days = 2  # the card for the birthday in five days is not due yet
    owner.save(update_fields=["birthday_card_days"])


def record_the_review(owner: User, client: Client, network: dict[str, Contact]) -> None:
    client.post(reverse("reminders:roster_review"))


CHANGES = [
    log_a_touch,
    snooze_on_the_page,
    mark_done_on_the_page,
    keep_the_promise,
    change_a_circle,
    archive_a_contact,
    delete_a_contact,
    change_a_setting,
    record_the_review,
]


def shown(client: Client, moment: datetime) -> due.Today:
    with at(moment):
        response = client.get(reverse("reminders:today"))
    assert response.status_code == 200
    today: due.Today = response.context["today"]
    return today


def keys(today: due.Today) -> list[tuple[str, int, list[str]]]:
    return [(section.kind, section.total, [item.key for item in section.items]) for section in today.sections]


@pytest.mark.parametrize("change", CHANGES, ids=lambda change: change.__name__)
def test_a_change_shows_at_the_next_request(
    owner: User, owner_client: Client, network: dict[str, Contact], change: Change
) -> None:
    before = shown(owner_client, SEEN)
    assert keys(shown(owner_client, SEEN + timedelta(minutes=1))) == keys(before)  # kept

    with at(LATER):
        change(owner, owner_client, network)
    owner.refresh_from_db()
    after = shown(owner_client, LATER + timedelta(seconds=1))

    assert keys(after) == keys(due.today_for(owner, now=LATER + timedelta(seconds=1)))
    assert keys(after) != keys(before)


def test_a_window_passing_shows_without_any_change(
    owner: User, owner_client: Client, network: dict[str, Contact]
) -> None:
    """A regular contact turns yellow an hour after NOW: the kept list ends then."""
    ideal = owner.cadence(Circle.REGULAR)[0]
    soon = contact(owner, "Bald", touched=ideal * DAY - timedelta(hours=1), circle=Circle.REGULAR)
    yellow_from = rules.cadence(soon, owner=owner, now=NOW).yellow_from
    assert yellow_from == NOW + timedelta(hours=1)

    before = shown(owner_client, yellow_from - timedelta(minutes=1))
    after = shown(owner_client, yellow_from + timedelta(seconds=1))

    assert soon.pk not in [item.contact.pk for item in before.sections[0].items if item.contact]
    assert soon.pk in [item.contact.pk for item in after.sections[0].items if item.contact]


def test_the_next_day_shows_the_next_gesture(
    owner: User, owner_client: Client, network: dict[str, Contact]
) -> None:
    """Birthdays move on at local midnight (Berlin): the card on the 23rd, the same card on the
    24th with one day less to go; the days ahead are what the page says."""
    midnight = datetime(2026, 11, 23, 23, 0, tzinfo=NOW.tzinfo)  # 24 November, 00:00 in Berlin
    before = shown(owner_client, midnight - timedelta(seconds=1))
    after = shown(owner_client, midnight + timedelta(seconds=1))

    assert [item.ahead for item in before.sections[1].items] == [5]
    assert [item.ahead for item in after.sections[1].items] == [4]
    assert after.day == before.day + DAY


def test_days_ago_tick_over_on_the_kept_list(
    owner: User, owner_client: Client, network: dict[str, Contact]
) -> None:
    """The red contact's last touch was 50 days before NOW: 49 days ago until NOW, then 50."""
    red = network["red"].pk

    def days_since(today: due.Today) -> list[int]:
        return [
            item.cadence.days_since
            for item in today.sections[0].items
            if item.cadence and item.contact and item.contact.pk == red
        ]

    assert days_since(shown(owner_client, NOW - timedelta(seconds=1))) == [49]
    assert days_since(shown(owner_client, NOW + timedelta(seconds=1))) == [50]
