"""The rules at fixed dates: month ends, leap years and Europe/Berlin's DST days.

Intervals are counted in whole 24-hour days from the instant of the touch, so a DST change
shifts nothing: 30 days after 12:00 CET is 13:00 CEST on the local clock, still day 30.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from contacts import rules
from contacts.choices import Channel, Circle, ProspectStatus, Sorting
from contacts.models import Contact
from netzwerk.accounts.models import User

BERLIN = ZoneInfo("Europe/Berlin")


def at(text: str) -> datetime:
    """A Berlin wall-clock time, as users enter it."""
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


def owner(**settings: int) -> User:
    return User(email="regel@netzwerk.test", **settings)


def contact(**fields: object) -> Contact:
    defaults: dict[str, object] = {"created_at": at("2025-01-01 09:00"), "circle": Circle.STRONG}
    return Contact(**(defaults | fields))


# ---------------------------------------------------------------- R7 cadence

CADENCE_CASES = [
    # circle, last touch (Berlin), now (Berlin), expected: in the owner's calendar days, as the
    # page says them ("30 days ago", "every 30–45 days")
    (Circle.STRONG, "2026-01-01 12:00", "2026-01-31 23:59", "green"),  # the ideal 30th day, all of it
    (Circle.STRONG, "2026-01-01 23:59", "2026-02-01 00:00", "yellow"),  # 31 days from midnight on
    (Circle.STRONG, "2026-01-01 12:00", "2026-02-15 23:59", "yellow"),  # the maximum 45th day
    (Circle.STRONG, "2026-01-01 12:00", "2026-02-16 00:00", "red"),
    (Circle.STRONG, "2026-01-31 18:00", "2026-03-02 18:00", "green"),  # over a month end: 30 days
    (Circle.STRONG, "2028-01-31 18:00", "2028-03-01 18:00", "green"),  # leap year: 30 days incl. 29 Feb
    (Circle.STRONG, "2027-01-31 18:00", "2027-03-03 00:00", "yellow"),  # no 29 Feb: 31 days
    # DST starts 2026-03-29 (02:00 → 03:00), ends 2026-10-25 (03:00 → 02:00): a day is a day
    (Circle.STRONG, "2026-03-01 12:00", "2026-03-31 23:59", "green"),
    (Circle.STRONG, "2026-03-01 12:00", "2026-04-01 00:00", "yellow"),
    (Circle.STRONG, "2026-10-01 12:00", "2026-10-31 23:59", "green"),
    (Circle.STRONG, "2026-10-01 12:00", "2026-11-01 00:00", "yellow"),
    (Circle.REGULAR, "2026-01-01 12:00", "2026-04-01 12:00", "green"),  # 90 days
    (Circle.REGULAR, "2026-01-01 12:00", "2026-05-01 12:00", "yellow"),  # 120 days
    (Circle.REGULAR, "2026-01-01 12:00", "2026-05-02 00:00", "red"),
    (Circle.LOOSE, "2026-01-01 12:00", "2026-06-30 12:00", "green"),  # 180 days
    (Circle.LOOSE, "2026-01-01 12:00", "2027-01-01 12:00", "yellow"),  # 365 days
    (Circle.LOOSE, "2024-02-29 12:00", "2025-02-28 12:00", "yellow"),  # leap day + 365 days
    (Circle.LOOSE, "2024-02-29 12:00", "2025-03-01 00:00", "red"),
]


@pytest.mark.parametrize(("circle", "last", "now", "expected"), CADENCE_CASES)
def test_cadence_status(circle: str, last: str, now: str, expected: str) -> None:
    result = rules.cadence(contact(circle=circle, last_touch_at=at(last)), owner=owner(), now=at(now))

    assert result.status == expected


@pytest.mark.parametrize(
    ("last", "now", "days"),
    [
        ("2026-03-27 20:00", "2026-03-28 09:00", 1),  # yesterday evening: not "today" (13 h)
        ("2027-03-27 12:00", "2027-03-28 12:00", 1),  # across the spring change: 23 h, a day
        ("2027-02-26 20:00", "2027-04-01 08:00", 34),  # calendar days, not 33 × 24 h
        ("2026-05-01 00:10", "2026-05-01 23:50", 0),
    ],
)
def test_days_since_the_last_touch_are_the_owners_calendar_days(last: str, now: str, days: int) -> None:
    """What the page says ("1 day since the last touch"), and what the status counts."""
    touched = contact(last_touch_at=at(last))
    assert rules.cadence(touched, owner=owner(), now=at(now)).days_since == days
    with translation.override("en"):
        recency = rules.strength(touched, now=at(now), zone=BERLIN).parts[0]
    assert recency.explanation.startswith(f"last touch {days} day")


def test_a_contact_never_touched_counts_from_the_day_it_was_added() -> None:
    fresh = contact(created_at=at("2026-05-01 10:00"), last_touch_at=None)

    assert rules.cadence(fresh, owner=owner(), now=at("2026-05-20 10:00")).status == "green"
    assert rules.cadence(fresh, owner=owner(), now=at("2026-06-20 10:00")).status == "red"


def test_the_users_own_cadence_applies() -> None:
    touched = contact(last_touch_at=at("2026-01-01 12:00"))
    strict = owner(cadence_strong_ideal=7, cadence_strong_max=14)

    assert rules.cadence(touched, owner=strict, now=at("2026-01-10 12:00")).status == "yellow"
    assert rules.cadence(touched, owner=strict, now=at("2026-01-16 12:00")).status == "red"


# ---------------------------------------------------------------- R1 online-only

ONLINE_CASES = [
    # how met, first touch, personal touches, touches, now, expected (None = not online-only)
    (Channel.LINKEDIN, None, 0, 0, "2026-01-10 09:00", "waiting"),  # created 2026-01-01
    (Channel.LINKEDIN, None, 0, 0, "2026-01-15 09:00", "due"),  # exactly 14 days
    (Channel.LINKEDIN, None, 0, 0, "2026-01-15 08:59", "waiting"),
    (Channel.XING, "2025-12-20 09:00", 0, 1, "2026-01-03 09:00", "due"),  # first touch before adding
    (Channel.EVENT, None, 0, 0, "2026-06-01 09:00", None),  # met in person
    # met at an event, a club or a fair is met in person, even with only digital touches since
    (Channel.EVENT, "2026-01-02 09:00", 0, 2, "2026-01-20 09:00", None),
    (Channel.CLUB, "2026-01-02 09:00", 0, 2, "2026-01-20 09:00", None),
    (Channel.TRADE_FAIR, "2026-01-02 09:00", 0, 2, "2026-01-20 09:00", None),
    # only an online origin makes a contact online-only: digital touches alone do not
    (Channel.REFERRAL, "2026-01-02 09:00", 0, 2, "2026-01-20 09:00", None),
    ("", "2026-01-02 09:00", 0, 2, "2026-01-20 09:00", None),
    (Channel.LINKEDIN, "2026-01-02 09:00", 1, 3, "2026-06-01 09:00", None),  # had a personal touch
    (Channel.EMAIL, None, 0, 0, "2026-03-29 09:00", "due"),
    ("", None, 0, 0, "2026-03-29 09:00", None),  # unknown origin, no touches
]


@pytest.mark.parametrize(("how_met", "first", "personal", "touches", "now", "expected"), ONLINE_CASES)
def test_online_only(
    how_met: str, first: str | None, personal: int, touches: int, now: str, expected: str | None
) -> None:
    subject = contact(
        created_at=at("2026-01-01 09:00"),
        how_met=how_met,
        first_touch_at=at(first) if first else None,
        first_personal_touch_at=at("2026-01-05 09:00") if personal else None,
        personal_touch_count=personal,
        touch_count=touches,
    )

    result = rules.online_only(subject, owner=owner(), now=at(now))

    if expected is None:
        assert result is None
    else:
        assert result is not None
        assert result.is_due == (expected == "due")


def test_the_online_window_is_a_user_setting() -> None:
    subject = contact(created_at=at("2026-01-01 09:00"), how_met=Channel.LINKEDIN)

    result = rules.online_only(subject, owner=owner(online_window_days=3), now=at("2026-01-04 09:00"))

    assert result is not None
    assert result.is_due


@pytest.mark.parametrize(("how_met", "asked"), [("", True), (Channel.REFERRAL, True), (Channel.EVENT, False)])
def test_a_pursued_contact_is_asked_about_unless_met_in_person(how_met: str, asked: bool) -> None:
    subject = contact(created_at=at("2026-01-01 09:00"), how_met=how_met, sorting=Sorting.PURSUE)

    assert (rules.online_only(subject, owner=owner(), now=at("2026-06-01 09:00")) is not None) == asked


def test_an_archived_contact_is_never_online_only_due() -> None:
    subject = contact(how_met=Channel.LINKEDIN, archived_at=at("2026-01-02 09:00"))

    assert rules.online_only(subject, owner=owner(), now=at("2026-06-01 09:00")) is None


# ---------------------------------------------------------------- R6 seven touches

PROSPECT_CASES = [
    # touches, since, last touch, now, label, next due?, needs outcome?
    (0, "2026-02-20 10:00", None, "2026-03-01 10:00", "0/7", False, False),  # 9 days
    (0, "2026-02-20 10:00", None, "2026-03-02 10:00", "0/7", True, False),  # 10 days, over month end
    (3, "2026-01-01 10:00", "2026-02-19 10:00", "2026-03-01 10:00", "3/7", True, False),  # 2026: 10 days
    (3, "2028-01-01 10:00", "2028-02-19 10:00", "2028-02-29 09:59", "3/7", False, False),  # leap year
    (4, "2026-03-01 10:00", "2026-03-25 12:00", "2026-04-04 12:59", "4/7", False, False),  # over DST
    (4, "2026-03-01 10:00", "2026-03-25 12:00", "2026-04-04 13:00", "4/7", True, False),
    (7, "2026-01-01 10:00", "2026-02-01 10:00", "2026-02-02 10:00", "7/7", False, True),
    (9, "2026-01-01 10:00", "2026-02-01 10:00", "2026-02-02 10:00", "7/7", False, True),
]


@pytest.mark.parametrize(("touches", "since", "last", "now", "label", "due", "outcome"), PROSPECT_CASES)
def test_prospect_progress(
    touches: int, since: str, last: str | None, now: str, label: str, due: bool, outcome: bool
) -> None:
    subject = contact(
        prospect_status=ProspectStatus.PROSPECT,
        prospect_since=at(since),
        prospect_touches=touches,
        last_touch_at=at(last) if last else None,
    )

    result = rules.prospect_progress(subject, owner=owner(), now=at(now))

    assert result is not None
    assert (result.label, result.is_next_due, result.needs_outcome) == (label, due, outcome)


@pytest.mark.parametrize("status", [ProspectStatus.NONE, ProspectStatus.CUSTOMER, ProspectStatus.NOT_NOW])
def test_only_prospects_have_progress(status: str) -> None:
    subject = contact(prospect_status=status, prospect_since=at("2026-01-01 10:00"), prospect_touches=3)

    assert rules.prospect_progress(subject, owner=owner(), now=at("2026-02-01 10:00")) is None


def test_the_target_and_interval_are_user_settings() -> None:
    subject = contact(
        prospect_status=ProspectStatus.PROSPECT, prospect_since=at("2026-01-01 10:00"), prospect_touches=4
    )

    result = rules.prospect_progress(
        subject, owner=owner(prospect_target=5, prospect_interval_days=3), now=at("2026-01-04 10:00")
    )

    assert result is not None
    assert (result.label, result.is_next_due) == ("4/5", True)


# ---------------------------------------------------------------- R4, strength, R2


def test_asking_without_ever_giving_warns() -> None:
    assert rules.balance(contact(gives=0, asks=1)).warn_on_ask
    assert not rules.balance(contact(gives=2, asks=1)).warn_on_ask
    assert rules.balance(contact(gives=2, asks=5)).net == -3


def test_strength_is_zero_without_touches_and_explains_each_part() -> None:
    result = rules.strength(contact(), now=at("2026-01-01 10:00"))

    assert result.score == 0
    assert [part.name for part in result.parts] == ["recency", "frequency", "personal", "reciprocity"]
    assert sum(part.maximum for part in result.parts) == 100


def test_strength_rewards_recent_frequent_personal_mutual_contact() -> None:
    now = at("2026-06-01 10:00")
    close = contact(
        last_touch_at=now - timedelta(days=3),
        first_touch_at=now - timedelta(days=365),
        touch_count=24,
        personal_touch_count=18,
        their_touch_count=12,
        gives=3,
        asks=1,
    )
    distant = contact(
        last_touch_at=now - timedelta(days=300),
        first_touch_at=now - timedelta(days=700),
        touch_count=3,
        personal_touch_count=0,
        their_touch_count=0,
        gives=0,
        asks=2,
    )

    strong, weak = rules.strength(close, now=now), rules.strength(distant, now=now)

    assert strong.score == 40 + 25 + 15 + 15 - 0  # recency 39.7 → 40 rounded
    assert weak.score < 15
    assert {part.name: part.points for part in strong.parts} == {
        "recency": 40,
        "frequency": 25,
        "personal": 15,
        "reciprocity": 15,
    }


def test_swap_out_order_puts_longest_without_personal_touch_then_weakest_first() -> None:
    now = at("2026-06-01 10:00")
    recent = contact(pk=1, last_personal_touch_at=now - timedelta(days=5))
    old = contact(pk=2, last_personal_touch_at=now - timedelta(days=200))
    never_strong = contact(
        pk=3, last_touch_at=now - timedelta(days=1), first_touch_at=now - timedelta(days=90), touch_count=6
    )
    never_weak = contact(pk=4)

    order = rules.swap_out_order([recent, old, never_strong, never_weak], now=now)

    assert [c.pk for c in order] == [4, 3, 2, 1]


# ---------------------------------------------------------------- the same rule in SQL


@pytest.mark.django_db
@pytest.mark.parametrize(("circle", "last", "now", "expected"), CADENCE_CASES)
def test_the_list_ranks_cadence_in_sql_as_the_rule_does(
    circle: str, last: str, now: str, expected: str
) -> None:
    from tests.factories import ContactFactory, UserFactory

    user = UserFactory()
    stored = ContactFactory(owner=user, circle=Circle.REGULAR, last_touch_at=at(last))
    Contact.objects.filter(pk=stored.pk).update(circle=circle)  # a strong tie without the roster: fine here

    ranked = Contact.objects.for_owner(user).with_cadence_rank(user, now=at(now)).get()

    rank = {"green": 0, "yellow": 1, "red": 2}[expected]
    assert ranked.cadence_rank == rank  # type: ignore[attr-defined]
    assert rules.cadence(ranked, owner=user, now=at(now)).status == expected


# ---------------------------------------------------------------- R1, R7 once sorted (imports)

# An imported LinkedIn connection: added (connected) in 2018, its messages from 2019.
CONNECTED = "2018-03-01 09:00"

SORTED_CADENCE_CASES = [
    # circle, last touch, sorted, now, expected (all Berlin; the owner's calendar days)
    (Circle.REGULAR, "2019-05-01 12:00", "2026-01-01 12:00", "2026-01-02 12:00", "green"),  # from sorting
    # 90 days, over the start of summer time (2026-03-29)
    (Circle.REGULAR, "2019-05-01 12:00", "2026-01-01 12:00", "2026-04-01 23:59", "green"),
    (Circle.REGULAR, "2019-05-01 12:00", "2026-01-01 12:00", "2026-04-02 00:00", "yellow"),
    (Circle.REGULAR, "2019-05-01 12:00", "2026-01-01 12:00", "2026-05-02 00:00", "red"),  # past 120
    (Circle.REGULAR, "2026-03-01 12:00", "2026-01-01 12:00", "2026-05-30 23:59", "green"),  # a later touch
    (Circle.REGULAR, "2026-03-01 12:00", "2026-01-01 12:00", "2026-05-31 00:00", "yellow"),
    (Circle.LOOSE, None, "2026-01-01 12:00", "2026-06-30 23:59", "green"),  # never touched: 180 days
    (Circle.LOOSE, None, "2026-01-01 12:00", "2026-07-01 00:00", "yellow"),
    (Circle.LOOSE, None, None, "2026-01-02 12:00", "red"),  # not sorted: from 2018 (Today leaves it out)
    # sorted over the DST change (2026-03-29): 30 days
    (Circle.STRONG, "2019-05-01 12:00", "2026-03-01 12:00", "2026-03-31 23:59", "green"),
    (Circle.STRONG, "2019-05-01 12:00", "2026-03-01 12:00", "2026-04-01 00:00", "yellow"),
]


def imported(*, sorted_at: str | None, sorting: str = "regular", **fields: object) -> Contact:
    return contact(
        created_at=at(CONNECTED),
        sorting=sorting if sorted_at else "unsorted",
        sorted_at=at(sorted_at) if sorted_at else None,
        **fields,
    )


@pytest.mark.parametrize(("circle", "last", "sorted_at", "now", "expected"), SORTED_CADENCE_CASES)
def test_cadence_counts_from_sorting_at_the_earliest(
    circle: str, last: str | None, sorted_at: str | None, now: str, expected: str
) -> None:
    subject = imported(sorted_at=sorted_at, circle=circle, last_touch_at=at(last) if last else None)

    result = rules.cadence(subject, owner=owner(), now=at(now))

    assert result.status == expected
    assert result.since_sorted == (sorted_at is not None and (last is None or last < sorted_at))


ONLINE_SORTED_CASES = [
    # sorting, circle, first touch (a message), sorted, now, expected (None = not online-only)
    ("unsorted", Circle.LOOSE, None, None, "2026-01-15 09:00", None),  # waits: no rule asks
    ("unsorted", Circle.LOOSE, "2019-05-01 09:00", None, "2026-01-15 09:00", None),
    ("pursue", Circle.LOOSE, None, "2026-01-01 09:00", "2026-01-15 08:59", "waiting"),  # from sorting
    ("pursue", Circle.LOOSE, None, "2026-01-01 09:00", "2026-01-15 09:00", "due"),
    ("pursue", Circle.LOOSE, "2019-05-01 09:00", "2026-01-01 09:00", "2026-01-15 09:00", "due"),
    # sorted as anything but "pursue": their own rules speak for them, not R1
    ("regular", Circle.REGULAR, "2019-05-01 09:00", "2026-01-01 09:00", "2026-01-15 09:00", None),
    ("prospect", Circle.LOOSE, "2019-05-01 09:00", "2026-01-01 09:00", "2026-01-14 09:00", None),
    ("loose", Circle.LOOSE, None, "2026-01-01 09:00", "2026-06-01 09:00", None),  # kept loose: not pursued
    # a strong tie never waits (promoting it was the decision): the window counts from 2018
    ("unsorted", Circle.STRONG, None, None, "2026-01-15 09:00", "due"),
    ("", Circle.LOOSE, None, None, "2018-03-15 09:00", "due"),  # added by hand: as before
]


@pytest.mark.parametrize(("sorting", "circle", "first", "sorted_at", "now", "expected"), ONLINE_SORTED_CASES)
def test_online_only_once_sorted(
    sorting: str, circle: str, first: str | None, sorted_at: str | None, now: str, expected: str | None
) -> None:
    subject = contact(
        created_at=at(CONNECTED),
        how_met=Channel.LINKEDIN,
        circle=circle,
        sorting=sorting,
        sorted_at=at(sorted_at) if sorted_at else None,
        first_touch_at=at(first) if first else None,
        touch_count=1 if first else 0,
    )

    result = rules.online_only(subject, owner=owner(), now=at(now))

    if expected is None:
        assert result is None
        return
    assert result is not None
    assert result.is_due == (expected == "due")
    assert result.since == rules.first_contact_at(subject)  # the page shows the real first contact
    assert result.since <= at(first or CONNECTED)


@pytest.mark.parametrize(("sorting", "expected"), [("pursue", True), ("regular", False), ("loose", False)])
def test_pursue_asks_for_a_meeting_whatever_the_origin(sorting: str, expected: bool) -> None:
    """A phone contact (no online origin, no touch) sorted as "pursue": meet within the window."""
    subject = contact(created_at=at(CONNECTED), how_met="", sorting=sorting, sorted_at=at("2026-01-01 09:00"))

    result = rules.online_only(subject, owner=owner(), now=at("2026-01-15 09:00"))

    assert (result is not None and result.is_due) == expected


def test_a_contact_waits_to_be_sorted_only_while_unsorted_and_not_a_strong_tie() -> None:
    assert rules.waits_to_be_sorted(contact(sorting="unsorted", circle=Circle.LOOSE))
    assert not rules.waits_to_be_sorted(contact(sorting="unsorted", circle=Circle.STRONG))
    assert not rules.waits_to_be_sorted(contact(sorting="regular", circle=Circle.LOOSE))
    assert not rules.waits_to_be_sorted(contact(sorting="", circle=Circle.LOOSE))


@pytest.mark.django_db
@pytest.mark.parametrize(("circle", "last", "sorted_at", "now", "expected"), SORTED_CADENCE_CASES)
def test_the_list_ranks_a_sorted_cadence_in_sql_as_the_rule_does(
    circle: str, last: str | None, sorted_at: str | None, now: str, expected: str
) -> None:
    from tests.factories import ContactFactory, UserFactory

    user = UserFactory()
    stored = ContactFactory(owner=user, circle=Circle.REGULAR)
    Contact.objects.filter(pk=stored.pk).update(  # a strong tie without the roster: fine here
        circle=circle,
        created_at=at(CONNECTED),
        last_touch_at=at(last) if last else None,
        sorting="regular" if sorted_at else "unsorted",
        sorted_at=at(sorted_at) if sorted_at else None,
    )

    ranked = Contact.objects.for_owner(user).with_cadence_rank(user, now=at(now)).get()

    assert ranked.cadence_rank == {"green": 0, "yellow": 1, "red": 2}[expected]  # type: ignore[attr-defined]
    assert ranked.cadence_reference == rules.cadence_reference(ranked)
    assert rules.cadence(ranked, owner=user, now=at(now)).status == expected
