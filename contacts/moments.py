"""The moments the time-based rules count from, as the database computes them for each contact,
and what decides which contacts the rules ask about.

Each contact's row stores, computed by the database from the row itself (generated columns on
contacts.models.Contact, kept by every write: the ledger, forms, bulk imports, COPY), the moment
each time-based rule counts from. contacts/rules.py is the rule for one contact in Python; a test
holds the two equal. The owner's intervals (a cadence's days, the prospect interval, the online
window) turn a reference into the moment it becomes due, in the query (`reference < now - days`),
so a change of settings rewrites no contact, and each section of Today is a range on an index.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.db import models
from django.db.models import Case, F, Q, When
from django.db.models.functions import Coalesce

from contacts.choices import IN_PERSON_CHANNELS, ONLINE_CHANNELS, Circle, ProspectStatus, Sorting

if TYPE_CHECKING:
    from netzwerk.accounts.models import User

# R1, R10: an imported contact waits to be sorted, and no rule asks about it until then (Today,
# the digest, the calendar feed and the coach's counts leave it out). A strong tie never waits:
# promoting a contact decided what it is for. The Python form is `Contact.waits_to_be_sorted`,
# the query form this one (the partial index contact_owner_unsorted serves it).
WAITING_TO_BE_SORTED = Q(sorting=Sorting.UNSORTED) & ~Q(circle=Circle.STRONG)

# R1 and the import: of the imported contacts only those the user chose to pursue are asked
# about a meeting (a strong tie was chosen too); sorted as anything else, or not yet sorted,
# their other rules speak for them. Contacts added by hand (no sorting) are asked as before.
ASKED_TO_MEET = frozenset({Sorting.NONE, Sorting.PURSUE})

_TOUCHED = Coalesce("last_touch_at", "created_at")
# rules.cadence_reference: the later of the last touch (or the day added) and the day sorted
# (a CASE: SQLite's MAX() of a NULL is NULL)
CADENCE_REFERENCE = Case(When(sorted_at__gt=_TOUCHED, then=F("sorted_at")), default=_TOUCHED)
# rules.prospect_progress: an open prospect's last touch since becoming one, or that moment
IS_PROSPECT = Q(prospect_status=ProspectStatus.PROSPECT, prospect_since__isnull=False)
PROSPECT_REFERENCE = Case(
    When(IS_PROSPECT & Q(last_touch_at__gt=F("prospect_since")), then=F("last_touch_at")),
    When(IS_PROSPECT, then=F("prospect_since")),
    default=None,
)
# rules.first_contact_at and rules.online_only: known only online (see there), counted from the
# first contact or from sorting if later (rules.online_window_start)
FIRST_CONTACT = Case(
    When(first_touch_at__lt=F("created_at"), then=F("first_touch_at")), default=F("created_at")
)
IS_ONLINE_ONLY = (
    Q(archived_at__isnull=True, first_personal_touch_at__isnull=True)
    & (Q(sorting__in=sorted(ASKED_TO_MEET)) | Q(circle=Circle.STRONG))
    & (
        Q(how_met__in=sorted(ONLINE_CHANNELS))
        | (Q(sorting=Sorting.PURSUE) & ~Q(how_met__in=sorted(IN_PERSON_CHANNELS)))
    )
)
ONLINE_REFERENCE = Case(
    When(IS_ONLINE_ONLY & Q(sorted_at__gt=FIRST_CONTACT), then=F("sorted_at")),
    When(IS_ONLINE_ONLY, then=FIRST_CONTACT),
    default=None,
)
# What the rules ask about: not archived, not waiting to be sorted (the cadence index's rows).
ACTIVE = Q(archived_at__isnull=True) & ~WAITING_TO_BE_SORTED


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """The first moment of `day` on the calendar of `zone`."""
    return datetime.combine(day, time(0), tzinfo=zone)


def cadence_due_before(owner: User, circle: str, *, now: datetime) -> tuple[datetime, datetime]:
    """The moments before which a cadence reference of `circle` is past the owner's ideal
    interval (yellow) and past its maximum (red). Counted in the owner's calendar days, as the
    page says them (contacts.rules.cadence): a touch 30 days ago is within "every 30–45 days",
    in whatever hour of the day and across the clocks' change; it turns yellow at midnight."""
    ideal, maximum = owner.cadence(circle)
    today = now.astimezone(owner.zone).date()
    return day_start(today - timedelta(days=ideal), owner.zone), day_start(
        today - timedelta(days=maximum), owner.zone
    )


def cadence_rank(owners: Sequence[User], *, now: datetime) -> Case:
    """R7 in SQL for the rows of `owners`: 2 red, 1 yellow, 0 green (contacts.rules.cadence),
    on the stored `cadence_reference`; a test runs the rule's table through both. Owners with the
    same intervals (most keep the defaults) in the same time zone share their conditions."""
    alike: dict[tuple[str, tuple[tuple[int, int], ...]], list[int]] = {}
    for owner in owners:
        # the zone too: a cadence turns at the owner's midnight (`cadence_due_before`)
        setting = owner.time_zone, tuple(owner.cadence(circle) for circle in Circle.values)
        alike.setdefault(setting, []).append(owner.pk)
    whens = []
    for owner_pks in alike.values():
        owner = next(owner for owner in owners if owner.pk == owner_pks[0])
        mine = Q(owner_id__in=owner_pks) if len(alike) > 1 else Q()
        for circle in Circle.values:
            yellow, red = cadence_due_before(owner, circle, now=now)
            whens.append(When(mine & Q(circle=circle, cadence_reference__lt=red), then=2))
            whens.append(When(mine & Q(circle=circle, cadence_reference__lt=yellow), then=1))
    return Case(*whens, default=0, output_field=models.IntegerField())
