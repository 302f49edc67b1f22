"""One-off reminders ("call Anna on 15 January") on Today and in the digest: open ones on their
day and after it, until done; a snoozed one comes back on the day its snooze ends.

The model is touchpoints.OneOffReminder (the touch log form sets one, and touchpoints sits below
reminders). Its snooze is a ReminderState like every other item's, under `state_key` (the
form reminders.items.item_key gives a contact's item with an occasion: here the reminder's id),
so a merge of two contacts renames it with the rest (imports.merge). One query finds the due
reminders of one user (Today) or of a chunk of users (the digest), whatever their number:
each user's first rows, and the totals counted by window functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q

from netzwerk.accounts.models import User
from reminders.models import ItemKind, ReminderState
from reminders.querying import Hidden, by_day, column, first_rows
from touchpoints import ledger
from touchpoints.models import OPEN_REMINDER, OneOffReminder, Touchpoint

FIELDS = ("id", "contact_id", "due_on", "text", "done_at")


def reminder_of(key: str) -> int:
    """The reminder's id in its `state_key`."""
    return int(key.rsplit(":", 1)[1])


def state_key(*, contact_id: int, reminder_id: int) -> str:
    """The name the reminder's snooze is stored under: reminders.items.item_key's
    `kind:contact:occasion`, the occasion being the reminder's id."""
    return f"{ItemKind.ONE_OFF.value}:{contact_id}:{reminder_id}"


@dataclass(frozen=True)
class Due:
    """A user's due one-off reminders: the first `limit`, how many in all, how many overdue."""

    reminders: list[OneOffReminder] = field(default_factory=list)
    total: int = 0
    overdue: int = 0


def due_for(
    users: Sequence[User], *, now: datetime, limit: int, hidden: Hidden, days_after: int = 0
) -> dict[int, Due]:
    """Open reminders due on each user's local day or before, or on one of the `days_after` days
    after it (the most overdue first), of active contacts (as promises: an archived contact's
    are not asked about), not snoozed past today."""
    if not users:
        return {}
    due, overdue = Q(), Q()
    for today, owners in by_day(users, now).items():
        due |= Q(contact__owner_id__in=owners, due_on__lte=today + timedelta(days=days_after))
        overdue |= Q(contact__owner_id__in=owners, due_on__lt=today)
    snoozed = [reminder_of(key) for _owner, key in hidden.keys(ItemKind.ONE_OFF)]
    rows = (
        OneOffReminder.objects.filter(OPEN_REMINDER, due, contact__archived_at__isnull=True)
        .exclude(pk__in=snoozed)
        .select_related("contact")
        .only(*FIELDS, "contact__owner_id", "contact__first_name", "contact__last_name")
    )
    found = first_rows(
        rows,
        owners=len(users),
        owner="contact__owner_id",
        order=["due_on", "pk"],
        limit=limit,
        counts={"overdue": overdue},
    )
    return {
        user.pk: Due(
            found[user.pk],
            column(found[user.pk], "section_total"),
            column(found[user.pk], "count_overdue"),
        )
        for user in users
    }


def forget_state(reminder: OneOffReminder, *, owner: User) -> None:
    """Drop the reminder's snooze (with the reminder, or when it is done: nothing asks any more)."""
    key = state_key(contact_id=reminder.contact_id, reminder_id=reminder.pk)
    ReminderState.objects.filter(owner=owner, key=key).delete()


def mark_done(
    reminder: OneOffReminder, *, owner: User, now: datetime, log: str | None = None
) -> Touchpoint | None:
    """Done, and with `log` the touch of that kind with its contact, in one transaction."""
    with transaction.atomic():
        logged = ledger.log_touch(reminder.contact, kind=log, happened_at=now) if log else None
        reminder.mark_done(now=now)
        forget_state(reminder, owner=owner)
    return logged


def reopen(reminder_id: int, *, owner: User, done_at: datetime, now: datetime) -> bool:
    """Open again a reminder marked done at `done_at` (undone), if it is the owner's and still
    done then; whether it was. Its `updated_at` moves, as a kept Today page goes by it
    (reminders/kept.py)."""
    rows = OneOffReminder.objects.filter(pk=reminder_id, contact__owner=owner, done_at=done_at)
    return bool(rows.update(done_at=None, updated_at=now))


def delete(reminder: OneOffReminder, *, owner: User) -> None:
    with transaction.atomic():
        forget_state(reminder, owner=owner)
        reminder.delete()
