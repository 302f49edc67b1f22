"""Retention of the ground floor: the coach access log after 13 months, expired sessions; the
batches every retention job deletes in; and the beat schedule that runs them all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import override_settings

from netzwerk import retention
from netzwerk.accounts import tasks
from netzwerk.accounts.models import AccessLog, User

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
THIRTEEN_MONTHS_AGO = datetime(2025, 5, 15, 12, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


def at(moment: datetime) -> time_machine.travel:
    return time_machine.travel(moment, tick=False)


def access(client: User, coach: User, when: datetime) -> AccessLog:
    return AccessLog.objects.create(client=client, coach=coach, action="view", what="overview", at=when)


def test_it_deletes_access_log_rows_older_than_13_months(owner: User, coach: User) -> None:
    kept = [access(owner, coach, THIRTEEN_MONTHS_AGO), access(owner, coach, NOW - SECOND)]
    access(owner, coach, THIRTEEN_MONTHS_AGO - SECOND)
    access(owner, coach, datetime(2020, 1, 1, tzinfo=UTC))

    with at(NOW):
        assert tasks.forget_old() == 2

    assert sorted(AccessLog.objects.values_list("pk", flat=True)) == sorted(row.pk for row in kept)


@override_settings(RETAIN_ACCESS_LOG_MONTHS=1)
def test_it_takes_the_access_log_period_from_the_settings(owner: User, coach: User) -> None:
    access(owner, coach, datetime(2026, 5, 15, 11, 59, tzinfo=UTC))
    kept = access(owner, coach, datetime(2026, 5, 15, 12, 0, tzinfo=UTC))

    with at(NOW):
        assert tasks.forget_old() == 1

    assert list(AccessLog.objects.values_list("pk", flat=True)) == [kept.pk]


def test_it_deletes_expired_sessions_only() -> None:
    with at(NOW - timedelta(days=20)):
        expired = SessionStore()
        expired.create()  # expires SESSION_COOKIE_AGE (14 days) later: 6 days before NOW
    with at(NOW - timedelta(days=10)):
        alive = SessionStore()
        alive.create()

    with at(NOW):
        tasks.forget_old()

    assert list(Session.objects.values_list("session_key", flat=True)) == [alive.session_key]
    assert expired.session_key is not None


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (datetime(2026, 6, 15, 12, 0, tzinfo=UTC), 13, datetime(2025, 5, 15, 12, 0, tzinfo=UTC)),
        (datetime(2026, 3, 31, tzinfo=UTC), 1, datetime(2026, 2, 28, tzinfo=UTC)),
        (datetime(2024, 3, 31, tzinfo=UTC), 1, datetime(2024, 2, 29, tzinfo=UTC)),
        (datetime(2026, 1, 10, tzinfo=UTC), 13, datetime(2024, 12, 10, tzinfo=UTC)),
    ],
)
def test_it_counts_months_in_calendar_months(moment: datetime, months: int, expected: datetime) -> None:
    assert retention.months_before(moment, months) == expected


def test_it_stops_after_its_batches_and_leaves_the_rest_for_the_next_run(owner: User, coach: User) -> None:
    for _ in range(5):
        access(owner, coach, datetime(2020, 1, 1, tzinfo=UTC))
    old = AccessLog.objects.filter(at__year=2020)

    assert retention.delete_in_batches(old, batch=2, max_batches=2) == 4
    assert old.count() == 1
    assert retention.delete_in_batches(old, batch=2, max_batches=2) == 1
    assert not old.exists()


def test_the_beat_schedule_runs_every_retention_job() -> None:
    tasks_scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert {
        "netzwerk.accounts.tasks.forget_old",
        "reminders.tasks.forget_old",
        "imports.tasks.forget_abandoned",
        "privacy.tasks.forget_expired",
        "privacy.tasks.sweep",
    } <= tasks_scheduled
