"""What is due for a user on their local day: the Today page and the digest both ask here.

Seven sections, in this order: cadences gone yellow or red (R7), birthday gestures (R8), promises
due or overdue (R3), the user's one-off reminders on their day or overdue (reminders/one_offs.py),
prospects' next touch (R6), online-only contacts past their window (R1) and the quarterly roster
review (R10). The same five queries, whatever the size of the networks, find them for one user
(the page) or for a chunk of users (the digest): the four contact sections in one statement, the
birthdays' snoozes, the promises, the one-off reminders, the review. The filters run in
SQL, each user's first rows come back with the totals counted by window functions, and the rules
in contacts/rules.py describe the rows shown. `kept` keeps the rendered page until it may change.

Imported contacts waiting to be sorted (contacts.models.WAITING_TO_BE_SORTED) are in none of the
sections about contacts until the user sorts them, and in no coach's count; Today shows how many
wait. Their promises are the exception: an import brings none, so any is one the user made
(R3: a promise is kept whatever the contact's sorting).

An item the user snoozed (until a day) or marked done is left out. A cadence, a prospect's next
touch or an online-only contact has no "done": only a touch that counts for its rule clears it
(reminders/clearing.py). A done birthday gesture is done for that birthday. See `mark_done`.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from functools import cached_property
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import DateTimeField, Value
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext

from contacts import rules
from contacts.models import (
    IN_PERSON_CHANNELS,
    ONLINE_CHANNELS,
    Circle,
    Contact,
    ContactPhone,
    ProspectStatus,
    Sorting,
    cadence_rank_case,
    cadence_reference_sql,
    waiting_to_be_sorted_sql,
)
from netzwerk.accounts.models import User
from netzwerk.cache import delete_prefixed
from reminders import clearing, one_offs
from reminders.birthdays import GestureDue, age_on, birthday_days, gestures_due, lead_days_of
from reminders.models import Reminder, ReminderState, RosterReview
from reminders.reach import reach, reach_columns
from touchpoints import ledger
from touchpoints.models import OneOffReminder, Touchpoint

# Rows shown per section on Today and in the digest (the total is counted in full), and when the
# user asks for the whole section.
SHOWN = 5
SHOWN_ALL = 100
SNOOZE_DAYS = (1, 3, 7)
# R10: the roster is reviewed every quarter, the first time a quarter after joining.
REVIEW_INTERVAL = timedelta(days=91)
# The count of imported contacts waiting to be sorted, among the review section's counts.
TO_SORT = "to_sort"


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
    # The contact's first phone (E.164) and e-mail address: Today offers a call and an e-mail.
    phone: str = ""
    email: str = ""
    one_off: OneOffReminder | None = None

    @property
    def logs(self) -> list[tuple[str, str]]:
        """The touches one click logs: the gesture's, those of its rule; none at R6's target."""
        if self.prospect is not None and self.prospect.needs_outcome:
            return []
        return clearing.log_choices(self.kind, gesture=self.gesture.kind if self.gesture else None)

    @property
    def has_done(self) -> bool:
        return not clearing.only_a_touch_clears(self.kind) and not (
            self.prospect and self.prospect.needs_outcome
        )

    @property
    def occasion(self) -> str:
        """What the key adds to the contact: the birthday and gesture, or the one-off reminder."""
        if self.one_off is not None:
            return str(self.one_off.pk)  # reminders.one_offs.state_key
        return self.gesture.occasion if self.gesture is not None else ""

    @cached_property
    def url(self) -> str:
        """The contact's page (an item is rendered twice in the digest: text and HTML)."""
        return self.contact.get_absolute_url() if self.contact is not None else ""

    @cached_property
    def meta(self) -> str:
        """The line under the item, in the language and time zone active when first read (items
        are built and rendered for one reader: the page, a digest)."""
        if self.cadence is not None and self.contact is not None:
            days, since = self.cadence.days_since, self.contact.last_touch_at
            if self.cadence.since_sorted:
                last = ngettext(
                    "sorted %(days)s day ago, no touch since",
                    "sorted %(days)s days ago, no touch since",
                    days,
                )
            elif since:
                last = ngettext("last touch %(days)s day ago", "last touch %(days)s days ago", days)
            else:
                last = ngettext(
                    "added %(days)s day ago, no touch yet", "added %(days)s days ago, no touch yet", days
                )
            last %= {"days": days}
            every = gettext("every %(ideal)s–%(maximum)s days") % {
                "ideal": self.cadence.ideal,
                "maximum": self.cadence.maximum,
            }
            return f"{self.contact.get_circle_display()} · {last} · {every}"
        if self.gesture is not None:
            day = date_format(self.gesture.celebration, "MONTH_DAY_FORMAT")
            if self.age:
                return gettext("turns %(age)s on %(day)s") % {"age": self.age, "day": day}
            return gettext("birthday on %(day)s") % {"day": day}
        if self.touch is not None and self.touch.promise_due is not None:
            return gettext("promised by %(day)s") % {
                "day": date_format(self.touch.promise_due, "DATE_FORMAT")
            }
        if self.prospect is not None:
            if self.prospect.needs_outcome or self.prospect.next_due_at is None:
                return gettext("Target reached: customer or not now? Record the outcome.")
            day = date_format(timezone.localtime(self.prospect.next_due_at), "DATE_FORMAT")
            return gettext("next touch due on %(day)s") % {"day": day}
        if self.online is not None:
            online_since = date_format(timezone.localtime(self.online.since), "DATE_FORMAT")
            return gettext("known only online since %(since)s: arrange a call or a meeting") % {
                "since": online_since
            }
        if self.review_due is not None:
            return gettext("due since %(day)s") % {"day": date_format(self.review_due, "DATE_FORMAT")}
        if self.one_off is not None:
            return self._one_off_meta(self.one_off)
        return ""

    def _one_off_meta(self, reminder: OneOffReminder) -> str:
        """Due today, or since its day (the Today it was built for: see `ahead`)."""
        if self.ahead < 0:
            return gettext("due since %(day)s") % {"day": date_format(reminder.due_on, "DATE_FORMAT")}
        return gettext("today")

    @property
    def phone_display(self) -> str:
        return ContactPhone(number=self.phone).display if self.phone else ""

    @property
    def when(self) -> str:
        """How far ahead a birthday is: "in 3 days", or "today"."""
        if self.ahead:
            return ngettext("in %(days)s day", "in %(days)s days", self.ahead) % {"days": self.ahead}
        return gettext("today")

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

    @property
    def to_sort(self) -> int:
        """Imported contacts waiting to be sorted (R10), counted with the roster review."""
        return sum(section.counts.get(TO_SORT, 0) for section in self.sections)


