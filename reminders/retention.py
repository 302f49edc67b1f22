"""What the reminders keep, and for how long: digest runs and the states of past items.

A `ReminderState` hides one item of Today and the digest (see `reminders.querying.Hidden`): a snooze while `snoozed_until` is after the owner's local today, and a done
birthday gesture for as long as its key's birthday (`birthday:<contact>:<YYYY-MM-DD>:<gesture>`)
is the next one; the day after, the item is another key. Done on any other item hides nothing
(a kept promise is kept on its touch). So a state hides nothing any more from

- its `snoozed_until` on, and
- for a done birthday gesture, the day after that birthday,

and it is *past* once both lie `days` or more before today (UTC), and it was last changed that
long ago too (a done promise hides nothing from the start). A local today is at most a day away
from UTC's, so with `days` ≥ 1 no state is deleted while it still hides its item anywhere.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.db.models import Q, QuerySet, Value
from django.db.models.functions import StrIndex, Substr

from netzwerk.retention import delete_in_batches
from reminders.models import DigestRun, ItemKind, ReminderState

BIRTHDAY_PREFIX = f"{ItemKind.BIRTHDAY.value}:"


def forget_digest_runs(*, now: datetime, days: int) -> int:
    """Digest runs of local days more than `days` days ago."""
    return delete_in_batches(
        DigestRun.objects.filter(local_date__lt=now.astimezone(UTC).date() - timedelta(days=days))
    )


def past_states(*, now: datetime, days: int) -> QuerySet[ReminderState]:
    """The states that have hidden nothing for `days` days (see the module's docstring)."""
    cutoff = now.astimezone(UTC).date() - timedelta(days=days)
    start = len(BIRTHDAY_PREFIX) + 1  # SQL counts from 1: the contact's id starts here
    after_prefix = Substr("key", start)
    # The birthday in the key: after `birthday:<contact>:`, ten characters, ISO (compares as text).
    birthday = Substr("key", StrIndex(after_prefix, Value(":")) + start, 10)
    still_hiding = Q(snoozed_until__gt=cutoff) | Q(
        kind=ItemKind.BIRTHDAY, done_at__isnull=False, birthday__gte=cutoff.isoformat()
    )
    return (
        ReminderState.objects.annotate(birthday=birthday)
        .filter(updated_at__lte=now - timedelta(days=days))
        .exclude(still_hiding)
    )


def forget_reminder_states(*, now: datetime, days: int) -> int:
    return delete_in_batches(past_states(now=now, days=days))
