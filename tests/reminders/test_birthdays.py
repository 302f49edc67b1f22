"""R8 at fixed dates: gestures ahead of birthdays, year ends, 29 February, and the query that finds them."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from netzwerk.accounts.models import User
from reminders import due, items
from reminders.birthdays import (
    DEFAULT_LEAD_DAYS,
    Gesture,
    age_on,
    celebrated_on,
    gestures_due,
    lead_days_of,
    next_celebration,
)
from reminders.models import ItemKind
from tests.factories import ContactFactory
from touchpoints.kinds import Kind

GIFT, CARD, CALL = Gesture.GIFT, Gesture.CARD, Gesture.CALL


@pytest.mark.parametrize(
    ("month", "day", "year", "expected"),
    [
        (2, 29, 2028, date(2028, 2, 29)),  # leap year
        (2, 29, 2027, date(2027, 2, 28)),  # otherwise on the 28th
        (2, 29, 2100, date(2100, 2, 28)),  # 2100 is no leap year
        (2, 29, 2000, date(2000, 2, 29)),  # 2000 is
        (12, 31, 2026, date(2026, 12, 31)),
        (3, 1, 2027, date(2027, 3, 1)),
    ],
)
def test_it_celebrates_on_the_day_or_on_28_february(month: int, day: int, year: int, expected: date) -> None:
    assert celebrated_on(month, day, year) == expected


@pytest.mark.parametrize(
    ("month", "day", "today", "expected"),
    [
        (11, 23, date(2026, 11, 23), date(2026, 11, 23)),  # today counts
        (11, 22, date(2026, 11, 23), date(2027, 11, 22)),  # yesterday: next year
        (1, 2, date(2026, 12, 28), date(2027, 1, 2)),  # over the year end
        (2, 29, date(2027, 1, 10), date(2027, 2, 28)),
        (2, 29, date(2027, 3, 1), date(2028, 2, 29)),
    ],
)
def test_it_finds_the_next_celebration(month: int, day: int, today: date, expected: date) -> None:
    assert next_celebration(month, day, today=today) == expected


# birthday (month, day), today, the gestures due that day: each from its lead day to the next's
GESTURE_TABLE = [
    ((12, 4), date(2026, 11, 23), []),  # 11 days ahead: nothing yet
    ((12, 3), date(2026, 11, 23), [GIFT]),  # 10 days ahead
    ((11, 29), date(2026, 11, 23), [GIFT]),  # 6: the gift's last day
    ((11, 28), date(2026, 11, 23), [CARD]),  # 5 days ahead
    ((11, 24), date(2026, 11, 23), [CARD]),  # 1: the card's last day
    ((11, 23), date(2026, 11, 23), [CALL]),  # on the day
    ((11, 22), date(2026, 11, 23), []),  # yesterday: next year's is far off
    ((1, 2), date(2026, 12, 23), [GIFT]),  # over the year end
    ((1, 2), date(2026, 12, 28), [CARD]),
    ((1, 2), date(2027, 1, 2), [CALL]),
    ((2, 29), date(2027, 2, 28), [CALL]),  # no 29 February in 2027
    ((2, 29), date(2027, 2, 23), [CARD]),
    ((2, 29), date(2027, 2, 18), [GIFT]),
    ((2, 29), date(2027, 2, 17), []),
    ((2, 29), date(2028, 2, 28), [CARD]),  # 2028 has one: the call is a day later
    ((2, 29), date(2028, 2, 29), [CALL]),
    ((3, 1), date(2027, 2, 19), [GIFT]),  # 10 days before 1 March in a common year
    ((3, 1), date(2028, 2, 20), [GIFT]),  # and in a leap year
    ((3, 1), date(2028, 2, 19), []),
]


@pytest.mark.parametrize(("birthday", "today", "expected"), GESTURE_TABLE)
def test_gestures_lead_the_birthday(birthday: tuple[int, int], today: date, expected: list[Gesture]) -> None:
    due = gestures_due(*birthday, today=today, lead_days=DEFAULT_LEAD_DAYS)

    assert [item.gesture for item in due] == expected


def test_the_users_lead_times_go_longest_first(owner: User) -> None:
    owner.birthday_gift_days, owner.birthday_card_days, owner.birthday_call_days = 3, 14, 0

    assert list(lead_days_of(owner).items()) == [(CARD, 14), (GIFT, 3), (CALL, 0)]


def test_lead_times_may_coincide() -> None:
    leads = {GIFT: 3, CARD: 3, CALL: 0}

    due = gestures_due(11, 26, today=date(2026, 11, 23), lead_days=leads)

    assert [(item.gesture, item.celebration) for item in due] == [
        (GIFT, date(2026, 11, 26)),
        (CARD, date(2026, 11, 26)),
    ]


def test_each_gesture_logs_its_touch() -> None:
    kinds = [
        item.kind
        for item in gestures_due(11, 23, today=date(2026, 11, 23), lead_days={GIFT: 0, CARD: 0, CALL: 0})
    ]

    assert kinds == [Kind.BIRTHDAY_GIFT, Kind.CARD, Kind.CALL]


@pytest.mark.parametrize(
    ("year", "celebration", "expected"), [(1968, date(2026, 9, 15), 58), (None, date(2026, 9, 15), None)]
)
def test_the_age_needs_a_year(year: int | None, celebration: date, expected: int | None) -> None:
    assert age_on(year, celebration) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(("birthday", "today", "expected"), GESTURE_TABLE)
def test_the_query_finds_exactly_the_contacts_with_a_gesture_due(
    owner, birthday: tuple[int, int], today: date, expected: list[Gesture]
) -> None:
    """Today's birthday query and `gestures_due` agree over the whole table, with decoys on nearby days."""
    month, day = birthday
    contacts = [
        ContactFactory(owner=owner, first_name="Geburtstag", birthday_month=month, birthday_day=day),
        ContactFactory(owner=owner, first_name="Ohne"),
        *(
            ContactFactory(owner=owner, first_name="Anderer", birthday_month=m, birthday_day=d)
            for m, d in [(1, 1), (6, 15), (10, 31)]
        ),
    ]
    noon = datetime.combine(today, time(12), tzinfo=owner.zone)

    section = due.section_for(owner, ItemKind.BIRTHDAY, now=noon, limit=items.SHOWN_ALL)

    found = {
        (item.contact.pk, item.gesture.gesture) for item in section.items if item.contact and item.gesture
    }
    wanted = {
        (contact.pk, gesture.gesture)
        for contact in contacts
        if contact.birthday_month and contact.birthday_day
        for gesture in gestures_due(
            contact.birthday_month, contact.birthday_day, today=today, lead_days=DEFAULT_LEAD_DAYS
        )
    }
    assert found == wanted
    assert {gesture for pk, gesture in found if pk == contacts[0].pk} == set(expected)