def item_key(kind: str, *, contact: int | None = None, touch: int | None = None, occasion: str = "") -> str:
    """`kind:contact[:occasion]`, or `promise:touch` (a promise is its touch's), or just `kind`."""
    parts = [kind, str(touch or contact or "")]
    if occasion:
        parts.append(occasion)
    return ":".join(parts)


# ---------------------------------------------------------------- the sections


def today_for(user: User, *, now: datetime, expanded: str | None = None) -> Today:
    """Every section; the `expanded` one with up to SHOWN_ALL items."""
    return todays_for([user], now=now, expanded=expanded)[user.pk]


def todays_for(users: Sequence[User], *, now: datetime, expanded: str | None = None) -> dict[int, Today]:
    """`today_for` for several users at once (a digest batch), in the same five queries."""
    users = list({user.pk: user for user in users}.values())  # each once: rows are per owner
    if not users:
        return {}
    limits = {kind: SHOWN_ALL if kind == expanded else SHOWN for kind in Reminder}
    found = _contact_sections(users, now, {kind: limits[kind] for kind in CONTACT_SECTIONS})
    for kind, sections in OTHER_SECTIONS.items():
        for pk, section in sections(users, now, limits[kind]).items():
            found[pk][kind] = section
    return {
        user.pk: Today(
            user.local_date(now),
            [replace(found[user.pk][kind], expanded=limits[kind] > SHOWN) for kind in Reminder],
        )
        for user in users
    }


def section_for(user: User, kind: Reminder, *, now: datetime, limit: int | None = None) -> Section:
    """One section: its first `limit` items (SHOWN by default) and its total."""
    limit = limit or SHOWN
    if kind in CONTACT_SECTIONS:
        section = _contact_sections([user], now, {kind: limit})[user.pk][kind]
    else:
        section = OTHER_SECTIONS[kind]([user], now, limit)[user.pk]
    return replace(section, expanded=limit > SHOWN)


