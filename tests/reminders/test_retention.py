"""Retention of the reminders: digest runs after 90 days, the states of items long past."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.test import override_settings

from contacts.models import Contact
from netzwerk.accounts.models import User
from netzwerk.retention import delete_in_batches
from reminders import items, retention, states, tasks
from reminders.birthdays import Gesture, GestureDue
from reminders.models import DigestRun, ItemKind, ReminderState
from tests.factories import ContactFactory, DigestRunFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
# With the default 30 days: what stopped hiding on this day or before is past.
CUTOFF = date(2026, 5, 16)


def at(moment: datetime) -> time_machine.travel:
    return time_machine.travel(moment, tick=False)


def run_task() -> dict[str, int]:
    with at(NOW):
        return tasks.forget_old()


# ---------------------------------------------------------------- digest runs


def test_it_deletes_digest_runs_of_days_more_than_90_days_ago(owner: User) -> None:
    kept = [DigestRunFactory(owner=owner, local_date=date(2026, 3, 17)), DigestRunFactory(owner=owner)]
    DigestRunFactory(owner=owner, local_date=date(2026, 3, 16))  # 91 days before NOW's day
    DigestRunFactory(owner=owner, local_date=date(2025, 1, 1))

    assert run_task() == {"digest_runs": 2, "reminder_states": 0}

    assert sorted(DigestRun.objects.values_list("pk", flat=True)) == sorted(run.pk for run in kept)


@override_settings(RETAIN_DIGEST_RUNS_DAYS=10)
def test_it_takes_the_digest_period_from_the_settings(owner: User) -> None:
    DigestRunFactory(owner=owner, local_date=date(2026, 6, 4))
    kept = DigestRunFactory(owner=owner, local_date=date(2026, 6, 5))

    assert run_task()["digest_runs"] == 1

    assert list(DigestRun.objects.values_list("pk", flat=True)) == [kept.pk]


# ---------------------------------------------------------------- reminder states


def state(
    owner: User,
    key: str,
    *,
    kind: ItemKind,
    snoozed_until: date | None = None,
    done: bool = False,
    changed: datetime = NOW - 60 * DAY,
) -> ReminderState:
    made = ReminderState.objects.create(
        owner=owner, kind=kind, key=key, snoozed_until=snoozed_until, done_at=changed if done else None
    )
    ReminderState.objects.filter(pk=made.pk).update(updated_at=changed)  # auto_now set it to now
    return made


def birthday_key(contact: Contact, gesture: Gesture, birthday: date) -> str:
    return items.item_key(
        ItemKind.BIRTHDAY, contact=contact.pk, occasion=GestureDue(gesture, birthday).occasion
    )


def remaining() -> set[str]:
    return set(ReminderState.objects.values_list("key", flat=True))


def test_it_deletes_a_snooze_30_days_after_it_ended(owner: User) -> None:
    past = state(owner, "cadence:1", kind=ItemKind.CADENCE, snoozed_until=CUTOFF)
    kept = state(owner, "cadence:2", kind=ItemKind.CADENCE, snoozed_until=CUTOFF + DAY)
    state(owner, "roster_review:", kind=ItemKind.ROSTER_REVIEW, snoozed_until=date(2026, 1, 1))
    # a snooze still hiding its item, whenever it was set
    hiding = state(owner, "prospect:3", kind=ItemKind.PROSPECT, snoozed_until=NOW.date() + DAY)

    assert run_task() == {"digest_runs": 0, "reminder_states": 2}

    assert remaining() == {kept.key, hiding.key}
    assert past.key not in remaining()


def test_it_keeps_a_done_birthday_gesture_until_30_days_after_that_birthday(owner: User) -> None:
    contact = ContactFactory(owner=owner)
    past = state(owner, birthday_key(contact, Gesture.CARD, CUTOFF - DAY), kind=ItemKind.BIRTHDAY, done=True)
    kept = state(owner, birthday_key(contact, Gesture.CALL, CUTOFF), kind=ItemKind.BIRTHDAY, done=True)
    # done for a birthday still ahead: it hides the gesture until then, however long ago it was done
    ahead = state(
        owner, birthday_key(contact, Gesture.GIFT, date(2026, 6, 20)), kind=ItemKind.BIRTHDAY, done=True
    )

    assert run_task()["reminder_states"] == 1

    assert remaining() == {kept.key, ahead.key}
    assert past.key not in remaining()


def test_it_deletes_a_snoozed_birthday_gesture_by_its_snooze(owner: User) -> None:
    contact = ContactFactory(owner=owner)
    # snoozed, not done: the snooze alone hides it, whatever the birthday
    past = state(
        owner,
        birthday_key(contact, Gesture.GIFT, date(2026, 6, 20)),
        kind=ItemKind.BIRTHDAY,
        snoozed_until=CUTOFF,
    )
    kept = state(
        owner,
        birthday_key(contact, Gesture.CARD, date(2026, 6, 20)),
        kind=ItemKind.BIRTHDAY,
        snoozed_until=CUTOFF + DAY,
    )

    assert run_task()["reminder_states"] == 1

    assert remaining() == {kept.key}
    assert past.key not in remaining()


def test_it_deletes_a_done_promise_30_days_after_it_was_done(owner: User) -> None:
    past = state(owner, "promise:1", kind=ItemKind.PROMISE, done=True, changed=NOW - 30 * DAY)
    kept = state(
        owner, "promise:2", kind=ItemKind.PROMISE, done=True, changed=NOW - 30 * DAY + timedelta(seconds=1)
    )

    assert run_task()["reminder_states"] == 1

    assert remaining() == {kept.key}
    assert past.key not in remaining()


def test_it_keeps_what_today_still_hides(owner: User) -> None:
    """Snoozed and done through the real functions, the sweep run a day later: all stay."""
    contact = ContactFactory(owner=owner, birthday_month=6, birthday_day=20)
    with at(NOW):
        states.snooze(owner, ItemKind.CADENCE, days=7, now=NOW, contact=contact)
        states.mark_done(
            owner,
            ItemKind.BIRTHDAY,
            now=NOW,
            contact=contact,
            occasion=GestureDue(Gesture.CARD, date(2026, 6, 20)).occasion,
        )
    with at(NOW + DAY):
        assert tasks.forget_old()["reminder_states"] == 0
    assert ReminderState.objects.count() == 2


@override_settings(RETAIN_REMINDER_STATES_DAYS=1)
def test_it_takes_the_reminder_state_period_from_the_settings(owner: User) -> None:
    state(owner, "cadence:1", kind=ItemKind.CADENCE, snoozed_until=NOW.date() - DAY)
    kept = state(owner, "cadence:2", kind=ItemKind.CADENCE, snoozed_until=NOW.date())

    assert run_task()["reminder_states"] == 1

    assert remaining() == {kept.key}


def test_it_deletes_in_bounded_batches(owner: User, django_assert_num_queries: object) -> None:
    for number in range(3):
        state(owner, f"cadence:{number}", kind=ItemKind.CADENCE, snoozed_until=date(2026, 1, 1))
    states = retention.past_states(now=NOW, days=30)

    # each batch: its ids, then their DELETE; then the ids of none
    with django_assert_num_queries(2 * 2 + 1):  # type: ignore[operator]
        assert delete_in_batches(states, batch=2) == 3
    assert not ReminderState.objects.exists()
