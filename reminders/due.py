"""What is due for a user on their local day: the Today page and the digest both ask here.

Six sections, in this order: cadences gone yellow or red (R7), birthday gestures (R8), promises
due or overdue (R3), prospects' next touch (R6), online-only contacts past their window (R1) and
the quarterly roster review (R10). Each section is one query whatever the size of the network
(birthdays two): the filter runs in SQL, the first rows come back with the section's total
counted by a window function, and the rules in contacts/rules.py describe the rows shown.

An item the user snoozed (until a day) or marked done is left out. A done follow-up rests for its
rule's interval (the circle's ideal interval, the prospect interval, the online window) and then
asks again if still due; a done birthday gesture is done for that birthday. See `mark_done`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Subquery, When, Window

from contacts import rules
from contacts.models import ONLINE_CHANNELS, Circle, Contact, ContactQuerySet, ProspectStatus
from netzwerk.accounts.models import User
from reminders.birthdays import GestureDue, age_on, birthdays_due_q, gestures_due, lead_days_of
from reminders.models import Reminder, ReminderState, RosterReview
from touchpoints import ledger
from touchpoints.kinds import Kind
from touchpoints.models import OPEN_PROMISE, Touchpoint

# Rows shown per section on Today and in the digest (the total is counted in full), and when the
# user asks for the whole section.
SHOWN = 5
SHOWN_ALL = 100
SNOOZE_DAYS = (1, 3, 7)
# R10: the roster is reviewed every quarter, the first time a quarter after joining.
REVIEW_INTERVAL = timedelta(days=91)
# rules.first_contact_at: the first touch, or the day added if that was earlier (or no touch yet).
EARLIER_OF_FIRST_TOUCH_AND_CREATION = Case(
    When(first_touch_at__lt=F("created_at"), then=F("first_touch_at")), default=F("created_at")
)
CIRCLE_ORDER = Case(When(circle=Circle.STRONG, then=0), When(circle=Circle.REGULAR, then=1), default=2)


@dataclass(frozen=True)
class Item:
    kind: Reminder
    contact: Contact | None = None
    touch: Touchpoint | None = None
    gesture: GestureDue | None = None
    age: int | None = None
    ahead: int = 0
    cadence: rules.Cadence | None = None
    prospect: rules.ProspectProgress | None = None
    online: rules.OnlineOnly | None = None
    review_due: date | None = None

    @property
    def log_kind(self) -> str | None:
        """The touch a done click can log with it: the gesture's, or a call for a follow-up."""
        if self.gesture is not None:
            return self.gesture.kind
        if self.kind in (Reminder.CADENCE, Reminder.PROSPECT, Reminder.ONLINE_ONLY):
            return Kind.CALL
        return None

    @property
    def log_label(self) -> str:
        return str(Kind(self.log_kind).label) if self.log_kind else ""

    @property
    def occasion(self) -> str:
        """What the key adds to the contact: the birthday and gesture."""
        return self.gesture.occasion if self.gesture is not None else ""

    @property
    def key(self) -> str:
        """The name its snooze and done are stored under (see `_state`)."""
        return item_key(
            self.kind,
            contact=self.contact.pk if self.contact else None,
            touch=self.touch.pk if self.touch else None,
            occasion=self.occasion,
        )


@dataclass(frozen=True)
class Section:
    kind: Reminder
    items: list[Item]
    total: int
    counts: dict[str, int] = field(default_factory=dict)
    expanded: bool = False  # all items asked for, not the first SHOWN

    @property
    def more(self) -> int:
        return self.total - len(self.items)


@dataclass(frozen=True)
class Today:
    day: date
    sections: list[Section]

    @property
    def total(self) -> int:
        return sum(section.total for section in self.sections)

    @property
    def due(self) -> list[Section]:
        return [section for section in self.sections if section.total]


def item_key(kind: str, *, contact: int | None = None, touch: int | None = None, occasion: str = "") -> str:
    """`kind:contact[:occasion]`, or `promise:touch` (a promise is its touch's), or just `kind`."""
    parts = [kind, str(touch or contact or "")]
    if occasion:
        parts.append(occasion)
    return ":".join(parts)


# ---------------------------------------------------------------- the sections