# ---------------------------------------------------------------- Today, kept until it changes


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
    day's end, and the next moment a cadence, prospect or online-only window passes or a shown
    "N days ago" ticks over. Within those bounds, what is kept is what `today_for` gives.
    """
    settings_values = [
        getattr(user, f.attname) for f in User._meta.concrete_fields if f.attname not in VOLATILE
    ]
    fingerprint = hashlib.sha256(repr((_stamp(user), settings_values, expanded)).encode()).hexdigest()
    key = f"{kept_prefix(user.pk)}{variant}:{fingerprint}"
    found = cache.get(key)
    if isinstance(found, _Kept) and now < found.valid_until and found.day == user.local_date(now):
        return found.value  # type: ignore[no-any-return]
    today = today_for(user, now=now, expanded=expanded)
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


# User fields that change without changing what is due (logging in, the password).
VOLATILE = frozenset({"last_login", "password"})


# The sum of a column's moments, changed by any change to any of them: exact on PostgreSQL
# (numeric seconds), to the millisecond on SQLite.
MOMENTS_SUM = {"postgresql": "SUM(EXTRACT(EPOCH FROM {}))", "sqlite": "SUM(julianday({}))"}


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
    """The first moment `today` may no longer hold with the data unchanged (see above)."""
    now = rules.utc(now)
    moments = [datetime.combine(today.day + timedelta(days=1), time(0), tzinfo=user.zone)]
    # Per window: the column whose value plus the window's days is when a row becomes due,
    # among the rows not due yet (at most earlier than needed: a few more rows than the section's).
    windows: list[tuple[str, str, list[object], int]] = [
        ("cadence_reference", "circle = %s AND cadence_reference >= %s", [circle], days)
        for circle in Circle.values
        for days in user.cadence(circle)
    ]
    windows += [
        (
            "prospect_reference",
            "prospect_status = %s AND prospect_since IS NOT NULL AND prospect_reference > %s",
            [ProspectStatus.PROSPECT],
            user.prospect_interval_days,
        ),
        (
            "online_reference",
            "first_personal_touch_at IS NULL AND online_reference > %s",
            [],
            user.online_window_days,
        ),
    ]
    owners, params = _owners([user], now)
    firsts = ", ".join(
        f"MIN(CASE WHEN {condition} THEN {column} END)" for column, condition, _p, _d in windows
    )
    # The owners come first in the statement, then the SELECT list.
    params += [
        param
        for _c, _w, window_params, days in windows
        for param in [*window_params, _datetime(now - timedelta(days=days))]
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {owners} SELECT {firsts} FROM ({_candidates()}) AS candidates", params)
        found = cursor.fetchone()
    moments += [
        first + timedelta(days=days)
        for value, (_column, _condition, _params, days) in zip(found, windows, strict=True)
        if (first := _read_datetime(value)) is not None
    ]
    # "last touch N days ago" on a shown item says N + 1 a day after its Nth day.
    moments += [
        item.cadence.reference + (item.cadence.days_since + 1) * rules.DAY
        for section in today.sections
        for item in section.items
        if item.cadence is not None
    ]
    return min(moments)


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
    "sorting",
    "sorted_at",
)
PROMISE_FIELDS = ("id", "contact_id", "kind", "happened_at", "promise", "promise_due", "promise_kept_at")

# The sections are written in SQL (PostgreSQL and SQLite alike): Django would compile each
# section's query afresh on every request, which cost more than running it. The four sections
# about contacts are one statement, a scan each (a shared CTE measured slower at 5,000 contacts).
# `cadence_rank_sql` is shared with the contact list; tests hold the rest to contacts/rules.py.
CONTACTS = Contact._meta.db_table
STATES = ReminderState._meta.db_table
TOUCHES = Touchpoint._meta.db_table
REVIEWS = RosterReview._meta.db_table
ONE_OFFS = OneOffReminder._meta.db_table


def _datetime(value: datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def _date(value: date) -> Any:
    return connection.ops.adapt_datefield_value(value)


def _placeholders(values: Collection[object]) -> str:
    return ", ".join(["%s"] * len(values))


def _owners(users: Sequence[User], now: datetime) -> tuple[str, list[Any]]:
    """A table of the users and what their sections compare with: their local day and the
    moments before which a cadence turns yellow or red, a prospect's next touch and an online
    contact's meeting are due. The sections read these columns, so one statement serves many
    users."""
    now = rules.utc(now)
    columns = ["owner_id", "today"]
    columns += [f"{circle}_{bound}" for circle in Circle.values for bound in ("maximum", "ideal")]
    columns += ["prospect_target", "prospect_due_before", "online_due_before"]
    rows, params = [], []
    for user in users:
        today = user.local_date(now)
        values: list[Any] = [user.pk, today]
        for circle in Circle.values:
            ideal, maximum = user.cadence(circle)
            values += [_datetime(now - timedelta(days=maximum)), _datetime(now - timedelta(days=ideal))]
        values += [
            user.prospect_target,
            _datetime(now - timedelta(days=user.prospect_interval_days)),
            _datetime(now - timedelta(days=user.online_window_days)),
        ]
        rows.append(f"({_placeholders(values)})")
        params += values
    return f"owners({', '.join(columns)}) AS (VALUES {', '.join(rows)})", params


def _not_snoozed(kind: Reminder, *, link: str, owner: str, today: str) -> tuple[str, list[Any]]:
    """No state of the row's item hides it past its owner's today (snoozed, or done: see
    `mark_done`)."""
    return (
        f"NOT EXISTS (SELECT 1 FROM {STATES} WHERE {STATES}.owner_id = {owner} AND {STATES}.kind = %s "
        f"AND {STATES}.{link} AND {STATES}.snoozed_until > {today})",
        [kind.value],
    )


@dataclass(frozen=True)
class _Filter:
    """A contact section in SQL: which candidates (see `CANDIDATES`) are due, in which order,
    and what to count among them (named conditions; at most two)."""

    where: str
    params: Sequence[object] = ()
    order: str = "id"
    counts: Mapping[str, str] = field(default_factory=dict)
    # Whether a snooze or done on the contact hides it; a birthday's are per gesture instead
    # (`_birthday_section`): snoozing the card must not hide the call on the day.
    per_contact: bool = True


def _candidates() -> str:
    """The owners' active contacts, with what the sections sort and filter on; those waiting to
    be sorted are none of them (R1, R10: no rule asks about them yet)."""
    rank, rank_params = cadence_rank_case(lambda circle, bound: (f"owners.{circle}_{bound}", []))
    assert not rank_params  # the circles are the only parameters, and they are written in
    fields = ", ".join(f"{CONTACTS}.{name}" for name in CONTACT_FIELDS)
    # rules.first_contact_at: the first touch, or the day added if that was earlier
    first_contact = (
        f"CASE WHEN {CONTACTS}.first_touch_at < {CONTACTS}.created_at "
        f"THEN {CONTACTS}.first_touch_at ELSE {CONTACTS}.created_at END"
    )
    return (
        f"SELECT {fields}, owners.today AS owner_today, owners.prospect_due_before, owners.online_due_before, "
        "owners.prospect_target AS owner_prospect_target, "
        f"{cadence_reference_sql(CONTACTS)} AS cadence_reference, "
        f"{rank} AS cadence_rank, "
        f"CASE {CONTACTS}.circle WHEN '{Circle.STRONG.value}' THEN 0 WHEN '{Circle.REGULAR.value}' THEN 1 "
        "ELSE 2 END AS circle_order, "
        # R6: the last touch since becoming a prospect, or the day it became one
        f"CASE WHEN {CONTACTS}.last_touch_at > {CONTACTS}.prospect_since "
        f"THEN {CONTACTS}.last_touch_at ELSE {CONTACTS}.prospect_since END AS prospect_reference, "
        f"CASE WHEN {CONTACTS}.prospect_touches >= owners.prospect_target THEN 1 ELSE 0 END AS at_target, "
        f"{first_contact} AS first_contact, "
        # rules.online_window_start: the first contact, or the day sorted if later
        f"CASE WHEN {CONTACTS}.sorted_at > {first_contact} THEN {CONTACTS}.sorted_at "
        f"ELSE {first_contact} END AS online_reference "
        f"FROM {CONTACTS} JOIN owners ON owners.owner_id = {CONTACTS}.owner_id "
        f"WHERE {CONTACTS}.archived_at IS NULL AND NOT {waiting_to_be_sorted_sql(CONTACTS)}"
    )


def _cadence(users: Sequence[User], now: datetime) -> _Filter:
    """R7: yellow and red cadences, red first, strong ties before the others, longest first."""
    return _Filter(
        "cadence_rank >= 1",
        order="cadence_rank DESC, circle_order, cadence_reference, id",
        counts={"red": "cadence_rank = 2", "yellow": "cadence_rank = 1"},
    )


def _birthdays(users: Sequence[User], now: datetime) -> _Filter:
    """R8: every birthday within the longest lead time of any of the users (a plain list, which
    the database filters fast); `gestures_due` then says which gesture, per user."""
    keys = sorted(
        {
            month * 100 + day
            for user in users
            for month, day in birthday_days(today=user.local_date(now), lead_days=lead_days_of(user))
        }
    )
    return _Filter(f"birthday_month * 100 + birthday_day IN ({_placeholders(keys)})", keys, per_contact=False)


def _prospects(users: Sequence[User], now: datetime) -> _Filter:
    """R6: prospects whose next touch is due, and those at the target waiting for an outcome."""
    return _Filter(
        "prospect_status = %s AND prospect_since IS NOT NULL "
        "AND (at_target = 1 OR prospect_reference <= prospect_due_before)",
        [ProspectStatus.PROSPECT.value],
        order="prospect_touches DESC, prospect_reference, id",
        counts={"decide": "at_target = 1"},
    )


def _online_only(users: Sequence[User], now: datetime) -> _Filter:
    """R1: known only online past the window (from first contact, or from sorting if later):
    arrange a call or a meeting, longest waiting first. Of the imported, only those sorted as
    "pursue" (unless met in person) and strong ties (rules.ASKED_TO_MEET). Only an online origin
    makes a contact online-only."""
    channels = sorted(ONLINE_CHANNELS)
    in_person = sorted(IN_PERSON_CHANNELS)
    asked = sorted(rules.ASKED_TO_MEET)
    return _Filter(
        f"first_personal_touch_at IS NULL AND (sorting IN ({_placeholders(asked)}) OR circle = %s) "
        f"AND (how_met IN ({_placeholders(channels)}) "
        f"OR (sorting = %s AND how_met NOT IN ({_placeholders(in_person)}))) "
        "AND online_reference <= online_due_before",
        [*asked, Circle.STRONG.value, *channels, Sorting.PURSUE.value, *in_person],
        order="first_contact, id",
    )


def _contact_sections(
    users: Sequence[User], now: datetime, limits: Mapping[Reminder, int]
) -> dict[int, dict[Reminder, Section]]:
    """The contact sections in `limits` for each user, in one query: each section takes the
    first rows per user of its own scan of the candidates (birthdays: all, sorted here) with
    their totals and counts, numbered in its order, which the rows come back in."""
    owners, params = _owners(users, now)
    candidates = _candidates()
    filters = {kind: CONTACT_SECTIONS[kind](users, now) for kind in limits}
    branches: list[str] = []
    for kind, limit in limits.items():
        where = filters[kind]
        unsnoozed, unsnoozed_params = (
            _not_snoozed(
                kind,
                link="contact_id = candidates.id",
                owner="candidates.owner_id",
                today="candidates.owner_today",
            )
            if where.per_contact
            else ("1 = 1", [])
        )
        per_owner = "OVER (PARTITION BY owner_id)"
        tallies = [
            f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END) {per_owner}" for condition in where.counts.values()
        ]
        tallies += ["0"] * (2 - len(tallies))
        shown = "" if kind == Reminder.BIRTHDAY else " WHERE section_position <= %s"
        branches.append(
            f"SELECT * FROM (SELECT '{kind.value}' AS section, candidates.*, COUNT(*) {per_owner} AS section_total, "
            f"{tallies[0]} AS count_1, {tallies[1]} AS count_2, "
            f"ROW_NUMBER() OVER (PARTITION BY owner_id ORDER BY {where.order}) AS section_position "
            f"FROM ({candidates}) AS candidates WHERE ({where.where}) AND {unsnoozed}) AS {kind.value}_rows{shown}"
        )
        params += [*where.params, *unsnoozed_params, *([] if kind == Reminder.BIRTHDAY else [limit])]
    rows: dict[tuple[int, Reminder], list[Contact]] = defaultdict(list)
    union = " UNION ALL ".join(branches)
    statement = (
        f"WITH {owners} SELECT found.*, {reach_columns('found.id')} FROM ({union}) AS found "
        "ORDER BY owner_id, section_position"
    )
    for contact in Contact.objects.raw(statement, params):
        rows[contact.owner_id, Reminder(vars(contact)["section"])].append(contact)  # a column of the query
    found: dict[int, dict[Reminder, Section]] = {user.pk: {} for user in users}
    birthdays = (
        _birthday_sections(users, now, {user.pk: rows[user.pk, Reminder.BIRTHDAY] for user in users})
        if Reminder.BIRTHDAY in limits
        else {}
    )
    for user in users:
        for kind in limits:
            if kind == Reminder.BIRTHDAY:
                items = birthdays[user.pk]
                found[user.pk][kind] = Section(kind, items[: limits[kind]], len(items))
                continue
            shown_rows = rows[user.pk, kind]
            counts = {
                name: int(getattr(shown_rows[0], f"count_{n}")) if shown_rows else 0
                for n, name in enumerate(filters[kind].counts, 1)
            }
            items = [
                Item(kind, contact=contact, **_describe(kind, contact, user, now), **reach(contact))
                for contact in shown_rows
            ]
            found[user.pk][kind] = Section(kind, items, _column(shown_rows, "section_total"), counts)
    return found


def _column(rows: Sequence[object], name: str) -> int:
    """A count the query gave every row (a window over all of them), or 0 without rows."""
    return int(getattr(rows[0], name)) if rows else 0


def _describe(kind: Reminder, contact: Contact, user: User, now: datetime) -> dict[str, Any]:
    """What the rules say of a contact shown in a section."""
    if kind == Reminder.CADENCE:
        return {"cadence": rules.cadence(contact, owner=user, now=now)}
    if kind == Reminder.PROSPECT:
        return {"prospect": rules.prospect_progress(contact, owner=user, now=now)}
    return {"online": rules.online_only(contact, owner=user, now=now)}


def _birthday_sections(
    users: Sequence[User], now: datetime, contacts: Mapping[int, list[Contact]]
) -> dict[int, list[Item]]:
    """R8: each user's gestures due for the birthdays ahead, soonest first; done or snoozed ones
    left out (one query for all of them)."""
    due: dict[int, list[Item]] = {}
    for user in users:
        today, leads = user.local_date(now), lead_days_of(user)
        due[user.pk] = [
            Item(
                Reminder.BIRTHDAY,
                contact=contact,
                gesture=gesture,
                age=age_on(contact.birthday_year, gesture.celebration),
                ahead=(gesture.celebration - today).days,
                **reach(contact),
            )
            for contact in contacts[user.pk]
            if contact.birthday_month is not None and contact.birthday_day is not None
            for gesture in gestures_due(
                contact.birthday_month, contact.birthday_day, today=today, lead_days=leads
            )
        ]
    hidden: set[tuple[int, str]] = set()
    keys = [item.key for items in due.values() for item in items]
    if keys:
        owners, params = _owners(users, now)
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH {owners} SELECT {STATES}.owner_id, {STATES}.key FROM {STATES} "
                f"JOIN owners ON owners.owner_id = {STATES}.owner_id WHERE {STATES}.kind = %s "
                f"AND ({STATES}.snoozed_until > owners.today OR {STATES}.done_at IS NOT NULL) "
                f"AND {STATES}.key IN ({_placeholders(keys)})",
                [*params, Reminder.BIRTHDAY.value, *keys],
            )
            hidden = {(owner, key) for owner, key in cursor.fetchall()}
    return {
        pk: sorted(
            (item for item in items if (pk, item.key) not in hidden),
            key=lambda item: (
                item.gesture.celebration if item.gesture else date.min,
                item.contact.name if item.contact else "",
            ),
        )
        for pk, items in due.items()
    }


def _promises(users: Sequence[User], now: datetime, limit: int) -> dict[int, Section]:
    """R3: open promises due on the owner's day or before, the most overdue first (those made to
    contacts waiting to be sorted too: see the module's docstring)."""
    owners, params = _owners(users, now)
    fields = ", ".join(f"{TOUCHES}.{name}" for name in PROMISE_FIELDS)
    unsnoozed, unsnoozed_params = _not_snoozed(
        Reminder.PROMISE, link=f"touchpoint_id = {TOUCHES}.id", owner="owners.owner_id", today="owners.today"
    )
    per_owner = "OVER (PARTITION BY contact_owner_id)"
    touches = Touchpoint.objects.raw(
        f"WITH {owners} SELECT ranked.*, {reach_columns('ranked.contact_id')} "
        f"FROM (SELECT *, COUNT(*) {per_owner} AS section_total, "
        f"SUM(overdue) {per_owner} AS count_overdue, "
        f"ROW_NUMBER() OVER (PARTITION BY contact_owner_id ORDER BY promise_due, happened_at, id) AS section_position FROM ("
        f"SELECT {fields}, {CONTACTS}.owner_id AS contact_owner_id, {CONTACTS}.first_name AS contact_first_name, "
        f"{CONTACTS}.last_name AS contact_last_name, "
        f"CASE WHEN {TOUCHES}.promise_due < owners.today THEN 1 ELSE 0 END AS overdue "
        f"FROM {TOUCHES} JOIN {CONTACTS} ON {CONTACTS}.id = {TOUCHES}.contact_id "
        f"JOIN owners ON owners.owner_id = {CONTACTS}.owner_id "
        f"WHERE {CONTACTS}.archived_at IS NULL AND {CONTACTS}.open_promises > 0 "
        # touchpoints.models.OPEN_PROMISE, due by the owner's day
        f"AND {TOUCHES}.promise <> '' AND {TOUCHES}.promise_kept_at IS NULL AND {TOUCHES}.promise_due <= owners.today "
        f"AND {unsnoozed}"
        f") AS candidates) AS ranked WHERE section_position <= %s ORDER BY contact_owner_id, section_position",
        [*params, *unsnoozed_params, limit],
    )
    shown: dict[int, list[Touchpoint]] = defaultdict(list)
    for touch in touches:
        owner = vars(touch)["contact_owner_id"]
        # The contact as far as the item shows it (its name and page); the rest is deferred.
        touch.contact = Contact.from_db(
            touch._state.db,
            ["id", "owner_id", "first_name", "last_name"],
            [touch.contact_id, owner, vars(touch)["contact_first_name"], vars(touch)["contact_last_name"]],
        )
        shown[owner].append(touch)
    return {
        user.pk: Section(
            Reminder.PROMISE,
            [
                Item(Reminder.PROMISE, contact=touch.contact, touch=touch, **reach(touch))
                for touch in shown[user.pk]
            ],
            _column(shown[user.pk], "section_total"),
            {"overdue": _column(shown[user.pk], "count_overdue")},
        )
        for user in users
    }


