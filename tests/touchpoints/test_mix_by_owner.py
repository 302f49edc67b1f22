"""The coach overview's figures for many owners equal their plain definitions after any sequence.

`promise_records_by_owner` adds up the contacts' stored promise counts (`kept_promises`,
`open_promises`, kept by the ledger); `weekly_mix_by_owner` counts per week in the database. Both
are compared here with what they replace: `promise_record` counting each owner's touches, and
each touch's local day in its owner's zone, worked out in Python.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contacts.models import Contact
from netzwerk.accounts.models import User
from tests.factories import ContactFactory, UserFactory
from touchpoints import ledger
from touchpoints.kinds import KINDS, Kind
from touchpoints.mix import promise_record, promise_records_by_owner, week_starts, weekly_mix_by_owner
from touchpoints.models import Touchpoint

TODAY = date(2026, 11, 20)
# Zones with daylight saving time (Santiago's changes at midnight), without, and far east and west.
ZONES = ["Europe/Berlin", "America/Santiago", "America/New_York", "Asia/Kolkata", "Pacific/Kiritimati"]


class Rollback(Exception):
    pass


promise_touches = st.lists(
    st.fixed_dictionaries(
        {
            "owner": st.integers(min_value=0, max_value=1),
            "contact": st.integers(min_value=0, max_value=2),
            "promise": st.sampled_from(["", "Kontakt vermitteln"]),
            "due": st.one_of(st.none(), st.integers(min_value=-5, max_value=5)),
            "kept": st.booleans(),
            "then": st.sampled_from(["stay", "keep", "reopen", "delete"]),
        }
    ),
    max_size=15,
)


def log_promise(contact: Contact, step: dict[str, Any]) -> Touchpoint:
    promised = bool(step["promise"])
    due = step["due"]
    return ledger.log_touch(
        contact,
        kind=Kind.CALL,
        happened_at=datetime(2026, 11, 1, 9, tzinfo=UTC),
        promise=step["promise"],
        promise_due=TODAY + timedelta(days=due) if promised and due is not None else None,
        promise_kept_at=datetime(2026, 11, 2, 9, tzinfo=UTC) if promised and step["kept"] else None,
    )


def then(touch: Touchpoint, action: str) -> None:
    if action == "keep" and touch.promise:
        ledger.edit_touch(touch, promise_kept_at=datetime(2026, 11, 3, 9, tzinfo=UTC))
    elif action == "reopen":
        ledger.edit_touch(touch, promise_kept_at=None)
    elif action == "delete":
        ledger.delete_touch(touch)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=promise_touches, archived=st.booleans(), days=st.tuples(st.integers(-2, 2), st.integers(-2, 2)))
def test_the_promise_records_equal_counting_the_touches(steps, archived, days) -> None:
    """Kept, open and overdue per owner, each by their own day, archived contacts included."""
    try:
        with transaction.atomic():
            owners = [UserFactory(), UserFactory()]
            contacts = [[ContactFactory(owner=owner) for _ in range(3)] for owner in owners]
            for step in steps:
                then(log_promise(contacts[step["owner"]][step["contact"]], step), step["then"])
            if archived:
                Contact.objects.filter(pk=contacts[0][0].pk).update(archived_at=timezone.now())
            today = {owner.pk: TODAY + timedelta(days=day) for owner, day in zip(owners, days, strict=True)}

            records = promise_records_by_owner(today)

            for owner in owners:
                assert records[owner.pk] == promise_record(
                    Touchpoint.objects.for_owner(owner), today=today[owner.pk]
                )
            raise Rollback
    except Rollback:
        pass


def weeks_by_local_day(
    touches: Iterable[Touchpoint], owner: User, *, now: datetime, zone: ZoneInfo
) -> list[tuple[int, int]]:
    """The weekly mix by its definition: each qualifying touch up to `now` in the week of its
    local day in the owner's zone."""
    first = week_starts(now, zone)[0]
    weeks = [[0, 0] for _ in range(12)]
    for touch in touches:
        week = (touch.happened_at.astimezone(zone).date() - first).days // 7
        mine = touch.contact.owner_id == owner.pk and touch.happened_at <= now
        if mine and KINDS[touch.kind].qualifies and 0 <= week < 12:
            weeks[week][0 if KINDS[touch.kind].personal else 1] += 1
    return [(personal, digital) for personal, digital in weeks]


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    zones=st.lists(st.sampled_from(ZONES), min_size=2, max_size=2),
    # `now` around the changes of daylight saving time in spring and autumn, north and south
    now_hours=st.integers(min_value=0, max_value=24 * 365),
    touches=st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=1),
            st.sampled_from([Kind.CALL, Kind.MEETING, Kind.EMAIL, Kind.REACTION, Kind.MASS_MAIL]),
            # hours before `now`, up to past the first week (and a few after `now`)
            st.integers(min_value=-3, max_value=24 * 86),
            st.sampled_from([0, 1, 59]),  # minutes: on and just past midnight
        ),
        max_size=25,
    ),
)
def test_the_weekly_mix_equals_counting_each_touchs_local_day(zones, now_hours, touches) -> None:
    try:
        with transaction.atomic():
            now = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=now_hours)
            owners = [UserFactory(time_zone=zone) for zone in zones]
            contacts = [ContactFactory(owner=owner) for owner in owners]
            for index, kind, hours, minutes in touches:
                # whole local hours before `now` in the owner's zone, so touches land at midnights
                local = now.astimezone(ZoneInfo(zones[index])).replace(
                    minute=minutes, second=0, microsecond=0
                )
                happened_at = (local - timedelta(hours=hours)).astimezone(UTC)
                ledger.log_touch(contacts[index], kind=kind, happened_at=happened_at)
            zone_of = {owner.pk: ZoneInfo(zone) for owner, zone in zip(owners, zones, strict=True)}

            weeks = weekly_mix_by_owner(Touchpoint.objects.all(), now=now, zones=zone_of)

            logged = list(Touchpoint.objects.select_related("contact"))
            for owner in owners:
                assert weeks[owner.pk] == weeks_by_local_day(logged, owner, now=now, zone=zone_of[owner.pk])
            raise Rollback
    except Rollback:
        pass
