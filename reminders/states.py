"""Snooze and done: the state of one item of Today and the digest, stored under its key.

An item the user snoozed (until a day) or marked done is left out of its section. A cadence, a
prospect's next touch or an online-only contact has no "done": only a touch that counts for its
rule clears it (reminders/clearing.py). A done birthday gesture is done for that birthday.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction

from contacts.models import Contact
from netzwerk.accounts.models import User
from reminders import clearing, one_offs
from reminders.items import SNOOZE_DAYS, item_key
from reminders.models import ItemKind, ReminderState
from touchpoints import ledger
from touchpoints.models import Touchpoint


def _state(
    user: User, kind: ItemKind, *, contact: Contact | None, touch: Touchpoint | None, occasion: str
) -> ReminderState:
    """The item's state row, locked; the key names the item (see `item_key`)."""
    key = item_key(
        kind, contact=contact.pk if contact else None, touch=touch.pk if touch else None, occasion=occasion
    )
    state, _created = ReminderState.objects.select_for_update().get_or_create(
        owner=user, key=key, defaults={"kind": kind, "contact": contact, "touchpoint": touch}
    )
    return state


@dataclass(frozen=True)
class Snoozed:
    """What `snooze` did: the day the item comes back, and its state before (to undo it)."""

    until: date
    state: int
    done_at: datetime | None
    snoozed_until: date | None


def snooze(
    user: User,
    kind: ItemKind,
    *,
    days: int,
    now: datetime,
    contact: Contact | None = None,
    touch: Touchpoint | None = None,
    occasion: str = "",
) -> Snoozed:
    """Hide the item until `days` local days from today."""
    if days not in SNOOZE_DAYS:
        raise ValueError(f"snooze for one of {SNOOZE_DAYS} days, not {days}")
    until = user.local_date(now) + timedelta(days=days)
    with transaction.atomic():
        state = _state(user, kind, contact=contact, touch=touch, occasion=occasion)
        snoozed = Snoozed(until, state.pk, state.done_at, state.snoozed_until)
        state.snoozed_until = until
        state.save(update_fields=["snoozed_until", "updated_at"])
    return snoozed


def restore(
    user: User,
    state: int,
    *,
    done_at: datetime | None,
    snoozed_until: date | None,
    written: tuple[datetime | None, date | None],
    now: datetime,
) -> bool:
    """Put an item's state back as it was before a snooze or a done (an undo), if it is the
    user's and still holds what that change `written` (done at, snoozed until): an undo works
    once, and not on a later change. Whether it was put back."""
    rows = ReminderState.objects.filter(owner=user, pk=state, done_at=written[0], snoozed_until=written[1])
    return bool(rows.update(done_at=done_at, snoozed_until=snoozed_until, updated_at=now))


def reopen_promise(user: User, touch: int, *, kept_at: datetime) -> bool:
    """A promise `mark_done` kept at `kept_at`, open again (the contact's summary recomputed), if
    it is one of the user's and still kept then; whether it was."""
    kept = Touchpoint.objects.for_owner(user).filter(pk=touch, promise_kept_at=kept_at).first()
    if kept is None:
        return False
    ledger.edit_touch(kept, promise_kept_at=None)
    return True


@dataclass(frozen=True)
class Done:
    """What `mark_done` did, at `at`: the touch it logged, the promise it kept (a touch's id), and
    the item's state before (to undo it)."""

    at: datetime
    logged: Touchpoint | None
    kept: int | None
    state: int
    key: str
    done_at: datetime | None
    snoozed_until: date | None


def mark_done(
    user: User,
    kind: ItemKind,
    *,
    now: datetime,
    contact: Contact | None = None,
    touch: Touchpoint | None = None,
    occasion: str = "",
    log: str | None = None,
) -> Done:
    """Done, and with `log` the touch of that kind in the same transaction. A promise is kept.

    Items only a touch clears have no done (`clearing.log_clearing_touch` logs theirs).
    """
    if clearing.only_a_touch_clears(kind):
        raise ValueError(f"a {kind} item is cleared by a touch that counts, not by done")
    logged, kept = None, None
    with transaction.atomic():
        if touch is not None and touch.has_open_promise:
            ledger.edit_touch(touch, promise_kept_at=now)
            kept = touch.pk
        if log is not None and contact is not None:
            logged = ledger.log_touch(contact, kind=log, happened_at=now)
        state = _state(user, kind, contact=contact, touch=touch, occasion=occasion)
        done = Done(now, logged, kept, state.pk, state.key, state.done_at, state.snoozed_until)
        state.done_at = now
        state.snoozed_until = None
        state.save(update_fields=["done_at", "snoozed_until", "updated_at"])
    return done


def undo_log(
    user: User,
    touch: Touchpoint,
    *,
    now: datetime,
    key: str = "",
    done_at: datetime | None = None,
    snoozed_until: date | None = None,
    promise: int | None = None,
    one_off: int | None = None,
    at: datetime | None = None,
) -> None:
    """Take back a touch logged in one click: the touch goes through the ledger (the contact's
    summary recomputed), the item `mark_done` marked (`key`) is as it was before, and what the
    same click closed `at` is open again (a `promise` kept, a `one_off` reminder done)."""
    with transaction.atomic():
        ledger.take_back(touch)
        if key:
            ReminderState.objects.filter(owner=user, key=key).update(
                done_at=done_at, snoozed_until=snoozed_until, updated_at=now
            )
        if at is not None:
            _reopen(user, promise=promise, one_off=one_off, at=at, now=now)


def put_back(
    user: User,
    *,
    state: int | None,
    before: tuple[datetime | None, date | None],
    written: tuple[datetime | None, date | None],
    promise: int | None,
    one_off: int | None,
    at: datetime | None,
    now: datetime,
) -> bool:
    """Undo a snooze or a done without a touch: the item's `state` as it was `before`, the
    `promise` kept or the `one_off` reminder done `at` open again. All of it or nothing, and only
    while each still holds what the change wrote (`written`, `at`): an undo works once and never
    on a later change (another tab, the same done again). Whether it was put back."""
    with transaction.atomic():
        undone = []
        if state is not None:
            done_at, snoozed_until = before
            undone.append(
                restore(user, state, done_at=done_at, snoozed_until=snoozed_until, written=written, now=now)
            )
        if at is not None and (promise is not None or one_off is not None):
            undone.append(_reopen(user, promise=promise, one_off=one_off, at=at, now=now))
        if undone and all(undone):
            return True
        transaction.set_rollback(True)
        return False


def _reopen(user: User, *, promise: int | None, one_off: int | None, at: datetime, now: datetime) -> bool:
    """The promise kept `at`, or the one-off reminder done `at`, open again; whether each was."""
    reopened = True
    if promise is not None:
        reopened &= reopen_promise(user, promise, kept_at=at)
    if one_off is not None:
        reopened &= one_offs.reopen(one_off, owner=user, done_at=at, now=now)
    return reopened
