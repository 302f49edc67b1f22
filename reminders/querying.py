"""What every section of Today does (reminders/due.py, reminders/one_offs.py): each owner's first
rows with their totals, and the items a snooze or a done hides, for one user or a chunk of them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Count, F, Model, Q, QuerySet
from django.db.models.expressions import Window
from django.db.models.functions import RowNumber

from netzwerk.accounts.models import User
from reminders.models import ItemKind, ReminderState


def first_rows[M: Model](
    rows: QuerySet[M],
    *,
    owner: str,
    owners: int,
    order: Sequence[str],
    limit: int,
    counts: Mapping[str, Q] | None = None,
) -> dict[int, list[M]]:
    """Each owner's first `limit` rows in `order` (`rows` being those of `owners` owners); each
    row has its owner's `section_total` and a `count_<name>` per condition of `counts`, counted
    over all of them by window functions. For one owner (the page), the window is the whole
    result and a LIMIT takes the first rows; for several (a digest chunk), each owner's rows are
    numbered and the first of each kept."""
    windows: dict[str, Any] = {"partition_by": [F(owner)]} if owners > 1 else {}
    ranked = rows.annotate(
        section_total=Window(Count("pk"), **windows),
        **{
            f"count_{name}": Window(Count("pk", filter=condition), **windows)
            for name, condition in (counts or {}).items()
        },
    )
    if owners > 1:
        ranked = ranked.annotate(section_position=Window(RowNumber(), order_by=list(order), **windows))
        ranked = ranked.filter(section_position__lte=limit).order_by(owner, "section_position")
    else:
        ranked = ranked.order_by(*order)[:limit]
    found: dict[int, list[M]] = defaultdict(list)
    for row in ranked:
        found[owner_of(row, owner)].append(row)
    return found


def owner_of(row: Model, owner: str) -> int:
    value: Any = row
    for name in owner.split("__"):
        value = getattr(value, name)
    return int(value)


def column(rows: Sequence[object], name: str) -> int:
    """A count the query gave every row (a window over all of them), or 0 without rows."""
    return int(getattr(rows[0], name)) if rows else 0


@dataclass(frozen=True)
class Hidden:
    """The items a snooze hides on each owner's local today, and the birthday gestures marked
    done (reminders/states.py writes them): read once for all the sections, in one query, and
    left out of each section's rows by id (`contacts`, `touches`, `keys`). A user snoozes a few
    items at a time, and past snoozes go (reminders.retention)."""

    rows: tuple[tuple[int, str, int | None, int | None, str], ...] = ()

    @classmethod
    def of(cls, users: Sequence[User], now: datetime) -> Hidden:
        hiding = Q()
        for day, owners in by_day(users, now).items():
            hiding |= Q(owner_id__in=owners) & (
                Q(snoozed_until__gt=day) | Q(kind=ItemKind.BIRTHDAY, done_at__isnull=False)
            )
        states = ReminderState.objects.filter(hiding).order_by()
        return cls(tuple(states.values_list("owner_id", "kind", "contact_id", "touchpoint_id", "key")))

    def contacts(self, kind: ItemKind) -> list[int]:
        """The contacts whose `kind` item is hidden (a cadence, a prospect, an online-only)."""
        return [contact for _o, k, contact, _t, _k in self.rows if k == kind and contact is not None]

    def touches(self, kind: ItemKind) -> list[int]:
        """The touches whose `kind` item is hidden (a promise)."""
        return [touch for _o, k, _c, touch, _k in self.rows if k == kind and touch is not None]

    def keys(self, kind: ItemKind) -> set[tuple[int, str]]:
        """(owner, key) of the hidden `kind` items (a birthday gesture, a one-off reminder)."""
        return {(owner, key) for owner, k, _c, _t, key in self.rows if k == kind}

    def owners(self, kind: ItemKind) -> set[int]:
        """The owners whose one `kind` item is hidden (the roster review)."""
        return {owner for owner, k, _c, _t, _k in self.rows if k == kind}


def by_day(users: Sequence[User], now: datetime) -> dict[date, list[int]]:
    """The users by their local day (a chunk spans two at most, across the date line three)."""
    return by_condition(users, lambda user: user.local_date(now))


def per_owner(
    users: Sequence[User],
    condition: Callable[[User], Q],
    *,
    setting: Callable[[User], Hashable] | None = None,
    owner: str = "owner_id",
) -> Q:
    """`condition(user)` for each user's rows, OR-ed: the owner's own intervals and targets. Users
    with the same `setting` (the figures `condition` reads; most keep the defaults) share one
    term, built once: at 100 clients, building a condition per user and comparing them took
    twice as long as the database's answer. Without `setting`, the conditions are compared.

    The rows it filters are the users' own (every caller starts from them): when all the users
    share one term, that term alone, without the list of owners again in every condition."""
    if len(users) == 1:
        return condition(users[0])
    groups = by_condition(users, setting or condition)
    if len(groups) == 1:
        return condition(users[0])
    first = {user.pk: user for user in users}
    return Q.create(
        [Q(condition(first[owners[0]]), **{f"{owner}__in": owners}) for owners in groups.values()],
        connector=Q.OR,
    )


def by_condition[T](users: Sequence[User], value: Callable[[User], T]) -> dict[T, list[int]]:
    """The users' ids by `value(user)`, a hashable condition or figure."""
    found: dict[T, list[int]] = defaultdict(list)
    for user in users:
        found[value(user)].append(user.pk)
    return found
