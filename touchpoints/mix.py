"""R12, the mix matters: personal against digital touches per month, and R3's promise record."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import (
    Case,
    Count,
    Expression,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncMonth

from contacts.models import Contact
from touchpoints.kinds import PERSONAL_KINDS, QUALIFYING_KINDS
from touchpoints.models import OPEN_PROMISE, PROMISED, Touchpoint, TouchpointQuerySet

CHART_HEIGHT = 60
BAR_WIDTH = 14
BAR_GAP = 6


@dataclass(frozen=True)
class MonthMix:
    month: date
    personal: int
    digital: int

    @property
    def total(self) -> int:
        return self.personal + self.digital

    @property
    def personal_share(self) -> int | None:
        """Personal touches as a percentage of all; None without touches."""
        return round(100 * self.personal / self.total) if self.total else None


@dataclass(frozen=True)
class Bar:
    """One month's column of the chart, in SVG user units (the top is y = 0)."""

    mix: MonthMix
    x: int
    personal_y: int
    personal_height: int
    digital_y: int
    digital_height: int


def months_back(now: datetime, *, zone: ZoneInfo, count: int) -> list[date]:
    """The first days of the last `count` months in `zone`, oldest first, this month last."""
    local = now.astimezone(zone)
    year, month = local.year, local.month
    firsts = []
    for _ in range(count):
        firsts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return firsts[::-1]


def window_start(now: datetime, *, zone: ZoneInfo, months: int = 12) -> datetime:
    """The start of the first of the last `months` local months: the window of the mix."""
    first = months_back(now, zone=zone, count=months)[0]
    return datetime(first.year, first.month, 1, tzinfo=zone)


def monthly_mix(
    touchpoints: TouchpointQuerySet, *, now: datetime, zone: ZoneInfo, months: int = 12
) -> list[MonthMix]:
    """Qualifying touches per local month, personal and digital, in one query; empty months too."""
    firsts = months_back(now, zone=zone, count=months)
    start = window_start(now, zone=zone, months=months)
    rows = (
        touchpoints.filter(happened_at__gte=start, happened_at__lte=now, kind__in=QUALIFYING_KINDS)
        .annotate(month=TruncMonth("happened_at", tzinfo=zone))
        .values("month")
        .annotate(
            personal=Count("pk", filter=Q(kind__in=PERSONAL_KINDS)),
            digital=Count("pk", filter=~Q(kind__in=PERSONAL_KINDS)),
        )
    )
    counts = {
        row["month"].date() if isinstance(row["month"], datetime) else row["month"]: row for row in rows
    }
    return [
        MonthMix(first, counts[first]["personal"], counts[first]["digital"])
        if first in counts
        else MonthMix(first, 0, 0)
        for first in firsts
    ]


def overall(mix: list[MonthMix]) -> MonthMix:
    """The months added up, dated by the first."""
    return MonthMix(
        mix[0].month if mix else date.min,
        sum(month.personal for month in mix),
        sum(month.digital for month in mix),
    )


def chart_bars(mix: list[MonthMix]) -> list[Bar]:
    """Stacked columns scaled to the busiest month: personal at the bottom, digital above."""
    tallest = max((month.total for month in mix), default=0) or 1
    bars = []
    for index, month in enumerate(mix):
        personal = round(CHART_HEIGHT * month.personal / tallest)
        digital = round(CHART_HEIGHT * month.digital / tallest)
        bars.append(
            Bar(
                mix=month,
                x=index * (BAR_WIDTH + BAR_GAP),
                personal_y=CHART_HEIGHT - personal,
                personal_height=personal,
                digital_y=CHART_HEIGHT - personal - digital,
                digital_height=digital,
            )
        )
    return bars


def chart_width(bars: list[Bar]) -> int:
    return max(len(bars) * (BAR_WIDTH + BAR_GAP) - BAR_GAP, 1)


@dataclass(frozen=True)
class PromiseRecord:
    kept: int
    open: int
    overdue: int

    @property
    def kept_rate(self) -> int | None:
        """Kept promises as a percentage of those due by now (kept or overdue); None before any."""
        due = self.kept + self.overdue
        return round(100 * self.kept / due) if due else None


def _promise_counts(today: date | Expression) -> dict[str, Count]:
    return {
        "kept": Count("pk", filter=PROMISED & Q(promise_kept_at__isnull=False)),
        "open": Count("pk", filter=OPEN_PROMISE),
        "overdue": Count("pk", filter=OPEN_PROMISE & Q(promise_due__lt=today)),
    }


def promise_record(touchpoints: TouchpointQuerySet, *, today: date) -> PromiseRecord:
    """R3: open, kept and overdue promises, in one query."""
    return PromiseRecord(**touchpoints.aggregate(**_promise_counts(today)))


@dataclass(frozen=True)
class PromisesMade:
    """R3 over a period: promises made in it, and how many of those are kept by now."""

    made: int
    kept: int

    @property
    def kept_rate(self) -> int | None:
        return round(100 * self.kept / self.made) if self.made else None


def promises_made(touchpoints: TouchpointQuerySet, *, since: datetime, now: datetime) -> PromisesMade:
    """Promises made on touches from `since` to `now`, and the kept ones among them, in one query."""
    counts = touchpoints.filter(happened_at__gte=since, happened_at__lte=now).aggregate(
        made=Count("pk", filter=PROMISED),
        kept=Count("pk", filter=PROMISED & Q(promise_kept_at__isnull=False)),
    )
    return PromisesMade(made=counts["made"], kept=counts["kept"])


