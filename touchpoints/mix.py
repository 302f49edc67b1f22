"""R12, the mix matters: personal against digital touches per month, and R3's promise record."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Case, Count, DateField, Expression, Q, Value, When
from django.db.models.functions import TruncMonth

from touchpoints.kinds import PERSONAL_KINDS, QUALIFYING_KINDS
from touchpoints.models import OPEN_PROMISE, PROMISED, TouchpointQuerySet

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


def monthly_mix(
    touchpoints: TouchpointQuerySet, *, now: datetime, zone: ZoneInfo, months: int = 12
) -> list[MonthMix]:
    """Qualifying touches per local month, personal and digital, in one query; empty months too."""
    firsts = months_back(now, zone=zone, count=months)
    start = datetime(firsts[0].year, firsts[0].month, 1, tzinfo=zone)
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


def promise_records_by_owner(
    touchpoints: TouchpointQuerySet, *, today: Mapping[int, date]
) -> dict[int, PromiseRecord]:
    """`promise_record` for each owner of the touchpoints' contacts, in one query, each by
    their own local day (`today`, by owner id)."""
    owners_today = Case(
        *[When(contact__owner_id=owner, then=Value(day)) for owner, day in today.items()],
        output_field=DateField(),
    )
    rows = touchpoints.values("contact__owner_id").annotate(**_promise_counts(owners_today))
    return {
        row.pop("contact__owner_id"): PromiseRecord(**row)  # type: ignore[misc]
        for row in rows
    }


def weekly_mix_by_owner(
    touchpoints: TouchpointQuerySet, *, now: datetime, weeks: int = 12
) -> dict[int, list[tuple[int, int]]]:
    """R12 for many users at once: (personal, digital) qualifying touches in each of the last
    `weeks` seven-day spans, oldest first, per owner of the touchpoints' contacts; one query."""
    start = now - timedelta(days=7 * weeks)
    rows = (
        touchpoints.filter(happened_at__gt=start, happened_at__lte=now, kind__in=QUALIFYING_KINDS)
        .values("contact__owner_id", "happened_at", "kind")
        .order_by()
    )
    found: dict[int, list[list[int]]] = {}
    for row in rows.iterator(chunk_size=2000):
        series = found.setdefault(row["contact__owner_id"], [[0, 0] for _ in range(weeks)])
        week = min(int((row["happened_at"] - start) / timedelta(days=7)), weeks - 1)
        series[week][0 if row["kind"] in PERSONAL_KINDS else 1] += 1
    return {owner: [(personal, digital) for personal, digital in series] for owner, series in found.items()}
