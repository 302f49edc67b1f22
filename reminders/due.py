"""What is due for a user on their local day: the Today page and the digest both ask here.

Seven sections, in this order: cadences gone yellow or red (R7), birthday gestures (R8), promises
due or overdue (R3), the user's one-off reminders on their day or overdue (reminders/one_offs.py),
prospects' next touch (R6), online-only contacts past their window (R1) and the quarterly roster
review (R10) (reminders/items.py has their shapes).

Each section is one queryset, for one user (the page) or a chunk of users (the digest): each
user's first rows, with the totals counted by window functions (`first_rows`). The time-based
rules read the moments a contact's row stores (contacts.moments.CADENCE_REFERENCE and the others:
generated columns, indexed), so a section is a range on an index per owner, whatever the size of
the network; the owner's intervals turn a reference into the moment it becomes due right here
(`reference < now - days`). contacts/rules.py describes the rows shown.

Imported contacts waiting to be sorted (contacts.moments.WAITING_TO_BE_SORTED) are in none of the
sections about contacts until the user sorts them, and in no coach's count; Today shows how many
wait. Their promises are the exception: an import brings none, so any is one the user made
(R3: a promise is kept whatever the contact's sorting).

An item the user snoozed (until a day) or marked done is left out (reminders/states.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import (
    Case,
    Count,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)

from contacts import rules
from contacts.choices import Circle
from contacts.models import Contact
from contacts.moments import ACTIVE, FIRST_CONTACT, WAITING_TO_BE_SORTED, cadence_due_before, cadence_rank
from netzwerk.accounts.models import User
from reminders import one_offs
from reminders.birthdays import age_on, birthday_days, gestures_due, lead_days_of
from reminders.items import REVIEW_INTERVAL, SHOWN, SHOWN_ALL, TO_SORT, Item, Section, Today, item_key
from reminders.models import ItemKind, RosterReview
from reminders.querying import Hidden, by_day, column, first_rows, per_owner
from reminders.reach import with_reach
from touchpoints.models import OPEN_PROMISE, Touchpoint

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
# Strong ties before the regular circle before the loose one, in a cadence's order.
CIRCLE_ORDER = Case(
    When(circle=Circle.STRONG, then=0),
    When(circle=Circle.REGULAR, then=1),
    default=2,
    output_field=IntegerField(),
)


# The sections of things due on a day (a birthday's gesture, a promise, a reminder) that a
# digest covering several days (the weekly one) lists for each of its days.
DATED = frozenset({ItemKind.BIRTHDAY, ItemKind.PROMISE, ItemKind.ONE_OFF})
Horizon = Callable[[User], int]  # the days after its own a user's list covers


def today_for(
    user: User, *, now: datetime, expanded: str | None = None, horizon: Horizon | None = None
) -> Today:
    """Every section; the `expanded` one with up to SHOWN_ALL items."""
    return todays_for([user], now=now, expanded=expanded, horizon=horizon)[user.pk]


def todays_for(
    users: Sequence[User], *, now: datetime, expanded: str | None = None, horizon: Horizon | None = None
) -> dict[int, Today]:
    """`today_for` for several users at once (a digest batch), in the same queries. With
    `horizon`, the dated sections (DATED) also hold what falls due in the user's next `horizon(user)`
    days: a weekly digest's week (users with another horizon are found in queries of their own)."""
    users_by_pk = {user.pk: user for user in users}
    if not users_by_pk:
        return {}
    horizons: dict[int, list[User]] = defaultdict(list)
    for user in users_by_pk.values():  # each once: rows are per owner
        horizons[horizon(user) if horizon else 0].append(user)
    limits = {kind: SHOWN_ALL if kind == expanded else SHOWN for kind in ItemKind}
    sections: dict[int, list[Section]] = {}
    for days, group in horizons.items():
        hidden = Hidden.of(group, now)
        found = {
            kind: SECTIONS[kind](
                group, now, limits[kind], hidden, **({"days_after": days} if kind in DATED else {})
            )
            for kind in ItemKind
        }
        for user in group:
            sections[user.pk] = [
                replace(found[kind][user.pk], expanded=limits[kind] > SHOWN) for kind in ItemKind
            ]
    return {pk: Today(users_by_pk[pk].local_date(now), found) for pk, found in with_reach(sections).items()}


def section_for(user: User, kind: ItemKind, *, now: datetime, limit: int | None = None) -> Section:
    """One section: its first `limit` items (SHOWN by default) and its total."""
    limit = limit or SHOWN
    section = SECTIONS[kind]([user], now, limit, Hidden.of([user], now))[user.pk]
    section = replace(section, expanded=limit > SHOWN)
    return with_reach({user.pk: [section]})[user.pk][0]


