"""The coach overview's network health for many clients equals each client's own, whatever their
settings: users with the same settings share one condition, the others keep theirs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts.choices import Circle
from contacts.models import Contact
from reminders.health import network_health
from tests.factories import ContactFactory, UserFactory

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
DAYS_AGO = [10, 40, 60, 100, 130, 150, 200, 400]


@pytest.mark.django_db
def test_the_health_of_many_equals_each_ones_own() -> None:
    usual, also_usual = UserFactory(), UserFactory()
    unusual = UserFactory(
        cadence_regular_ideal=20,
        cadence_regular_max=50,
        cadence_loose_ideal=100,
        cadence_loose_max=140,
        online_window_days=50,
        prospect_target=2,
    )
    network(usual, also_usual, unusual)

    together = network_health([usual, unusual, also_usual], now=NOW)

    for user in (usual, also_usual, unusual):
        assert together[user.pk] == network_health([user], now=NOW)[user.pk]
    assert together[unusual.pk] != together[usual.pk]  # the settings tell them apart
    assert together[usual.pk] == together[also_usual.pk]


@pytest.mark.django_db
def test_clients_with_the_same_settings_are_named_once() -> None:
    """One condition serves them all: the list of owners is in the query once, not again in each
    count's condition (at 100 clients that list made most of the query's text)."""
    usual, also_usual = UserFactory(), UserFactory()
    network(usual, also_usual)

    with CaptureQueriesContext(connection) as queries:
        together = network_health([usual, also_usual], now=NOW)

    (query,) = queries.captured_queries
    assert query["sql"].count('"owner_id" IN') == 1
    assert together[usual.pk] == network_health([usual], now=NOW)[usual.pk]
    assert together[also_usual.pk] == network_health([also_usual], now=NOW)[also_usual.pk]
    assert together[usual.pk].red > 0
    assert together[usual.pk].online_backlog > 0


def network(*users) -> None:
    """For each user, contacts in each circle touched at each of DAYS_AGO, online-only ones and
    prospects added then."""
    for user in users:
        for days in DAYS_AGO:
            when = NOW - timedelta(days=days)
            for circle in (Circle.REGULAR, Circle.LOOSE):
                contact = ContactFactory(owner=user, circle=circle)
                Contact.objects.filter(pk=contact.pk).update(created_at=when, last_touch_at=when)
            online = ContactFactory(owner=user, how_met="linkedin", stage="online")
            Contact.objects.filter(pk=online.pk).update(created_at=when)
            prospect = ContactFactory(owner=user, prospect_status="prospect")
            Contact.objects.filter(pk=prospect.pk).update(
                prospect_since=when, prospect_touches=days // 40, last_touch_at=when
            )


@pytest.mark.django_db
def test_users_of_other_time_zones_checked_together_get_their_own_days() -> None:
    """A cadence turns at its owner's midnight: an Auckland user's tie met 30 days ago (by
    Auckland's calendar) is green, whoever else is in the digest's batch or the coach's list."""
    from contacts.models import Contact
    from reminders import due
    from reminders.models import ItemKind
    from tests.factories import strong_ties

    berlin = UserFactory(time_zone="Europe/Berlin")
    auckland = UserFactory(time_zone="Pacific/Auckland")
    (tie,) = strong_ties(auckland, 1)
    met = datetime(2027, 2, 7, 20, 0, tzinfo=UTC)  # 8 February, 09:00 in Auckland
    Contact.objects.filter(pk=tie.pk).update(created_at=met - timedelta(days=5), last_touch_at=met)
    now = datetime(2027, 3, 10, 7, 0, tzinfo=UTC)  # 10 March, 20:00 in Auckland: 30 days

    alone = network_health([auckland], now=now)[auckland.pk]
    together = network_health([berlin, auckland], now=now)[auckland.pk]
    assert (alone.yellow, together.yellow) == (0, 0)
    for users in ([auckland], [berlin, auckland], [auckland, berlin]):
        today = due.todays_for(users, now=now)[auckland.pk]
        assert next(s for s in today.sections if s.kind == ItemKind.CADENCE).total == 0
    ranked = Contact.objects.filter(pk=tie.pk).with_cadence_rank(auckland, now=now).get()
    assert ranked.cadence_rank == 0  # type: ignore[attr-defined]
