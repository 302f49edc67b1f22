"""The coach overview's network health for many clients equals each client's own, whatever their
settings: users with the same settings share one condition, the others keep theirs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

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
    for user in (usual, also_usual, unusual):
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

    together = network_health([usual, unusual, also_usual], now=NOW)

    for user in (usual, also_usual, unusual):
        assert together[user.pk] == network_health([user], now=NOW)[user.pk]
    assert together[unusual.pk] != together[usual.pk]  # the settings tell them apart
    assert together[usual.pk] == together[also_usual.pk]
