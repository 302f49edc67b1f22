"""R12 channel mix per local month, and the R3 promise record."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.factories import ContactFactory
from touchpoints import ledger
from touchpoints.kinds import Kind
from touchpoints.mix import (
    PromiseRecord,
    chart_bars,
    monthly_mix,
    months_back,
    promise_record,
    promise_records_by_owner,
    week_starts,
    weekly_mix_by_owner,
)
from touchpoints.models import Touchpoint

BERLIN = ZoneInfo("Europe/Berlin")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


def test_months_back_crosses_the_year() -> None:
    assert months_back(at("2026-02-10 12:00"), zone=BERLIN, count=4) == [
        date(2025, 11, 1),
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]


def test_it_counts_personal_and_digital_touches_per_local_month(owner) -> None:
    contact = ContactFactory(owner=owner)
    for when, kind in [
        ("2026-03-31 23:30", Kind.CALL),  # still March in Berlin (21:30 UTC)
        ("2026-04-01 00:30", Kind.MEETING),  # April in Berlin, March in UTC
        ("2026-04-15 10:00", Kind.EMAIL),
        ("2026-04-16 10:00", Kind.REACTION),  # a like: not a touch
        ("2026-04-17 10:00", Kind.MASS_MAIL),  # nor a mass mail
        ("2026-06-02 10:00", Kind.MESSAGE),
    ]:
        ledger.log_touch(contact, kind=kind, happened_at=at(when))

    mix = monthly_mix(Touchpoint.objects.for_owner(owner), now=at("2026-06-30 12:00"), zone=BERLIN, months=5)

    assert [(m.month.month, m.personal, m.digital) for m in mix] == [
        (2, 0, 0),
        (3, 1, 0),
        (4, 1, 1),
        (5, 0, 0),
        (6, 0, 1),
    ]


def test_the_mix_is_per_owner(owner, stranger) -> None:
    ledger.log_touch(ContactFactory(owner=stranger), kind=Kind.CALL, happened_at=at("2026-06-01 10:00"))

    mix = monthly_mix(Touchpoint.objects.for_owner(owner), now=at("2026-06-30 12:00"), zone=BERLIN, months=1)

    assert mix[0].total == 0


def test_the_chart_scales_to_the_busiest_month() -> None:
    from touchpoints.mix import CHART_HEIGHT, MonthMix

    bars = chart_bars(
        [MonthMix(date(2026, 1, 1), 3, 1), MonthMix(date(2026, 2, 1), 1, 1), MonthMix(date(2026, 3, 1), 0, 0)]
    )

    assert bars[0].personal_height + bars[0].digital_height == CHART_HEIGHT
    assert bars[0].digital_y + bars[0].digital_height == bars[0].personal_y
    assert (bars[1].personal_height, bars[1].digital_height) == (15, 15)
    assert (bars[2].personal_height, bars[2].digital_height) == (0, 0)
    assert bars[1].x > bars[0].x


def test_the_promise_record_counts_kept_open_and_overdue(owner) -> None:
    contact = ContactFactory(owner=owner)
    for due, kept in [
        (date(2026, 5, 1), True),
        (date(2026, 5, 2), True),
        (date(2026, 5, 3), False),
        (date(2026, 7, 1), False),
    ]:
        ledger.log_touch(
            contact,
            kind=Kind.CALL,
            happened_at=at("2026-04-01 10:00"),
            promise="Unterlagen schicken",
            promise_due=due,
            promise_kept_at=at("2026-04-30 10:00") if kept else None,
        )

    record = promise_record(Touchpoint.objects.for_owner(owner), today=date(2026, 6, 1))

    assert (record.kept, record.open, record.overdue) == (2, 2, 1)
    assert record.kept_rate == 67  # 2 kept of the 3 that were due


def test_no_promise_due_yet_has_no_rate(owner) -> None:
    assert promise_record(Touchpoint.objects.for_owner(owner), today=date(2026, 6, 1)).kept_rate is None


def test_the_promise_records_of_many_owners_agree_with_each_owners_own(owner, stranger) -> None:
    today = date(2026, 11, 20)
    for user, dues in ((owner, [-3, -1, 0, 2, None]), (stranger, [-10, 5])):
        contact, other = ContactFactory(owner=user), ContactFactory(owner=user)
        for n, days in enumerate(dues):
            touch = ledger.log_touch(
                contact if n % 2 else other,
                kind=Kind.CALL,
                happened_at=at("2026-11-01 10:00"),
                promise=f"Versprechen {n}",
                promise_due=None if days is None else date.fromordinal(today.toordinal() + days),
            )
            if n == 0:
                ledger.edit_touch(touch, promise_kept_at=at("2026-11-02 10:00"))
        ledger.log_touch(contact, kind=Kind.EMAIL, happened_at=at("2026-11-03 10:00"))

    together = promise_records_by_owner({owner.pk: today, stranger.pk: date(2026, 11, 25)})

    assert together[owner.pk] == promise_record(Touchpoint.objects.for_owner(owner), today=today)
    assert together[stranger.pk] == promise_record(
        Touchpoint.objects.for_owner(stranger), today=date(2026, 11, 25)
    )
    assert together[owner.pk] == PromiseRecord(kept=1, open=4, overdue=1)


def test_the_weekly_mix_of_many_owners_counts_each_week_oldest_first(owner, stranger) -> None:
    now = at("2026-11-20 12:00")
    contact, theirs = ContactFactory(owner=owner), ContactFactory(owner=stranger)
    for days_ago, kind, whose in (
        (0, Kind.MEETING, contact),  # this week
        (6, Kind.EMAIL, contact),  # this week, its first day
        (7, Kind.CALL, contact),  # the week before
        (83, Kind.MESSAGE, contact),  # the oldest week
        (84, Kind.MEETING, contact),  # before the 12 weeks
        (1, Kind.REACTION, contact),  # does not qualify
        (2, Kind.CARD, theirs),
    ):
        ledger.log_touch(whose, kind=kind, happened_at=now - timedelta(days=days_ago))

    weeks = weekly_mix_by_owner(
        Touchpoint.objects.all(), now=now, zones={owner.pk: BERLIN, stranger.pk: BERLIN}
    )

    assert weeks[owner.pk] == [(0, 1), *[(0, 0)] * 9, (1, 0), (1, 1)]
    assert weeks[stranger.pk] == [*[(0, 0)] * 11, (1, 0)]


def test_the_weekly_mix_counts_each_owners_local_days(owner, stranger) -> None:
    """A touch half an hour after midnight in Berlin is still the evening before in New York:
    each owner's weeks are their own days, in one query for both zones."""
    now = at("2026-11-20 12:00")  # a Friday: the last week is Saturday 14 to Friday 20 November
    berlin, new_york = ContactFactory(owner=owner), ContactFactory(owner=stranger)
    just_after_midnight = datetime(2026, 11, 13, 23, 30, tzinfo=UTC)  # 14 November 00:30 in Berlin
    for contact in (berlin, new_york):
        ledger.log_touch(contact, kind=Kind.CALL, happened_at=just_after_midnight)
    zones = {owner.pk: BERLIN, stranger.pk: ZoneInfo("America/New_York")}

    weeks = weekly_mix_by_owner(Touchpoint.objects.all(), now=now, zones=zones)

    assert weeks[owner.pk] == [*[(0, 0)] * 11, (1, 0)]
    assert weeks[stranger.pk] == [*[(0, 0)] * 10, (1, 0), (0, 0)]
    assert week_starts(now, BERLIN)[-1] == date(2026, 11, 14)