def review_due_on(user: User, last_review: datetime | None) -> date:
    start = last_review or user.date_joined
    return user.local_date(start + REVIEW_INTERVAL)


def _roster_reviews(users: Sequence[User], now: datetime, limit: int) -> dict[int, Section]:
    """R10: a quarter after the last review (or after joining), while there are strong ties. The
    imported contacts waiting to be sorted, R10's first act, are counted here too (`TO_SORT`): no
    query of their own (the partial index contact_owner_unsorted answers)."""
    owners, params = _owners(users, now)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH {owners} SELECT owners.owner_id, "
            f"(SELECT COUNT(*) FROM {CONTACTS} WHERE {CONTACTS}.owner_id = owners.owner_id AND circle = %s), "
            f"EXISTS (SELECT 1 FROM {STATES} WHERE {STATES}.owner_id = owners.owner_id AND kind = %s "
            f"AND snoozed_until > owners.today), "
            f"(SELECT MAX(reviewed_at) FROM {REVIEWS} WHERE {REVIEWS}.owner_id = owners.owner_id), "
            f"(SELECT COUNT(*) FROM {CONTACTS} WHERE {CONTACTS}.owner_id = owners.owner_id "
            f"AND {waiting_to_be_sorted_sql(CONTACTS)}) FROM owners",
            [*params, Circle.STRONG.value, Reminder.ROSTER_REVIEW.value],
        )
        found = {owner: figures for owner, *figures in cursor.fetchall()}
    sections = {}
    for user in users:
        strong, snoozed, last_review, to_sort = found[user.pk]
        due_on = review_due_on(user, _read_datetime(last_review))
        counts = {TO_SORT: int(to_sort)}
        if not strong or snoozed or due_on > user.local_date(now):
            sections[user.pk] = Section(Reminder.ROSTER_REVIEW, [], 0, counts)
        else:
            item = Item(Reminder.ROSTER_REVIEW, review_due=due_on)
            sections[user.pk] = Section(Reminder.ROSTER_REVIEW, [item], 1, counts)
    return sections


