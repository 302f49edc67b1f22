"""When each user's digest is due: `User.next_digest_at`, and the sweep's claim on it.

The sweep looks only at the users whose `next_digest_at` has come (or is empty: not worked out
yet, or a setting it depends on changed, see `User.save`), never at every user. It moves each one
on with one conditional UPDATE per chunk (... WHERE next_digest_at <= now RETURNING id), which
only one sweeper wins, in the transaction that inserts the day's runs: a crash loses neither.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from itertools import batched
from typing import Any

from allauth.account.models import EmailAddress
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet

from netzwerk.accounts.models import User


def digest_day(user: User, now: datetime) -> date | None:
    """The local day whose digest is due at `now`: from the user's hour on, Mondays for weekly."""
    if user.digest_frequency == User.DigestFrequency.OFF:
        return None
    local = now.astimezone(user.zone)
    if local.hour < user.digest_hour:
        return None
    if user.digest_frequency == User.DigestFrequency.WEEKLY and local.weekday() != 0:
        return None
    return local.date()


def next_digest(user: User, now: datetime) -> tuple[date | None, datetime]:
    """The local day whose digest is due at `now` (None if none is), and when the one after it is
    due: the user's hour on the next day (next Monday, for weekly) after that day, or from today
    on. An hour that a DST change skips comes an hour later, as `digest_day` has it."""
    day = digest_day(user, now)
    following = day + timedelta(days=1) if day is not None else now.astimezone(user.zone).date()
    if user.digest_frequency == User.DigestFrequency.WEEKLY:
        following += timedelta(days=-following.weekday() % 7)
    return day, datetime.combine(following, time(user.digest_hour), tzinfo=user.zone)


def recipients(users: QuerySet[User] | None = None) -> QuerySet[User]:
    """Active users (of `users`, or all) with a verified address and the digest switched on."""
    verified = EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)
    return (
        (User.objects.all() if users is None else users)
        .filter(Exists(verified), is_active=True)
        .exclude(digest_frequency=User.DigestFrequency.OFF)
        .only("pk", "time_zone", "digest_hour", "digest_frequency", "next_digest_at")
        .order_by("pk")
    )


def candidates(now: datetime, users: QuerySet[User] | None = None) -> Iterable[User]:
    """The recipients whose next digest has come at `now`, or is not worked out yet."""
    return recipients(users).filter(Q(next_digest_at__lte=now) | Q(next_digest_at__isnull=True))


def move_on(plans: dict[int, datetime], now: datetime) -> set[int]:
    """Set each user's `next_digest_at` as planned, if it is still due at `now`: one conditional
    UPDATE ... RETURNING per chunk. Returns the users this sweeper moved on (no other did)."""
    table = User._meta.db_table
    ops = connection.ops
    moved: set[int] = set()
    for chunk in batched(plans.items(), 500):
        cases = " ".join(["WHEN %s THEN %s"] * len(chunk))
        ids = ", ".join(["%s"] * len(chunk))
        params: list[Any] = [
            value for user_id, moment in chunk for value in (user_id, ops.adapt_datetimefield_value(moment))
        ]
        params += [user_id for user_id, _ in chunk] + [ops.adapt_datetimefield_value(now)]
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET next_digest_at = CASE id {cases} END WHERE id IN ({ids}) "
                "AND (next_digest_at IS NULL OR next_digest_at <= %s) RETURNING id",
                params,
            )
            moved.update(user_id for (user_id,) in cursor.fetchall())
    return moved
