"""The coach's client overview: each client's network health, in a fixed number of queries.

One query each for the clients, their contacts' health (`reminders.health.network_health`), their
promises, their touches of the last 12 weeks and their last roster reviews: six with the access
log, whether the coach has one client or a hundred.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Max
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from netzwerk.accounts.models import CoachLink, CoachLinkQuerySet, Sharing, User
from reminders.health import Health, network_health
from reminders.models import RosterReview
from touchpoints.mix import PromiseRecord, promise_records_by_owner, weekly_mix_by_owner
from touchpoints.models import Touchpoint

WEEKS = 12


@dataclass(frozen=True)
class ClientRow:
    client: User
    sharing: Sharing
    health: Health
    promises: PromiseRecord
    weeks: list[tuple[int, int]]
    last_review: datetime | None

    @property
    def last_review_day(self) -> date | None:
        """The day of the last roster review in the client's time zone (not the coach's)."""
        return None if self.last_review is None else self.client.local_date(self.last_review)

    @property
    def cap(self) -> int:
        return self.client.strong_tie_cap

    @property
    def fill(self) -> int:
        """Strong ties as a percentage of the cap (R2)."""
        return round(100 * self.health.strong_ties / self.cap)

    @property
    def prospect_progress(self) -> int | None:
        return self.health.prospect_progress(self.client.prospect_target)

    @property
    def touches(self) -> int:
        return sum(personal + digital for personal, digital in self.weeks)

    @property
    def touches_per_week(self) -> float:
        return round(self.touches / WEEKS, 1)

    @property
    def personal_share(self) -> int | None:
        """Personal touches as a percentage of all in the 12 weeks (R12); None without touches."""
        touches = self.touches
        return round(100 * sum(personal for personal, _ in self.weeks) / touches) if touches else None

    @property
    def week_bars(self) -> list[tuple[int, int, int, int, int]]:
        """(x, personal y and height, digital y and height) of each week's stacked column in a
        chart 20 units high, personal at the bottom."""
        busiest = max((personal + digital for personal, digital in self.weeks), default=0) or 1
        bars = []
        for index, (personal, digital) in enumerate(self.weeks):
            personal_height = round(20 * personal / busiest)
            digital_height = round(20 * (personal + digital) / busiest) - personal_height
            personal_y = 20 - personal_height
            bars.append((index * 6, personal_y, personal_height, personal_y - digital_height, digital_height))
        return bars

    @property
    def week_rects(self) -> SafeString:
        """`week_bars` as the chart's SVG rectangles, built here rather than in a template loop
        (at 100 clients that loop rendered 14,000 variables, a third of the page's time). Only
        integers go in, so there is nothing to escape."""
        return mark_safe(
            "".join(
                f'<rect class="personal" x="{int(x)}" y="{int(personal_y)}" width="4" height="{int(personal_height)}"/>'
                f'<rect class="digital" x="{int(x)}" y="{int(digital_y)}" width="4" height="{int(digital_height)}"/>'
                for x, personal_y, personal_height, digital_y, digital_height in self.week_bars
            )
        )


# Sortable columns: the `?o=` key, the heading and the sort key (None, "nothing yet", sorts last).
COLUMNS: list[tuple[str, StrOrPromise, Callable[[ClientRow], object]]] = [
    ("name", _("Client"), lambda row: row.client.display_name.lower()),
    ("fill", _("Roster"), lambda row: row.fill),
    ("red", _("Red"), lambda row: row.health.red),
    ("yellow", _("Yellow"), lambda row: row.health.yellow),
    ("prospects", _("Prospects towards target"), lambda row: row.prospect_progress),
    ("online", _("Online-only backlog"), lambda row: row.health.online_backlog),
    ("promises", _("Promises kept"), lambda row: row.promises.kept_rate),
    ("touches", _("Touches per week"), lambda row: row.touches),
    ("personal", _("Personal share"), lambda row: row.personal_share),
    ("review", _("Last review"), lambda row: row.last_review),
]


def overview(coach: User, *, now: datetime, order: str = "") -> list[ClientRow]:
    return sort_rows(client_rows(CoachLink.objects.for_coach(coach), now=now), order)


def client_row(coach: User, client_id: int, *, now: datetime) -> ClientRow | None:
    """One client's row, by the overview's queries; None unless they are the coach's client now."""
    rows = client_rows(CoachLink.objects.for_coach(coach).filter(client_id=client_id), now=now)
    return rows[0] if rows else None


def client_rows(links: CoachLinkQuerySet, *, now: datetime) -> list[ClientRow]:
    sharing = {
        link.client: Sharing(link.sharing)
        for link in links.select_related("client")
        if link.client is not None  # never, once accepted (a constraint): for the type checker
    }
    clients = list(sharing)
    ids = [client.pk for client in clients]
    health = network_health(clients, now=now)
    promises = promise_records_by_owner({client.pk: client.local_date(now) for client in clients})
    weeks = weekly_mix_by_owner(
        Touchpoint.objects.all(), now=now, zones={client.pk: client.zone for client in clients}, weeks=WEEKS
    )
    reviews = dict(
        RosterReview.objects.filter(owner_id__in=ids)
        .values("owner_id")
        .annotate(last=Max("reviewed_at"))
        .values_list("owner_id", "last")
    )
    return [
        ClientRow(
            client=client,
            sharing=sharing[client],
            health=health[client.pk],
            promises=promises.get(client.pk, PromiseRecord(0, 0, 0)),
            weeks=weeks.get(client.pk, [(0, 0)] * WEEKS),
            last_review=reviews.get(client.pk),
        )
        for client in clients
    ]


def sort_rows(rows: list[ClientRow], order: str) -> list[ClientRow]:
    """Rows by the column `order` names (`-` first: descending), by name otherwise; the rows
    without a value last either way, by name."""
    keys = {key: sort_key for key, _, sort_key in COLUMNS}
    sort_key = keys.get(order.removeprefix("-"), keys["name"])
    by_name = sorted(rows, key=keys["name"])  # type: ignore[arg-type]
    present = [row for row in by_name if sort_key(row) is not None]
    missing = [row for row in by_name if sort_key(row) is None]
    return sorted(present, key=sort_key, reverse=order.startswith("-")) + missing  # type: ignore[arg-type]