def _read_datetime(value: object) -> datetime | None:
    """A datetime as a plain cursor returns it (SQLite: text), converted as the ORM would."""
    column = Value(None, output_field=DateTimeField())
    for converter in connection.ops.get_db_converters(column):
        value = converter(value, column, connection)
    return value  # type: ignore[return-value]


# The sections about contacts, read together (`_contact_sections`), and the others.
CONTACT_SECTIONS: dict[Reminder, Callable[[Sequence[User], datetime], _Filter]] = {
    Reminder.CADENCE: _cadence,
    Reminder.BIRTHDAY: _birthdays,
    Reminder.PROSPECT: _prospects,
    Reminder.ONLINE_ONLY: _online_only,
}


def _one_offs(users: Sequence[User], now: datetime, limit: int) -> dict[int, Section]:
    """The one-off reminders due (reminders/one_offs.py), as a section."""
    found = one_offs.due_for(users, now=now, limit=limit)
    return {
        user.pk: Section(
            Reminder.ONE_OFF,
            [
                Item(
                    Reminder.ONE_OFF,
                    contact=reminder.contact,
                    one_off=reminder,
                    ahead=(reminder.due_on - user.local_date(now)).days,
                    **reach(reminder),
                )
                for reminder in found[user.pk].reminders
            ],
            found[user.pk].total,
            {"overdue": found[user.pk].overdue},
        )
        for user in users
    }