def today_for(user: User, *, now: datetime, expanded: str | None = None) -> Today:
    """Every section; the `expanded` one with up to SHOWN_ALL items."""
    day = user.local_date(now)
    sections = [
        section_for(user, kind, now=now, limit=SHOWN_ALL if kind == expanded else SHOWN) for kind in Reminder
    ]
    return Today(day, sections)


def section_for(user: User, kind: Reminder, *, now: datetime, limit: int | None = None) -> Section:
    """One section: its first `limit` items (SHOWN by default) and its total."""
    section = SECTIONS[kind](user, now, user.local_date(now), limit or SHOWN)
    return replace(section, expanded=(limit or SHOWN) > SHOWN)


# What the items show and the rules read: the rest of a contact (notes, links) stays in the database.
CONTACT_FIELDS = (
    "id",
    "owner_id",
    "first_name",
    "last_name",
    "circle",
    "created_at",
    "archived_at",
    "how_met",
    "birthday_day",
    "birthday_month",
    "birthday_year",
    "prospect_status",
    "prospect_since",
    "prospect_touches",
    "first_touch_at",
    "last_touch_at",
    "first_personal_touch_at",
    "touch_count",
    "personal_touch_count",
)
PROMISE_FIELDS = ("id", "contact_id", "kind", "happened_at", "promise", "promise_due", "promise_kept_at")


def _contacts(user: User) -> ContactQuerySet:
    return Contact.objects.for_owner(user).active().only(*CONTACT_FIELDS)


def _states(user: User, kind: Reminder) -> QuerySet[ReminderState]:
    return ReminderState.objects.filter(owner=user, kind=kind)


def _snoozed(user: User, kind: Reminder, today: date, *, link: str = "contact") -> Exists:
    """A state of the outer row's item that hides it past today (snoozed, or done: see `mark_done`)."""
    return Exists(_states(user, kind).filter(snoozed_until__gt=today, **{link: OuterRef("pk")}))


def _windowed(rows: QuerySet[Any], limit: int, **counts: Q) -> tuple[list[Any], int, dict[str, int]]:
    """The first rows, with the total and named counts over all rows, in one query."""
    annotated = rows.annotate(
        section_total=Window(Count("pk")),
        **{f"count_{name}": Window(Count("pk", filter=condition)) for name, condition in counts.items()},
    )
    shown = list(annotated[:limit])
    if not shown:
        return [], 0, dict.fromkeys(counts, 0)
    first = shown[0]
    return shown, first.section_total, {name: getattr(first, f"count_{name}") for name in counts}


def _contact_section(
    kind: Reminder,
    contacts: QuerySet[Contact],
    describe: Callable[[Contact], dict[str, Any]],
    limit: int,
    **counts: Q,
) -> Section:
    """One item per contact of the first rows; `describe` adds what the rules say of it."""
    shown, total, found = _windowed(contacts, limit, **counts)
    items = [Item(kind, contact=contact, **describe(contact)) for contact in shown]
    return Section(kind, items, total, found)


def _cadence(user: User, now: datetime, today: date, limit: int) -> Section:
    """R7: yellow and red cadences, red first, strong ties before the others, longest first."""
    ranked = _contacts(user).with_cadence_rank(user, now=now)
    # django-stubs cannot follow with_cadence_rank's annotations.
    contacts = (
        ranked.filter(cadence_rank__gte=1)  # type: ignore[misc]
        .exclude(_snoozed(user, Reminder.CADENCE, today))
        .alias(circle_order=CIRCLE_ORDER)
        .order_by("-cadence_rank", "circle_order", "cadence_reference", "pk")
    )
    return _contact_section(
        Reminder.CADENCE,
        contacts,
        lambda contact: {"cadence": rules.cadence(contact, owner=user, now=now)},
        limit,
        red=Q(cadence_rank=2),
        yellow=Q(cadence_rank=1),
    )