def _contacts(users: Sequence[User]) -> QuerySet[Contact]:
    """The users' contacts the rules ask about: not archived, not waiting to be sorted."""
    return Contact.objects.filter(ACTIVE, owner_id__in=[user.pk for user in users]).only(*CONTACT_FIELDS)


def _items(kind: ItemKind, rows: Sequence[Contact], user: User, now: datetime) -> list[Item]:
    return [
        Item(
            kind,
            contact=contact,
            **_describe(kind, contact, user, now),
        )
        for contact in rows
    ]


def _describe(kind: ItemKind, contact: Contact, user: User, now: datetime) -> dict[str, Any]:
    """What the rules say of a contact shown in a section."""
    if kind == ItemKind.CADENCE:
        return {"cadence": rules.cadence(contact, owner=user, now=now)}
    if kind == ItemKind.PROSPECT:
        return {"prospect": rules.prospect_progress(contact, owner=user, now=now)}
    return {"online": rules.online_only(contact, owner=user, now=now)}


def days_before(now: datetime, days: int) -> datetime:
    """A reference before this moment is past an interval of `days` (days of 24 hours)."""
    return rules.utc(now) - timedelta(days=days)


# ---------------------------------------------------------------- the sections about contacts


def cadences(user: User) -> tuple[str, tuple[tuple[int, int], ...]]:
    """What `cadence_due` reads of the user: the time zone (a cadence turns at the user's
    midnight) and each circle's (ideal, maximum) days."""
    return user.time_zone, tuple(user.cadence(circle) for circle in Circle.values)


def cadence_due(user: User, now: datetime, *, red: bool = False) -> Q:
    """R7: past the ideal interval of its circle (yellow or red); with `red`, past the maximum."""
    due = Q()
    for circle in Circle.values:
        yellow, past_maximum = cadence_due_before(user, circle, now=now)
        due |= Q(circle=circle, cadence_reference__lt=past_maximum if red else yellow)
    return due


def _cadence(users: Sequence[User], now: datetime, limit: int, hidden: Hidden) -> dict[int, Section]:
    """R7: yellow and red cadences, red first, strong ties before the others, longest first."""
    rows = (
        _contacts(users)
        .filter(per_owner(users, lambda user: cadence_due(user, now), setting=cadences))
        .exclude(pk__in=hidden.contacts(ItemKind.CADENCE))
        .annotate(cadence_rank=cadence_rank(users, now=now), circle_order=CIRCLE_ORDER)
    )
    found = first_rows(
        rows,
        owners=len(users),
        owner="owner_id",
        order=["-cadence_rank", "circle_order", "cadence_reference", "pk"],
        limit=limit,
        counts={"red": Q(cadence_rank=2)},
    )
    sections = {}
    for user in users:
        shown = found[user.pk]
        total, red = column(shown, "section_total"), column(shown, "count_red")
        items = _items(ItemKind.CADENCE, shown, user, now)
        sections[user.pk] = Section(ItemKind.CADENCE, items, total, {"red": red, "yellow": total - red})
    return sections


def _prospect_settings(user: User) -> tuple[int, int]:
    return user.prospect_target, user.prospect_interval_days


def prospect_due(user: User, now: datetime) -> Q:
    """R6: an open prospect whose next touch is due, or at the target waiting for an outcome."""
    return Q(prospect_reference__isnull=False) & (
        Q(prospect_touches__gte=user.prospect_target)
        | Q(prospect_reference__lte=days_before(now, user.prospect_interval_days))
    )


def _prospects(users: Sequence[User], now: datetime, limit: int, hidden: Hidden) -> dict[int, Section]:
    """R6: prospects whose next touch is due, and those at the target waiting for an outcome."""
    rows = (
        _contacts(users)
        .filter(per_owner(users, lambda user: prospect_due(user, now), setting=_prospect_settings))
        .exclude(pk__in=hidden.contacts(ItemKind.PROSPECT))
    )
    at_target = per_owner(
        users, lambda user: Q(prospect_touches__gte=user.prospect_target), setting=_prospect_settings
    )
    found = first_rows(
        rows,
        owners=len(users),
        owner="owner_id",
        order=["-prospect_touches", "prospect_reference", "pk"],
        limit=limit,
        counts={"decide": at_target},
    )
    return {
        user.pk: Section(
            ItemKind.PROSPECT,
            _items(ItemKind.PROSPECT, found[user.pk], user, now),
            column(found[user.pk], "section_total"),
            {"decide": column(found[user.pk], "count_decide")},
        )
        for user in users
    }


