"""Today, kept rendered until what it shows may change (reminders/views.py `today`).

Computed afresh, Today is a dozen queries and the rendering of up to 35 items; kept, it is one
small query (`_stamp`) and a cache read: 4.75 ms against 58 ms at 5,000 contacts in the bench of
2026-12-06 (README, Benchmarks), which is why it stays. The stamp is SQL in a string: a sum of
moments per table, which the ORM would spell per database (`MOMENTS_SUM`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.db import connection
from django.db.models import Min, Q

from contacts import rules
from contacts.models import Contact
from contacts.moments import ACTIVE, day_start
from netzwerk.accounts.models import User
from netzwerk.cache import delete_prefixed
from reminders import due
from reminders.items import Today
from reminders.models import ReminderState, RosterReview
from touchpoints.models import OneOffReminder


@dataclass(frozen=True)
class _Kept[T]:
    value: T
    day: date
    valid_until: datetime


# An upper bound on how long a kept Today is trusted, whatever its validity says.
KEPT_SECONDS = 6 * 3600


def kept[T](
    user: User, *, now: datetime, build: Callable[[Today], T], variant: str = "", expanded: str | None = None
) -> T:
    """`build(today_for(...))`, kept in the cache until something Today depends on changes.

    The key names the user's data as it stands (`_stamp`: one small query) and their settings,
    so any change to contacts, touches (they update their contact), snoozes, one-off reminders,
    reviews or settings makes a new key; `variant` names what `build` makes of it (the page
    renders it, in a language and time zone). What changes with time alone is in `valid_until`: the local
    day's end (when the cadences and a shown "N days ago" turn: they count calendar days), and
    the next moment a prospect or online-only window passes. Within those bounds, what is kept
    is what `today_for` gives.
    """
    settings_values = [
        getattr(user, f.attname) for f in User._meta.concrete_fields if f.attname not in VOLATILE
    ]
    fingerprint = hashlib.sha256(repr((_stamp(user), settings_values, expanded)).encode()).hexdigest()
    key = f"{kept_prefix(user.pk)}{variant}:{fingerprint}"
    found = cache.get(key)
    if isinstance(found, _Kept) and now < found.valid_until and found.day == user.local_date(now):
        return found.value  # type: ignore[no-any-return]
    today = due.today_for(user, now=now, expanded=expanded)
    value = build(today)
    valid_until = _valid_until(user, now, today)
    timeout = min(KEPT_SECONDS, (valid_until - now).total_seconds())
    cache.set(key, _Kept(value, today.day, valid_until), timeout=timeout)
    return value


def kept_prefix(user_pk: int) -> str:
    """The start of every key `kept` stores for the user."""
    return f"reminders:today:{user_pk}:"


def forget_kept(user_pk: int) -> int | None:
    """Drop the user's kept Today pages (they show contacts' names) when the account goes: at
    once where the cache can list its keys (Redis, the database cache); elsewhere (local memory)
    they expire within KEPT_SECONDS. How many were dropped, or None if the cache cannot tell."""
    return delete_prefixed(kept_prefix(user_pk))


# User fields that change without changing what is due (logging in, the password, the next
# digest's moment).
VOLATILE = frozenset({"last_login", "password", "next_digest_at"})


# The sum of a column's moments, changed by any change to any of them: exact on PostgreSQL
# (numeric seconds), to the millisecond on SQLite.
MOMENTS_SUM = {"postgresql": "SUM(EXTRACT(EPOCH FROM {}))", "sqlite": "SUM(julianday({}))"}


CONTACTS = Contact._meta.db_table
STATES = ReminderState._meta.db_table
REVIEWS = RosterReview._meta.db_table
ONE_OFFS = OneOffReminder._meta.db_table


def _stamp(user: User) -> tuple[object, ...]:
    """How the user's contacts, item states, one-off reminders and reviews stand: how many, and
    the sum of their last changes, which moves with any change (a largest moment would miss a
    change dated before it, as clocks allow)."""
    moments = MOMENTS_SUM[connection.vendor].format("updated_at")
    one_off_moments = MOMENTS_SUM[connection.vendor].format(f"{ONE_OFFS}.updated_at")
    one_offs_of_owner = (
        f"FROM {ONE_OFFS} JOIN {CONTACTS} ON {CONTACTS}.id = {ONE_OFFS}.contact_id "
        f"WHERE {CONTACTS}.owner_id = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM {CONTACTS} WHERE owner_id = %s), "
            f"(SELECT {moments} FROM {CONTACTS} WHERE owner_id = %s), "
            f"(SELECT COUNT(*) FROM {STATES} WHERE owner_id = %s), "
            f"(SELECT {moments} FROM {STATES} WHERE owner_id = %s), "
            f"(SELECT COUNT(*) FROM {REVIEWS} WHERE owner_id = %s), "
            f"(SELECT COUNT(*) {one_offs_of_owner}), (SELECT {one_off_moments} {one_offs_of_owner})",
            [user.pk] * 7,
        )
        return tuple(cursor.fetchone())


def _valid_until(user: User, now: datetime, today: Today) -> datetime:
    """The first moment `today` may no longer hold with the data unchanged: the local day's end
    (when "N days ago" and the cadences change: they count calendar days) and the first
    reference among the rows not due yet that passes its interval (one query)."""
    now = rules.utc(now)
    moments = [day_start(today.day + timedelta(days=1), user.zone)]
    windows: dict[str, tuple[Min, int]] = {}
    interval, window = user.prospect_interval_days, user.online_window_days
    prospect = Q(prospect_reference__gt=due.days_before(now, interval))
    windows["prospect"] = (Min("prospect_reference", filter=prospect), interval)
    online = Q(online_reference__gt=due.days_before(now, window))
    windows["online"] = (Min("online_reference", filter=online), window)
    found = Contact.objects.filter(ACTIVE, owner=user).aggregate(
        **{name: first for name, (first, _days) in windows.items()}
    )
    moments += [
        found[name] + timedelta(days=days)
        for name, (_first, days) in windows.items()
        if found[name] is not None
    ]
    return min(moments)