def _birthdays(user: User, now: datetime, today: date, limit: int) -> Section:
    """R8: the gesture due for each birthday ahead, soonest first (two queries)."""
    leads = lead_days_of(user)
    contacts = _contacts(user).filter(birthdays_due_q(today=today, lead_days=leads))
    due = [
        Item(
            Reminder.BIRTHDAY,
            contact=contact,
            gesture=gesture,
            age=age_on(contact.birthday_year, gesture.celebration),
            ahead=(gesture.celebration - today).days,
        )
        for contact in contacts
        if contact.birthday_month is not None and contact.birthday_day is not None
        for gesture in gestures_due(
            contact.birthday_month, contact.birthday_day, today=today, lead_days=leads
        )
    ]
    hidden = (
        set(
            _states(user, Reminder.BIRTHDAY)
            .filter(Q(snoozed_until__gt=today) | Q(done_at__isnull=False), key__in=[item.key for item in due])
            .values_list("key", flat=True)
        )
        if due
        else set()
    )
    items = sorted(
        (item for item in due if item.key not in hidden),
        key=lambda item: (
            item.gesture.celebration if item.gesture else today,
            item.contact.name if item.contact else "",
        ),
    )
    return Section(Reminder.BIRTHDAY, items[:limit], len(items))


def _promises(user: User, now: datetime, today: date, limit: int) -> Section:
    """R3: open promises due today or before, the most overdue first."""
    touches = (
        Touchpoint.objects.for_owner(user)
        .filter(
            OPEN_PROMISE,
            promise_due__lte=today,
            contact__archived_at__isnull=True,
            contact__open_promises__gt=0,
        )
        .exclude(_snoozed(user, Reminder.PROMISE, today, link="touchpoint"))
        .select_related("contact")
        .only(*PROMISE_FIELDS, *(f"contact__{name}" for name in CONTACT_FIELDS))
        .order_by("promise_due", "happened_at", "pk")
    )
    shown, total, counts = _windowed(touches, limit, overdue=Q(promise_due__lt=today))
    items = [Item(Reminder.PROMISE, contact=touch.contact, touch=touch) for touch in shown]
    return Section(Reminder.PROMISE, items, total, counts)


def _prospects(user: User, now: datetime, today: date, limit: int) -> Section:
    """R6: prospects whose next touch is due, and those at the target waiting for an outcome."""
    reference = Case(
        When(last_touch_at__gt=F("prospect_since"), then=F("last_touch_at")), default=F("prospect_since")
    )
    due_before = rules.utc(now) - timedelta(days=user.prospect_interval_days)
    at_target = Q(prospect_touches__gte=user.prospect_target)
    contacts = (
        _contacts(user)
        .filter(prospect_status=ProspectStatus.PROSPECT, prospect_since__isnull=False)
        .annotate(prospect_reference=reference)
        .filter(at_target | Q(prospect_reference__lte=due_before))
        .exclude(_snoozed(user, Reminder.PROSPECT, today))
        .order_by("-prospect_touches", "prospect_reference", "pk")
    )
    return _contact_section(
        Reminder.PROSPECT,
        contacts,
        lambda contact: {"prospect": rules.prospect_progress(contact, owner=user, now=now)},
        limit,
        decide=at_target,
    )


def _online_only(user: User, now: datetime, today: date, limit: int) -> Section:
    """R1: known only online past the window: arrange a call or a meeting, longest waiting first."""
    due_before = rules.utc(now) - timedelta(days=user.online_window_days)
    contacts = (
        _contacts(user)
        .filter(first_personal_touch_at__isnull=True)
        .filter(Q(how_met__in=ONLINE_CHANNELS) | Q(touch_count__gt=0, personal_touch_count=0))
        .filter(Q(created_at__lte=due_before) | Q(first_touch_at__lte=due_before))
        .exclude(_snoozed(user, Reminder.ONLINE_ONLY, today))
        .annotate(first_contact=EARLIER_OF_FIRST_TOUCH_AND_CREATION)
        .order_by("first_contact", "pk")
    )
    return _contact_section(
        Reminder.ONLINE_ONLY,
        contacts,
        lambda contact: {"online": rules.online_only(contact, owner=user, now=now)},
        limit,
    )


def review_due_on(user: User, last_review: datetime | None) -> date:
    start = last_review or user.date_joined
    return user.local_date(start + REVIEW_INTERVAL)


def record_roster_review(user: User, *, now: datetime, strong_ties: int) -> date:
    """R10: the review is done, with the roster it left; returns the day the next one is due."""
    RosterReview.objects.create(owner=user, reviewed_at=now, strong_ties=strong_ties)
    return review_due_on(user, now)