def online_due(user: User, now: datetime) -> Q:
    """R1: known only online (contacts.moments.IS_ONLINE_ONLY) past the owner's window."""
    return Q(online_reference__lte=days_before(now, user.online_window_days))


def _online_only(users: Sequence[User], now: datetime, limit: int, hidden: Hidden) -> dict[int, Section]:
    """R1: known only online past the window (from first contact, or from sorting if later):
    arrange a call or a meeting, longest waiting first."""
    rows = (
        _contacts(users)
        .filter(
            per_owner(users, lambda user: online_due(user, now), setting=lambda user: user.online_window_days)
        )
        .exclude(pk__in=hidden.contacts(ItemKind.ONLINE_ONLY))
        .annotate(first_contact=FIRST_CONTACT)
    )
    found = first_rows(rows, owners=len(users), owner="owner_id", order=["first_contact", "pk"], limit=limit)
    return {
        user.pk: Section(
            ItemKind.ONLINE_ONLY,
            _items(ItemKind.ONLINE_ONLY, found[user.pk], user, now),
            column(found[user.pk], "section_total"),
        )
        for user in users
    }


def _birthdays(
    users: Sequence[User], now: datetime, limit: int, hidden: Hidden, days_after: int = 0
) -> dict[int, Section]:
    """R8: each user's gestures due for the birthdays ahead (today, or on one of the `days_after`
    days after it), soonest first; done or snoozed ones left out. The birthdays within the
    longest lead time of any of the users come in one query (a plain list the database filters
    fast); `gestures_due` says which gesture, per user."""
    keys = sorted(
        {
            (month, day)
            for user in users
            for month, day in birthday_days(
                today=user.local_date(now), lead_days=lead_days_of(user), days_after=days_after
            )
        }
    )
    if not keys:
        return {user.pk: Section(ItemKind.BIRTHDAY, [], 0) for user in users}
    by_month: dict[int, list[int]] = defaultdict(list)
    for month, day in keys:
        by_month[month].append(day)
    days = Q()
    for month, month_days in by_month.items():
        days |= Q(birthday_month=month, birthday_day__in=month_days)
    contacts: dict[int, list[Contact]] = defaultdict(list)
    for contact in _contacts(users).filter(days):
        contacts[contact.owner_id].append(contact)
    due = {user.pk: _gestures(user, now, contacts[user.pk], days_after) for user in users}
    done_or_snoozed = hidden.keys(ItemKind.BIRTHDAY)  # per gesture: the card's, not the call's
    sections = {}
    for user in users:
        items = sorted(
            (item for item in due[user.pk] if (user.pk, item.key) not in done_or_snoozed),
            key=lambda item: (
                item.gesture.celebration if item.gesture else date.min,
                item.contact.name if item.contact else "",
            ),
        )
        sections[user.pk] = Section(ItemKind.BIRTHDAY, items[:limit], len(items))
    return sections


def _gestures(user: User, now: datetime, contacts: list[Contact], days_after: int = 0) -> list[Item]:
    """Each gesture due today or on one of the `days_after` days after it, once."""
    today, leads = user.local_date(now), lead_days_of(user)
    found = {
        (contact.pk, gesture): Item(
            ItemKind.BIRTHDAY,
            contact=contact,
            gesture=gesture,
            age=age_on(contact.birthday_year, gesture.celebration),
            ahead=(gesture.celebration - today).days,
        )
        for contact in contacts
        if contact.birthday_month is not None and contact.birthday_day is not None
        for day in (today + timedelta(days=offset) for offset in range(days_after + 1))
        for gesture in gestures_due(contact.birthday_month, contact.birthday_day, today=day, lead_days=leads)
    }
    return list(found.values())


# ---------------------------------------------------------------- the other sections