def promise_records_by_owner(today: Mapping[int, date]) -> dict[int, PromiseRecord]:
    """`promise_record` for each owner in `today` (owner id: their local day), in one query.

    Kept and open promises are the contacts' own counts (`kept_promises`, `open_promises`, kept
    by the ledger), added up per owner; only overdue ones depend on the day, so only contacts
    with an open promise look theirs up, through the open promises' index. Counting all
    promises of every contact instead read each contact's touches (measured at 100 clients of
    100 contacts among 1.7 million touches: 100 ms against under 10 ms).
    """
    if not today:
        return {}
    by_day: dict[date, list[int]] = {}
    for owner, day in today.items():
        by_day.setdefault(day, []).append(owner)
    overdue = Case(
        *(
            When(owner_id__in=owners, open_promises__gt=0, then=_overdue_before(day))
            for day, owners in by_day.items()
        ),
        default=Value(0),
        output_field=IntegerField(),
    )
    rows = (
        Contact.objects.filter(owner_id__in=list(today))
        .order_by()
        .values("owner_id")
        .annotate(kept=Sum("kept_promises"), open=Sum("open_promises"), overdue=Sum(overdue))
    )
    return {
        row["owner_id"]: PromiseRecord(
            kept=row["kept"] or 0, open=row["open"] or 0, overdue=row["overdue"] or 0
        )
        for row in rows
    }


def _overdue_before(day: date) -> Subquery:
    """The count of the outer contact's open promises due before `day`, as a subquery."""
    return Subquery(
        Touchpoint.objects.filter(OPEN_PROMISE, contact_id=OuterRef("pk"), promise_due__lt=day)
        .order_by()
        .values("contact_id")
        .annotate(overdue=Count("contact_id"))  # in the index: an index-only scan
        .values("overdue")
    )


def week_starts(now: datetime, zone: ZoneInfo, *, weeks: int = 12) -> list[date]:
    """The first day of each week `weekly_mix_by_owner` counts for an owner in `zone`, oldest
    first: seven-day spans of their local days, the last ending on their today."""
    first = now.astimezone(zone).date() - timedelta(days=7 * weeks - 1)
    return [first + timedelta(days=7 * week) for week in range(weeks)]


def week_boundaries(now: datetime, zone: ZoneInfo, *, weeks: int = 12) -> list[datetime]:
    """The instants the weeks of `week_starts` begin: each first day's local midnight (the first
    instant of that day, in a gap or an overlap of daylight saving time too)."""
    return [datetime.combine(first, time(), tzinfo=zone) for first in week_starts(now, zone, weeks=weeks)]


def weekly_mix_by_owner(
    touchpoints: TouchpointQuerySet, *, now: datetime, zones: Mapping[int, ZoneInfo], weeks: int = 12
) -> dict[int, list[tuple[int, int]]]:
    """R12 for many users at once: (personal, digital) qualifying touches in each of the last
    `weeks` weeks of each owner's local days (`week_starts`), per owner in `zones` (owner id to
    time zone); one query whatever the number of owners and zones.

    The database counts per owner and week, each touch's week found by comparing its instant with
    its owner's week boundaries (a CASE per zone): at 100 clients that is 1,200 rows at most,
    where counting per local day returned 6,000 rows for Python to add up into weeks. The owner
    is tested once per zone, not once per boundary: each test reads the list of owners.
    """
    if not zones:
        return {}
    by_zone: dict[str, list[int]] = {}
    for owner, zone in zones.items():
        by_zone.setdefault(zone.key, []).append(owner)
    boundaries = {key: week_boundaries(now, ZoneInfo(key), weeks=weeks) for key in by_zone}
    week_in = {  # the latest boundary the touch is past, for an owner in each zone
        key: Case(
            *(When(happened_at__gte=starts[index], then=Value(index)) for index in reversed(range(weeks))),
            output_field=IntegerField(),
        )
        for key, starts in boundaries.items()
    }
    # One zone needs no test of the owner (the filter has them); several, one test per zone.
    week = (
        next(iter(week_in.values()))
        if len(week_in) == 1
        else Case(
            *(When(contact__owner_id__in=by_zone[key], then=case) for key, case in week_in.items()),
            output_field=IntegerField(),
        )
    )
    first = min(starts[0] for starts in boundaries.values())
    rows = (
        touchpoints.filter(
            contact__owner_id__in=list(zones),
            # a contact last touched before the weeks has no touch in them: its index is not read
            contact__last_touch_at__gte=first,
            happened_at__gte=first,
            happened_at__lte=now,
            kind__in=QUALIFYING_KINDS,
        )
        .annotate(week=week)
        .values("contact__owner_id", "week")
        .annotate(  # counting the kind, not the key: the contact's index with the kind is enough
            personal=Count("kind", filter=Q(kind__in=PERSONAL_KINDS)),
            digital=Count("kind", filter=~Q(kind__in=PERSONAL_KINDS)),
        )
        .order_by()
    )
    found = {owner: [(0, 0)] * weeks for owner in zones}
    for row in rows:
        if row["week"] is not None:  # None: before its owner's first week, in an earlier zone's
            found[row["contact__owner_id"]][row["week"]] = (row["personal"], row["digital"])
    return found