def _roster_review(user: User, now: datetime, today: date, limit: int) -> Section:
    """R10: a quarter after the last review (or after joining), while there are strong ties."""
    found = (
        User.objects.filter(pk=user.pk)
        .annotate(
            strong=Count("contacts", filter=Q(contacts__circle=Circle.STRONG)),
            snoozed=Exists(_states(user, Reminder.ROSTER_REVIEW).filter(snoozed_until__gt=today)),
            last_review=Subquery(
                RosterReview.objects.filter(owner=OuterRef("pk"))
                .order_by("-reviewed_at")
                .values("reviewed_at")[:1]
            ),
        )
        .values("strong", "snoozed", "last_review")
        .get()
    )
    due_on = review_due_on(user, found["last_review"])
    if not found["strong"] or found["snoozed"] or due_on > today:
        return Section(Reminder.ROSTER_REVIEW, [], 0)
    item = Item(Reminder.ROSTER_REVIEW, review_due=due_on)
    return Section(Reminder.ROSTER_REVIEW, [item], 1)


SECTIONS = {
    Reminder.CADENCE: _cadence,
    Reminder.BIRTHDAY: _birthdays,
    Reminder.PROMISE: _promises,
    Reminder.PROSPECT: _prospects,
    Reminder.ONLINE_ONLY: _online_only,
    Reminder.ROSTER_REVIEW: _roster_review,
}


# ---------------------------------------------------------------- snooze and done


def _state(
    user: User, kind: Reminder, *, contact: Contact | None, touch: Touchpoint | None, occasion: str
) -> ReminderState:
    """The item's state row, locked; the key names the item (see `item_key`)."""
    key = item_key(
        kind, contact=contact.pk if contact else None, touch=touch.pk if touch else None, occasion=occasion
    )
    state, _created = ReminderState.objects.select_for_update().get_or_create(
        owner=user, key=key, defaults={"kind": kind, "contact": contact, "touchpoint": touch}
    )
    return state


def snooze(
    user: User,
    kind: Reminder,
    *,
    days: int,
    now: datetime,
    contact: Contact | None = None,
    touch: Touchpoint | None = None,
    occasion: str = "",
) -> date:
    """Hide the item until `days` local days from today; returns the day it comes back."""
    if days not in SNOOZE_DAYS:
        raise ValueError(f"snooze for one of {SNOOZE_DAYS} days, not {days}")
    until = user.local_date(now) + timedelta(days=days)
    with transaction.atomic():
        state = _state(user, kind, contact=contact, touch=touch, occasion=occasion)
        state.snoozed_until = until
        state.save(update_fields=["snoozed_until", "updated_at"])
    return until


def _rest_days(user: User, kind: Reminder, contact: Contact | None) -> int | None:
    if kind == Reminder.CADENCE and contact is not None:
        return user.cadence(contact.circle)[0]
    if kind == Reminder.PROSPECT:
        return user.prospect_interval_days
    if kind == Reminder.ONLINE_ONLY:
        return user.online_window_days
    return None


def mark_done(
    user: User,
    kind: Reminder,
    *,
    now: datetime,
    contact: Contact | None = None,
    touch: Touchpoint | None = None,
    occasion: str = "",
    log: str | None = None,
) -> Touchpoint | None:
    """Done, and with `log` the touch of that kind in the same transaction. A promise is kept.

    A follow-up then rests for its rule's interval: "done" without a logged touch means the
    user dealt with it elsewhere, and the rule asks again a full interval later if still due.
    """
    rest = _rest_days(user, kind, contact)
    logged = None
    with transaction.atomic():
        if touch is not None and touch.has_open_promise:
            ledger.edit_touch(touch, promise_kept_at=now)
        if log is not None and contact is not None:
            logged = ledger.log_touch(contact, kind=log, happened_at=now)
        state = _state(user, kind, contact=contact, touch=touch, occasion=occasion)
        state.done_at = now
        state.snoozed_until = user.local_date(now) + timedelta(days=rest) if rest else None
        state.save(update_fields=["done_at", "snoozed_until", "updated_at"])
    return logged