def _promises(
    users: Sequence[User], now: datetime, limit: int, hidden: Hidden, days_after: int = 0
) -> dict[int, Section]:
    """R3: open promises due on the owner's day or before (or on one of the `days_after` days after
    it), the most overdue first (those made to contacts waiting to be sorted too: see the
    module's docstring)."""
    due, overdue = Q(), Q()
    for day, owners in by_day(users, now).items():
        mine = Q(contact__owner_id__in=owners)
        due |= Q(mine, promise_due__lte=day + timedelta(days=days_after))
        overdue |= mine & Q(promise_due__lt=day)
    rows = (
        Touchpoint.objects.filter(
            OPEN_PROMISE, due, contact__archived_at__isnull=True, contact__open_promises__gt=0
        )
        .exclude(pk__in=hidden.touches(ItemKind.PROMISE))
        .select_related("contact")
        .only(*PROMISE_FIELDS, "contact__owner_id", "contact__first_name", "contact__last_name")
    )
    found = first_rows(
        rows,
        owners=len(users),
        owner="contact__owner_id",
        order=["promise_due", "happened_at", "pk"],
        limit=limit,
        counts={"overdue": overdue},
    )
    return {
        user.pk: Section(
            ItemKind.PROMISE,
            [Item(ItemKind.PROMISE, contact=touch.contact, touch=touch) for touch in found[user.pk]],
            column(found[user.pk], "section_total"),
            {"overdue": column(found[user.pk], "count_overdue")},
        )
        for user in users
    }


def _one_offs(
    users: Sequence[User], now: datetime, limit: int, hidden: Hidden, days_after: int = 0
) -> dict[int, Section]:
    """The one-off reminders due (reminders/one_offs.py), as a section."""
    found = one_offs.due_for(users, now=now, limit=limit, hidden=hidden, days_after=days_after)
    return {
        user.pk: Section(
            ItemKind.ONE_OFF,
            [
                Item(
                    ItemKind.ONE_OFF,
                    contact=reminder.contact,
                    one_off=reminder,
                    ahead=(reminder.due_on - user.local_date(now)).days,
                )
                for reminder in found[user.pk].reminders
            ],
            found[user.pk].total,
            {"overdue": found[user.pk].overdue},
        )
        for user in users
    }


def review_due_on(user: User, last_review: datetime | None) -> date:
    start = last_review or user.date_joined
    # a quarter of the user's days after the day of the last review (its hour and a change of
    # the clocks between make no difference)
    return user.local_date(start) + REVIEW_INTERVAL


def _roster_reviews(users: Sequence[User], now: datetime, limit: int, hidden: Hidden) -> dict[int, Section]:
    """R10: a quarter after the last review (or after joining), while there are strong ties. The
    imported contacts waiting to be sorted, R10's first act, are counted here too (`TO_SORT`): no
    query of their own (the indexes contact_owner_circle and contact_owner_unsorted answer)."""
    mine = Contact.objects.filter(owner_id=OuterRef("pk")).order_by().values("owner_id")
    snoozed = hidden.owners(ItemKind.ROSTER_REVIEW)
    figures = User.objects.filter(pk__in=[user.pk for user in users]).values_list(
        "pk",
        _count(mine.filter(circle=Circle.STRONG)),
        _subquery(
            RosterReview.objects.filter(owner_id=OuterRef("pk")).order_by().values("owner_id"),
            Max("reviewed_at"),
        ),
        _count(mine.filter(WAITING_TO_BE_SORTED)),
    )
    found = {pk: rest for pk, *rest in figures}
    sections = {}
    for user in users:
        strong, last_review, to_sort = found[user.pk]
        due_on = review_due_on(user, last_review)
        counts = {TO_SORT: int(to_sort or 0)}
        if not strong or user.pk in snoozed or due_on > user.local_date(now):
            sections[user.pk] = Section(ItemKind.ROSTER_REVIEW, [], 0, counts)
        else:
            item = Item(ItemKind.ROSTER_REVIEW, review_due=due_on)
            sections[user.pk] = Section(ItemKind.ROSTER_REVIEW, [item], 1, counts)
    return sections


def _count(rows: QuerySet[Any]) -> Subquery:
    return _subquery(rows, Count("pk"))


def _subquery(rows: QuerySet[Any], aggregate: Any) -> Subquery:
    """The one value of `aggregate` over `rows` (grouped by their one owner)."""
    return Subquery(rows.annotate(value=aggregate).values("value"))


SECTIONS: dict[ItemKind, Callable[[Sequence[User], datetime, int, Hidden], dict[int, Section]]] = {
    ItemKind.CADENCE: _cadence,
    ItemKind.BIRTHDAY: _birthdays,
    ItemKind.PROMISE: _promises,
    ItemKind.ONE_OFF: _one_offs,
    ItemKind.PROSPECT: _prospects,
    ItemKind.ONLINE_ONLY: _online_only,
    ItemKind.ROSTER_REVIEW: _roster_reviews,
}
assert list(SECTIONS) == list(ItemKind)  # one function per section, in Today's order

__all__ = ["CONTACT_FIELDS", "Item", "Section", "Today", "item_key", "section_for", "today_for", "todays_for"]