OTHER_SECTIONS: dict[Reminder, Callable[[Sequence[User], datetime, int], dict[int, Section]]] = {
    Reminder.PROMISE: _promises,
    Reminder.ONE_OFF: _one_offs,
    Reminder.ROSTER_REVIEW: _roster_reviews,
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


@dataclass(frozen=True)
class Done:
    """What `mark_done` did: the touch it logged, and the item's state before (to undo it)."""

    logged: Touchpoint | None
    key: str
    done_at: datetime | None
    snoozed_until: date | None


def mark_done(
    user: User,
    kind: Reminder,
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
    logged = None
    with transaction.atomic():
        if touch is not None and touch.has_open_promise:
            ledger.edit_touch(touch, promise_kept_at=now)
        if log is not None and contact is not None:
            logged = ledger.log_touch(contact, kind=log, happened_at=now)
        state = _state(user, kind, contact=contact, touch=touch, occasion=occasion)
        done = Done(logged, state.key, state.done_at, state.snoozed_until)
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
) -> None:
    """Take back a touch logged in one click: the touch goes through the ledger (the contact's
    summary recomputed), and the item `mark_done` marked (`key`) is as it was before."""
    with transaction.atomic():
        ledger.take_back(touch)
        if key:
            ReminderState.objects.filter(owner=user, key=key).update(
                done_at=done_at, snoozed_until=snoozed_until, updated_at=now
            )


@dataclass(frozen=True)
class Health:
    """A network's state at a glance, as the coach overview shows it (R1, R2, R6, R7)."""

    strong_ties: int = 0
    red: int = 0
    yellow: int = 0
    prospects: int = 0
    prospect_touches: int = 0
    prospects_at_target: int = 0
    online_backlog: int = 0

    def prospect_progress(self, target: int) -> int | None:
        """The prospects' touches as a percentage of the target for all of them; None without."""
        if not self.prospects:
            return None
        return min(round(100 * self.prospect_touches / (self.prospects * target)), 100)


def network_health(users: Sequence[User], *, now: datetime) -> dict[int, Health]:
    """`Health` of each user's active contacts, in one query, by the same candidates and
    conditions as Today's sections, snoozed or not: the network's state, not the day's to-do
    list (every user is in the result, with zeros if need be). A prospect's touches count up to
    the target, so one far past it does not make up for another without any."""
    if not users:
        return {}
    owners, params = _owners(users, now)
    online = _online_only(users, now)
    prospect = f"prospect_status = '{ProspectStatus.PROSPECT.value}' AND prospect_since IS NOT NULL"
    statement = (
        f"WITH {owners} SELECT owner_id, "
        f"SUM(CASE WHEN circle = '{Circle.STRONG.value}' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN cadence_rank = 2 THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN cadence_rank = 1 THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN {prospect} THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN NOT ({prospect}) THEN 0 WHEN prospect_touches > owner_prospect_target "
        "THEN owner_prospect_target ELSE prospect_touches END), "
        f"SUM(CASE WHEN {prospect} THEN at_target ELSE 0 END), "
        f"SUM(CASE WHEN {online.where} THEN 1 ELSE 0 END) "
        f"FROM ({_candidates()}) AS candidates GROUP BY owner_id"
    )
    found = {user.pk: Health() for user in users}
    with connection.cursor() as cursor:
        cursor.execute(statement, [*params, *online.params])  # type: ignore[list-item]
        for owner_id, *figures in cursor.fetchall():
            found[owner_id] = Health(*(int(figure or 0) for figure in figures))
    return found
