"""The method's rules as pure functions of a contact's stored state, its owner's settings and `now`.

Nothing here queries the database or reads the clock: views, tasks, the admin and the commands
pass `now` in, and the same answers come out everywhere. Rule numbers refer to PRODUCT.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.db import models
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from contacts.choices import IN_PERSON_CHANNELS, ONLINE_CHANNELS, ProspectStatus, Sorting
from contacts.models import Contact
from contacts.moments import ASKED_TO_MEET, day_start

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

    from netzwerk.accounts.models import User

DAY = timedelta(days=1)


def utc(moment: datetime) -> datetime:
    """Python subtracts two times of one zone by their wall clocks; in UTC a day is 24 hours."""
    return moment.astimezone(UTC)


def whole_days(delta: timedelta) -> int:
    return delta // DAY


def calendar_days(start: datetime, end: datetime, zone: ZoneInfo) -> int:
    """Days from `start` to `end` on the calendar of `zone`: yesterday evening is 1 day ago."""
    return (end.astimezone(zone).date() - start.astimezone(zone).date()).days


# ---------------------------------------------------------------- R1, R10 sorting


def waits_to_be_sorted(contact: Contact) -> bool:
    """Imported and not sorted yet: no rule asks about it (Today, the digest and the calendar
    feed leave it out). Once sorted, its rules count from `sorted_at` at the earliest."""
    return contact.waits_to_be_sorted


# ---------------------------------------------------------------- R7 cadence


class CadenceStatus(models.TextChoices):
    GREEN = "green", _("In touch")
    YELLOW = "yellow", _("Due soon")
    RED = "red", _("Overdue")


@dataclass(frozen=True)
class Cadence:
    status: CadenceStatus
    days_since: int
    ideal: int
    maximum: int
    reference: datetime
    yellow_from: datetime  # the owner's midnight after the ideal interval's last day
    since_sorted: bool = False  # the reference is the day the contact was sorted, not a touch


def cadence_reference(contact: Contact) -> datetime:
    """The last qualifying touch; a contact never touched counts from the day it was added. A
    sorted contact counts from the day it was sorted at the earliest: messages from 2019 do not
    make a contact sorted today overdue (contacts.moments.CADENCE_REFERENCE, stored)."""
    touched = contact.last_touch_at or contact.created_at
    if contact.sorted_at is not None and utc(contact.sorted_at) > utc(touched):
        return contact.sorted_at
    return touched


def cadence(contact: Contact, *, owner: User, now: datetime) -> Cadence:
    """Green within the circle's ideal interval, yellow up to its maximum, red beyond, in the
    owner's calendar days: what the page says ("30 days ago", "every 30–45 days") and the colour
    agree (contacts.moments.cadence_due_before, the same in SQL)."""
    ideal, maximum = owner.cadence(contact.circle)
    reference = utc(cadence_reference(contact))
    since_sorted = contact.sorted_at is not None and reference == utc(contact.sorted_at)
    days = max(calendar_days(reference, now, owner.zone), 0)
    if days <= ideal:
        status = CadenceStatus.GREEN
    elif days <= maximum:
        status = CadenceStatus.YELLOW
    else:
        status = CadenceStatus.RED
    touched_on = reference.astimezone(owner.zone).date()
    yellow_from = day_start(touched_on + timedelta(days=ideal + 1), owner.zone)
    return Cadence(status, days, ideal, maximum, reference, yellow_from, since_sorted)


# ---------------------------------------------------------------- R1 online-only


@dataclass(frozen=True)
class OnlineOnly:
    since: datetime
    due_at: datetime
    is_due: bool


def first_contact_at(contact: Contact) -> datetime:
    """The real first contact (what the page shows): the first touch, or the day added."""
    if contact.first_touch_at is None:
        return utc(contact.created_at)
    return min(utc(contact.first_touch_at), utc(contact.created_at))


def online_window_start(contact: Contact) -> datetime:
    """Where the window counts from: the first contact, or the day sorted if later (sorted as
    "pursue" today, a LinkedIn connection from 2018 is due in 14 days, not at once)."""
    since = first_contact_at(contact)
    return max(since, utc(contact.sorted_at)) if contact.sorted_at is not None else since


def online_only(contact: Contact, *, owner: User, now: datetime) -> OnlineOnly | None:
    """Known only online: no personal touch yet, and first met online (R1's origins).

    Due for "arrange a call or meeting" once the owner's window has passed since first contact
    (or since sorting). Not while the contact waits to be sorted, and never once sorted as
    "keep loose": the user chose not to pursue it; always once sorted as "pursue".
    """
    if contact.is_archived or contact.first_personal_touch_at is not None:
        return None
    if contact.sorting not in ASKED_TO_MEET and not contact.is_strong_tie:
        return None
    # Only an online origin makes a contact online-only (digital touches with someone met at a
    # fair do not); "pursue" is the user's own decision to meet soon, unless met in person.
    pursued = contact.sorting == Sorting.PURSUE and contact.how_met not in IN_PERSON_CHANNELS
    if not (contact.how_met in ONLINE_CHANNELS or pursued):
        return None
    due_at = online_window_start(contact) + owner.online_window_days * DAY
    return OnlineOnly(since=first_contact_at(contact), due_at=due_at, is_due=utc(now) >= due_at)


# ---------------------------------------------------------------- R6 seven touches


@dataclass(frozen=True)
class ProspectProgress:
    touches: int
    target: int
    next_due_at: datetime | None
    is_next_due: bool
    needs_outcome: bool

    @property
    def label(self) -> str:
        return f"{min(self.touches, self.target)}/{self.target}"

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.touches / self.target))


def prospect_counts_from(since: datetime) -> datetime:
    """R6: touches count from the minute the contact became a prospect. A touch's time is
    entered in minutes, so one logged in that minute is at most seconds before `since` and
    counts (touchpoints/summary.py, in Python and in SQL)."""
    return since.replace(second=0, microsecond=0)


def prospect_progress(contact: Contact, *, owner: User, now: datetime) -> ProspectProgress | None:
    """A prospect's qualifying touches towards the target; the next one is due every N days."""
    if contact.prospect_status != ProspectStatus.PROSPECT or contact.prospect_since is None:
        return None
    target = owner.prospect_target
    if contact.prospect_touches >= target:
        return ProspectProgress(contact.prospect_touches, target, None, False, needs_outcome=True)
    last = max(utc(contact.prospect_since), utc(contact.last_touch_at or contact.prospect_since))
    next_due_at = last + owner.prospect_interval_days * DAY
    return ProspectProgress(
        contact.prospect_touches, target, next_due_at, utc(now) >= next_due_at, needs_outcome=False
    )


# ---------------------------------------------------------------- R4 give and take


@dataclass(frozen=True)
class Balance:
    gives: int
    asks: int

    @property
    def net(self) -> int:
        return self.gives - self.asks

    @property
    def warn_on_ask(self) -> bool:
        """Asking someone you have never given to: allowed, but worth a second thought."""
        return self.gives == 0


def balance(contact: Contact) -> Balance:
    return Balance(gives=contact.gives, asks=contact.asks)


# ---------------------------------------------------------------- strength


@dataclass(frozen=True)
class StrengthPart:
    name: str
    label: _StrPromise
    points: int
    maximum: int
    explanation: str


@dataclass(frozen=True)
class Strength:
    parts: tuple[StrengthPart, ...]

    @property
    def score(self) -> int:
        return sum(part.points for part in self.parts)


RECENCY_POINTS, FREQUENCY_POINTS, PERSONAL_POINTS, RECIPROCITY_POINTS = 40, 25, 20, 15
RECENCY_HORIZON_DAYS = 365
FULL_FREQUENCY_PER_YEAR = 12  # a touch a month earns every frequency point


def strength(contact: Contact, *, now: datetime, zone: ZoneInfo | None = None) -> Strength:
    """0-100 from four visible parts: recency, frequency, personal share and reciprocity. With the
    owner's `zone`, recency counts their calendar days, as a page shows them beside the cadence;
    without (an order, shown nowhere), whole days of 24 hours."""
    return Strength(
        parts=(
            _recency(contact, now=now, zone=zone),
            _frequency(contact, now=now),
            _personal_share(contact),
            _reciprocity(contact),
        )
    )


def _recency(contact: Contact, *, now: datetime, zone: ZoneInfo | None) -> StrengthPart:
    if contact.last_touch_at is None:
        return StrengthPart("recency", _("Recency"), 0, RECENCY_POINTS, str(_("no touch yet")))
    if zone is None:
        days = max(whole_days(utc(now) - utc(contact.last_touch_at)), 0)
    else:
        days = max(calendar_days(contact.last_touch_at, now, zone), 0)
    share = max(0.0, 1 - days / RECENCY_HORIZON_DAYS)
    explanation = ngettext(
        "last touch %(days)d day ago; nothing after a year",
        "last touch %(days)d days ago; nothing after a year",
        days,
    ) % {"days": days}
    return StrengthPart("recency", _("Recency"), round(RECENCY_POINTS * share), RECENCY_POINTS, explanation)


def _frequency(contact: Contact, *, now: datetime) -> StrengthPart:
    if contact.first_touch_at is None:
        return StrengthPart("frequency", _("Frequency"), 0, FREQUENCY_POINTS, str(_("no touch yet")))
    # Known for at least a quarter, so a fresh contact with two touches is not "weekly".
    years = max((utc(now) - utc(contact.first_touch_at)) / (365 * DAY), 0.25)
    per_year = contact.touch_count / years
    points = round(FREQUENCY_POINTS * min(1.0, per_year / FULL_FREQUENCY_PER_YEAR))
    explanation = str(_("%(rate)s touches a year; monthly earns all points")) % {
        "rate": number_format(per_year, decimal_pos=1)
    }
    return StrengthPart("frequency", _("Frequency"), points, FREQUENCY_POINTS, explanation)


def _personal_share(contact: Contact) -> StrengthPart:
    if contact.touch_count == 0:
        return StrengthPart("personal", _("Personal share"), 0, PERSONAL_POINTS, str(_("no touch yet")))
    share = contact.personal_touch_count / contact.touch_count
    explanation = str(_("%(personal)d of %(all)d touches in person, by phone or by hand")) % {
        "personal": contact.personal_touch_count,
        "all": contact.touch_count,
    }
    return StrengthPart(
        "personal", _("Personal share"), round(PERSONAL_POINTS * share), PERSONAL_POINTS, explanation
    )


def _reciprocity(contact: Contact) -> StrengthPart:
    """Up to 10 points when they start half the touches, 5 more when giving keeps up with asking."""
    their_share = contact.their_touch_count / contact.touch_count if contact.touch_count else 0.0
    initiative = 10 * min(1.0, 2 * their_share)
    giving = 5 if contact.gives > 0 and contact.gives >= contact.asks else 0
    explanation = str(_("%(percent)d%% of touches came from them; given %(gives)d, asked %(asks)d")) % {
        "percent": round(100 * their_share),
        "gives": contact.gives,
        "asks": contact.asks,
    }
    return StrengthPart(
        "reciprocity", _("Reciprocity"), round(initiative) + giving, RECIPROCITY_POINTS, explanation
    )


# ---------------------------------------------------------------- R2 swap-out order

NEVER = datetime.min.replace(tzinfo=UTC)


def swap_out_order(strong_ties: list[Contact], *, now: datetime) -> list[Contact]:
    """Who to demote first: longest since a personal touch (never first), then the weakest."""
    return sorted(
        strong_ties,
        key=lambda c: (
            utc(c.last_personal_touch_at) if c.last_personal_touch_at else NEVER,
            strength(c, now=now).score,
            c.pk,
        ),
    )


# ---------------------------------------------------------------- R10 promotion order


def promotion_order(contacts: list[Contact], *, now: datetime) -> list[Contact]:
    """Who could join the strong ties first: key positions first (R9), then the strongest, then
    the most recent personal touch."""
    return sorted(
        contacts,
        key=lambda c: (
            not c.key_position,
            -strength(c, now=now).score,
            -(utc(c.last_personal_touch_at) if c.last_personal_touch_at else NEVER).timestamp(),
            c.pk,
        ),
    )


# ---------------------------------------------------------------- all of them, for a page


class ContactState:
    """What the rules say of a contact on a page. The balance and the strength are worked out when
    first read: the list shows neither, and the strength's explanations are translated text."""

    def __init__(self, contact: Contact, *, owner: User, now: datetime) -> None:
        self.contact, self.owner, self.now = contact, owner, now
        self.cadence = cadence(contact, owner=owner, now=now)
        self.online_only = online_only(contact, owner=owner, now=now)
        self.prospect = prospect_progress(contact, owner=owner, now=now)

    @cached_property
    def balance(self) -> Balance:
        return balance(self.contact)

    @cached_property
    def strength(self) -> Strength:
        return strength(self.contact, now=self.now, zone=self.owner.zone)


def evaluate(contact: Contact, *, owner: User, now: datetime) -> ContactState:
    return ContactState(contact, owner=owner, now=now)
