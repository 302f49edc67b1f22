"""One-off reminders ("call Anna on 15 January") on Today and in the digest: open ones on their
day and after it, until done; a snoozed one comes back on the day its snooze ends.

The model is touchpoints.OneOffReminder (the touch log form sets one, and touchpoints sits below
reminders). Its snooze is a ReminderState like every other item's, under `state_key` (the
form reminders.due.item_key gives a contact's item with an occasion: here the reminder's id),
so a merge of two contacts renames it with the rest (imports.merge). One query finds the due
reminders of one user (Today) or of a chunk of users (the digest), whatever their number:
each user's first rows, and the totals counted by window functions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection, transaction

from contacts.models import Contact
from netzwerk.accounts.models import User
from reminders.models import Reminder, ReminderState
from reminders.reach import reach_columns
from touchpoints import ledger
from touchpoints.models import OneOffReminder, Touchpoint

CONTACTS = Contact._meta.db_table
STATES = ReminderState._meta.db_table
ONE_OFFS = OneOffReminder._meta.db_table
FIELDS = ("id", "contact_id", "due_on", "text", "done_at")


def state_key(*, contact_id: int, reminder_id: int) -> str:
    """The name the reminder's snooze is stored under: reminders.due.item_key's
    `kind:contact:occasion`, the occasion being the reminder's id."""
    return f"{Reminder.ONE_OFF.value}:{contact_id}:{reminder_id}"


@dataclass(frozen=True)
class Due:
    """A user's due one-off reminders: the first `limit`, how many in all, how many overdue."""

    reminders: list[OneOffReminder] = field(default_factory=list)
    total: int = 0
    overdue: int = 0


def due_for(users: Sequence[User], *, now: datetime, limit: int) -> dict[int, Due]:
    """Open reminders due on each user's local day or before (the most overdue first), of active
    contacts (as promises: an archived contact's are not asked about), not snoozed past today."""
    if not users:
        return {}
    rows = ", ".join(["(%s, %s)"] * len(users))
    params: list[Any] = [
        value
        for user in users
        for value in (user.pk, connection.ops.adapt_datefield_value(user.local_date(now)))
    ]
    fields = ", ".join(f"{ONE_OFFS}.{name}" for name in FIELDS)
    per_owner = f"OVER (PARTITION BY {CONTACTS}.owner_id)"
    # `state_key` in SQL: 'one_off:' || contact || ':' || id
    key = f"%s || CAST({ONE_OFFS}.contact_id AS VARCHAR(20)) || ':' || CAST({ONE_OFFS}.id AS VARCHAR(20))"
    statement = (
        f"WITH owners(owner_id, today) AS (VALUES {rows}) SELECT ranked.*, {reach_columns('ranked.contact_id')} FROM ("
        f"SELECT {fields}, {CONTACTS}.owner_id AS contact_owner_id, "
        f"{CONTACTS}.first_name AS contact_first_name, {CONTACTS}.last_name AS contact_last_name, "
        f"COUNT(*) {per_owner} AS section_total, "
        f"SUM(CASE WHEN {ONE_OFFS}.due_on < owners.today THEN 1 ELSE 0 END) {per_owner} AS count_overdue, "
        f"ROW_NUMBER() OVER (PARTITION BY {CONTACTS}.owner_id ORDER BY {ONE_OFFS}.due_on, {ONE_OFFS}.id) "
        "AS section_position "
        f"FROM {ONE_OFFS} JOIN {CONTACTS} ON {CONTACTS}.id = {ONE_OFFS}.contact_id "
        f"JOIN owners ON owners.owner_id = {CONTACTS}.owner_id "
        # touchpoints.models.OPEN_REMINDER, due by the owner's day (the partial index oneoffreminder_open)
        f"WHERE {ONE_OFFS}.done_at IS NULL AND {ONE_OFFS}.due_on <= owners.today "
        f"AND {CONTACTS}.archived_at IS NULL "
        f"AND NOT EXISTS (SELECT 1 FROM {STATES} WHERE {STATES}.owner_id = owners.owner_id "
        f"AND {STATES}.kind = %s AND {STATES}.contact_id = {ONE_OFFS}.contact_id AND {STATES}.key = {key} "
        f"AND {STATES}.snoozed_until > owners.today)"
        ") AS ranked WHERE section_position <= %s ORDER BY contact_owner_id, section_position"
    )
    params += [Reminder.ONE_OFF.value, f"{Reminder.ONE_OFF.value}:", limit]
    shown: dict[int, list[OneOffReminder]] = defaultdict(list)
    for reminder in OneOffReminder.objects.raw(statement, params):
        found = vars(reminder)  # the query's extra columns
        owner = found["contact_owner_id"]
        # The contact as far as the item shows it (its name and page); the rest is deferred.
        reminder.contact = Contact.from_db(
            reminder._state.db,
            ["id", "owner_id", "first_name", "last_name"],
            [reminder.contact_id, owner, found["contact_first_name"], found["contact_last_name"]],
        )
        shown[owner].append(reminder)
    return {
        user.pk: Due(
            shown[user.pk],
            int(vars(shown[user.pk][0])["section_total"]) if shown[user.pk] else 0,
            int(vars(shown[user.pk][0])["count_overdue"]) if shown[user.pk] else 0,
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


def reopen(reminder_id: int, *, owner: User) -> None:
    """Open again a reminder marked done (its one-click log undone); the owner's only."""
    OneOffReminder.objects.filter(pk=reminder_id, contact__owner=owner).update(done_at=None)


def delete(reminder: OneOffReminder, *, owner: User) -> None:
    with transaction.atomic():
        forget_state(reminder, owner=owner)
        reminder.delete()
