"""What takes an item off Today: for some items only a touch that counts for their rule.

A cadence (R7) and a prospect's next touch (R6) are kept by a qualifying touch, and an online-only
contact (R1) is moved to a personal conversation only by a personal touch: a plain "done" would
hide any of them without the contact the rule asks for, so these items offer the likely touches
of their rule in one click, and snooze. Logged, the touch clears the item through the rule itself
(the contact's last touch, its first personal touch), not through a stored state. Promises and
birthday gestures keep their "done" (a gesture's logs its touch), and so does a one-off reminder,
which may log the touch it was about; a prospect at the target asks for the outcome instead
(`OUTCOMES`).
"""

from __future__ import annotations

from datetime import datetime

from contacts.choices import ProspectStatus
from contacts.models import Contact
from reminders.models import ItemKind
from touchpoints import ledger
from touchpoints.kinds import PERSONAL_KINDS, QUALIFYING_KINDS, Kind
from touchpoints.models import Touchpoint

# The items only a touch clears, and the touches that count for each.
COUNTING_KINDS: dict[ItemKind, frozenset[str]] = {
    ItemKind.CADENCE: QUALIFYING_KINDS,
    ItemKind.PROSPECT: QUALIFYING_KINDS,
    ItemKind.ONLINE_ONLY: PERSONAL_KINDS,
}
# The one-click touches each item offers, most likely first (each counts: see the test).
LOG_KINDS: dict[ItemKind, tuple[Kind, ...]] = {
    ItemKind.CADENCE: (Kind.CALL, Kind.MEETING, Kind.MESSAGE),
    ItemKind.ONLINE_ONLY: (Kind.CALL, Kind.VIDEO_CALL, Kind.MEETING),
    ItemKind.PROSPECT: (Kind.CALL, Kind.MEETING, Kind.EMAIL),
    ItemKind.ONE_OFF: (Kind.CALL, Kind.MEETING, Kind.MESSAGE),
}
# R6 at the target: what Today records in one click, as the contact page does.
OUTCOMES = (ProspectStatus.CUSTOMER, ProspectStatus.NOT_NOW)


class DoesNotCount(ValueError):
    """A touch of a kind that does not clear the item (an e-mail for an online-only contact)."""


def only_a_touch_clears(kind: ItemKind) -> bool:
    """The item has no plain "done": a touch that counts for its rule takes it off."""
    return kind in COUNTING_KINDS


def counts_for(kind: ItemKind, log: str) -> bool:
    """Whether a touch of kind `log` clears an item of `kind` (any touch, for items with "done")."""
    return log in COUNTING_KINDS.get(kind, frozenset(Kind.values))


def log_choices(kind: ItemKind, *, gesture: str | None = None) -> list[tuple[str, str]]:
    """The one-click touches of an item, as (kind, label): the gesture's own, or its rule's."""
    kinds = [Kind(gesture)] if gesture is not None else list(LOG_KINDS.get(kind, ()))
    return [(log.value, str(log.label)) for log in kinds]


def log_clearing_touch(kind: ItemKind, *, contact: Contact, log: str, now: datetime) -> Touchpoint:
    """Log the touch that clears an item only a touch clears; nothing is stored about the item."""
    if not counts_for(kind, log):
        raise DoesNotCount(f"a {log} does not clear a {kind} item")
    return ledger.log_touch(contact, kind=log, happened_at=now)
