"""The digest: one e-mail per user and local day, at the user's hour, never two, none when nothing is due."""

from __future__ import annotations

import email.policy
import socket
import threading
from datetime import UTC, date, datetime, timedelta
from smtplib import SMTPRecipientsRefused, SMTPServerDisconnected
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail, signing
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client, TestCase
from django.urls import reverse

from contacts.models import Contact
from netzwerk.accounts.models import User
from reminders import digest, digest_schedule, due, tasks
from reminders.models import DigestRun, DigestStatus
from tests.factories import ContactFactory, DigestRunFactory, UserFactory, sign_in
from tests.reminders.conftest import NOW

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = datetime(2026, 11, 23, 7, 0, tzinfo=BERLIN)  # a Monday, 07:00 in Berlin
DAY = timedelta(days=1)


def due_contact(owner: User, name: str = "Überfällig") -> Contact:
    """A regular contact added in 2025 and never touched: its cadence is red all through 2026."""
    with time_machine.travel(datetime(2025, 1, 1, tzinfo=UTC), tick=False):
        return ContactFactory(owner=owner, first_name=name)


@pytest.fixture
def reader(db: None) -> User:
    user = UserFactory(email="leser@netzwerk.test", first_name="Lea", language="de")
    due_contact(user)
    return user


def sweep(now: datetime) -> digest.SweepResult:
    """One sweep with delivery in this process, as `send_digests` does, once the claims commit."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return digest.sweep(now, send=lambda claims: digest.deliver(claims, now=now))


def outbox_for(user: User) -> list[mail.EmailMessage]:
    return [message for message in mail.outbox if message.to == [user.email]]


class FlakySMTP:
    """Stands in for the SMTP backend's send: fails `failures` times, then sends."""

    def __init__(self, failures: int, real: Any) -> None:
        self.failures, self.real, self.calls = failures, real, 0

    def patch(self, backend: type, monkeypatch: pytest.MonkeyPatch) -> None:
        def send_messages(connection: Any, messages: list[mail.EmailMessage]) -> int:
            self.calls += 1
            if self.calls <= self.failures:
                raise SMTPServerDisconnected("connection unexpectedly closed")
            return int(self.real(connection, messages))

        monkeypatch.setattr(backend, "send_messages", send_messages)


@pytest.mark.parametrize(
    ("frequency", "hour", "local", "expected"),
    [
        ("daily", 7, datetime(2026, 11, 24, 6, 59, tzinfo=BERLIN), None),
        ("daily", 7, datetime(2026, 11, 24, 7, 0, tzinfo=BERLIN), date(2026, 11, 24)),
        ("daily", 7, datetime(2026, 11, 24, 23, 59, tzinfo=BERLIN), date(2026, 11, 24)),  # catch-up
        ("daily", 0, datetime(2026, 11, 24, 0, 0, tzinfo=BERLIN), date(2026, 11, 24)),
        ("weekly", 7, datetime(2026, 11, 23, 7, 0, tzinfo=BERLIN), date(2026, 11, 23)),  # Monday
        ("weekly", 7, datetime(2026, 11, 24, 7, 0, tzinfo=BERLIN), None),  # Tuesday
        ("off", 7, datetime(2026, 11, 23, 12, 0, tzinfo=BERLIN), None),
    ],
)
def test_the_digest_is_due_from_the_users_local_hour(
    frequency: str, hour: int, local: datetime, expected: date | None
) -> None:
    user = User(digest_frequency=frequency, digest_hour=hour, time_zone="Europe/Berlin")

    assert digest_schedule.digest_day(user, local) == expected


def test_the_hour_is_the_users_own() -> None:
    """06:30 UTC is 07:30 in Berlin but 01:30 in New York."""
    moment = datetime(2026, 11, 24, 6, 30, tzinfo=UTC)

    assert digest_schedule.digest_day(User(digest_hour=7, time_zone="Europe/Berlin"), moment) == date(
        2026, 11, 24
    )
    assert digest_schedule.digest_day(User(digest_hour=7, time_zone="America/New_York"), moment) is None


def test_one_digest_in_the_users_language_with_links_and_unsubscribe_headers(reader: User, settings) -> None:
    settings.SITE_URL = "https://netzwerk.example"

    sweep(MONDAY)

    (message,) = outbox_for(reader)
    assert message.subject == "Netzwerk: 1 Sache zu tun am Montag, 23. November 2026"
    assert "Hallo Lea," in message.body
    assert "Überfällig" in message.body
    contact = Contact.objects.get(owner=reader)
    assert f"https://netzwerk.example{contact.get_absolute_url()}" in message.body
    assert "https://netzwerk.example/today/" in message.body
    ((html, mimetype),) = message.alternatives  # type: ignore[attr-defined]
    assert mimetype == "text/html"
    assert f'href="https://netzwerk.example{contact.get_absolute_url()}"' in html
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<https://netzwerk.example/digest/unsubscribe/")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    run = DigestRun.objects.get(owner=reader)
    assert (run.local_date, run.status, run.items) == (date(2026, 11, 23), DigestStatus.SENT, 1)


def test_sweeping_twice_sends_one_digest(reader: User) -> None:
    first = sweep(MONDAY)
    second = sweep(MONDAY + timedelta(minutes=5))
    later = sweep(MONDAY + timedelta(hours=10))

    assert len(outbox_for(reader)) == 1
    assert (first.due, len(first.claimed)) == (1, 1)
    assert (second.due, len(second.claimed)) == (0, 0)
    assert later.due == 0
    sweep(MONDAY + DAY)
    assert len(outbox_for(reader)) == 2  # the next day has its own


def test_the_sweep_moves_each_users_next_digest_on_and_looks_at_no_one_else(reader: User) -> None:
    sweep(MONDAY)
    reader.refresh_from_db()
    assert reader.next_digest_at == MONDAY + DAY  # Tuesday, 07:00 in Berlin

    User.objects.filter(pk=reader.pk).update(next_digest_at=MONDAY + 3 * DAY)  # not due till Thursday
    assert sweep(MONDAY + DAY).due == 0
    assert len(outbox_for(reader)) == 1
    assert sweep(MONDAY + 3 * DAY).due == 1


@pytest.mark.parametrize("count", [2, 6])
def test_a_sweep_claims_any_number_of_due_users_in_the_same_queries(
    db: None, count: int, django_assert_num_queries: Any
) -> None:
    """Fail the runs whose day is over (1), find the due users (1), move them on (1), read their
    last runs' days (1) and insert their runs (1) in a transaction (2), find abandoned leases
    (1), queue lost tasks again (1)."""
    crowd(count)

    with django_assert_num_queries(9):
        result = digest.sweep(MONDAY, send=lambda claims: None)

    assert (result.due, len(result.claimed)) == (count, count)


def test_changing_when_the_digest_comes_works_the_next_one_out_afresh(reader: User) -> None:
    sweep(MONDAY)
    reader.digest_hour = 9
    reader.save(update_fields=["digest_hour"])
    reader.refresh_from_db()
    assert reader.next_digest_at is None

    sweep(MONDAY + timedelta(hours=1))  # 08:00: the hour is nine now
    reader.refresh_from_db()
    assert reader.next_digest_at == datetime(2026, 11, 23, 9, 0, tzinfo=BERLIN)

    assert sweep(MONDAY + timedelta(hours=2)).claimed == []  # Monday's was sent at seven: not again
    reader.refresh_from_db()
    assert reader.next_digest_at == datetime(2026, 11, 24, 9, 0, tzinfo=BERLIN)
    assert len(outbox_for(reader)) == 1


@pytest.mark.parametrize(
    ("frequency", "local", "expected"),
    [
        (
            "daily",
            datetime(2026, 11, 24, 6, 0, tzinfo=BERLIN),
            (None, datetime(2026, 11, 24, 7, 0, tzinfo=BERLIN)),
        ),
        (
            "daily",
            datetime(2026, 11, 24, 7, 0, tzinfo=BERLIN),
            (date(2026, 11, 24), datetime(2026, 11, 25, 7, 0, tzinfo=BERLIN)),
        ),
        (
            "weekly",
            datetime(2026, 11, 24, 8, 0, tzinfo=BERLIN),
            (None, datetime(2026, 11, 30, 7, 0, tzinfo=BERLIN)),
        ),  # a Tuesday
        (
            "weekly",
            datetime(2026, 11, 23, 8, 0, tzinfo=BERLIN),
            (date(2026, 11, 23), datetime(2026, 11, 30, 7, 0, tzinfo=BERLIN)),
        ),
        (
            "daily",
            datetime(2026, 3, 28, 8, 0, tzinfo=BERLIN),
            (date(2026, 3, 28), datetime(2026, 3, 29, 7, 0, tzinfo=BERLIN)),
        ),  # DST
    ],
)
def test_the_next_digest_is_at_the_users_hour_on_the_next_day_it_comes(
    frequency: str, local: datetime, expected: tuple[date | None, datetime]
) -> None:
    user = User(digest_frequency=frequency, digest_hour=7, time_zone="Europe/Berlin")

    day, following = digest_schedule.next_digest(user, local)

    assert (day, following) == expected
    assert following.utcoffset() == expected[1].utcoffset()  # summer time, for the DST case


def test_nothing_is_sent_when_nothing_is_due(db: None) -> None:
    quiet = UserFactory(email="ruhig@netzwerk.test")

    sweep(MONDAY)

    assert outbox_for(quiet) == []
    assert DigestRun.objects.get(owner=quiet).status == DigestStatus.EMPTY
    sweep(MONDAY + timedelta(hours=1))
    assert DigestRun.objects.filter(owner=quiet).count() == 1


def test_before_the_hour_nothing_and_after_downtime_the_same_day_catches_up(reader: User) -> None:
    assert sweep(MONDAY - timedelta(minutes=5)).due == 0

    sweep(MONDAY + timedelta(hours=5, minutes=35))  # the worker was down from 06:55 to 12:35

    assert len(outbox_for(reader)) == 1


def test_unverified_and_switched_off_users_get_nothing(db: None) -> None:
    unverified = UserFactory(email="neu@netzwerk.test", verified=False)
    off = UserFactory(email="aus@netzwerk.test", digest_frequency="off")
    for user in (unverified, off):
        due_contact(user)

    assert sweep(MONDAY).due == 0
    assert mail.outbox == []


def test_a_queued_claim_whose_task_was_lost_is_queued_again_without_waiting_for_the_timeout(
    reader: User,
) -> None:
    """A flushed broker: the run is still queued, and a sweep after `requeue_after` sends the
    same claim again; the lost task, should it turn up after all, finds the claim taken."""
    lost = digest.claim_new([(reader.pk, date(2026, 11, 23))], MONDAY)[reader.pk]  # its task is gone

    assert sweep(MONDAY + timedelta(seconds=30)).requeued == []  # too soon: its task may be waiting
    again = sweep(MONDAY + digest.requeue_after() + timedelta(seconds=1))
    assert digest.requeue_after() < digest.claim_timeout()
    digest.deliver([lost], now=MONDAY)  # the lost task after all, late

    assert again.claimed == []
    assert [(run_id, datetime.fromisoformat(at)) for run_id, at in again.requeued] == [
        (lost[0], datetime.fromisoformat(lost[1]))
    ]
    assert len(outbox_for(reader)) == 1
    run = DigestRun.objects.get(owner=reader)
    assert (run.status, run.attempts) == (DigestStatus.SENT, 1)


def crowd(count: int) -> list[User]:
    users: list[User] = [UserFactory(email=f"leser{n}@netzwerk.test") for n in range(count)]
    for user in users:
        due_contact(user)
    return users


def crash_while_sending(claims: list[digest.Claim], moment: datetime, *, sending: int = 0) -> DigestRun:
    """A worker leases `claims` at `moment`, begins sending the `sending`-th and dies."""
    runs = sorted(digest.lease(claims, moment).values(), key=lambda run: run.pk)
    assert digest.mark_sending(runs[sending], moment)
    return runs[sending]


def test_a_worker_dying_mid_chunk_charges_an_attempt_only_to_the_run_being_sent(
    db: None, caplog: pytest.LogCaptureFixture
) -> None:
    users = crowd(3)
    claims = digest.sweep(MONDAY, send=lambda claims: None).claimed
    leased_at = MONDAY + timedelta(minutes=1)
    dying = crash_while_sending(claims, leased_at, sending=1)

    assert sweep(leased_at + digest.claim_timeout() - timedelta(seconds=1)).claimed == []  # a live lease
    with caplog.at_level("WARNING", logger="reminders.digest"):
        taken = digest.sweep(leased_at + digest.claim_timeout() + timedelta(seconds=1), send=lambda c: None)

    assert len(taken.claimed) == 3
    charged = dict(DigestRun.objects.values_list("pk", "attempts"))
    assert charged == {run_id: int(run_id == dying.pk) for run_id, _ in claims}
    assert [record.getMessage() for record in caplog.records] == [
        f"digest run {dying.pk}: its worker died while sending it; sending it again"
    ]
    digest.deliver(taken.claimed, now=leased_at + digest.claim_timeout() + timedelta(seconds=2))
    digest.deliver(claims, now=leased_at)  # the dead worker's task, redelivered late: sends nothing
    assert sorted(message.to[0] for message in mail.outbox) == sorted(user.email for user in users)
    assert dict(DigestRun.objects.values_list("pk", "attempts")) == {
        run_id: 1 + int(run_id == dying.pk) for run_id, _ in claims
    }


def test_a_run_that_keeps_failing_is_retried_with_backoff_until_its_day_ends_then_reported(
    reader: User, caplog: pytest.LogCaptureFixture
) -> None:
    """Its worker dies while sending it, every time: each retry waits twice as long (up to a
    cap), all day; after the day it is failed, logged by id and listed in the admin."""
    moment, waits, failed_ids = MONDAY, [], []
    claim: digest.Claim | None = digest.sweep(moment, send=lambda claims: None).claimed[0]
    while claim:
        run = crash_while_sending([claim], moment)
        wait = digest.retry_after(run.attempts + 1)
        with caplog.at_level("ERROR", logger="reminders.digest"):
            early = digest.sweep(moment + wait - timedelta(seconds=1), send=lambda claims: None)
            moment += wait + timedelta(seconds=1)
            result = digest.sweep(moment, send=lambda claims: None)
        assert early.claimed == []
        failed_ids += early.failed + result.failed
        claim = result.claimed[0] if result.claimed else None
        waits.append(wait)

    assert moment.astimezone(BERLIN).date() == date(2026, 11, 24)  # retried until the day was over
    assert waits[:4] == [digest.claim_timeout() * factor for factor in (1, 2, 4, 8)]
    assert max(waits) == digest.MAX_BACKOFF
    failed = DigestRun.objects.get(owner=reader)
    assert (failed.status, failed.attempts) == (DigestStatus.FAILED, len(waits))
    assert failed_ids == [failed.pk]
    (logged,) = [record.getMessage() for record in caplog.records if record.levelname == "ERROR"]
    assert logged == f"digest runs failed, their local day over before they could be sent: [{failed.pk}]"
    assert outbox_for(reader) == []


def test_failed_digest_runs_are_listed_in_the_admin(reader: User) -> None:
    failed = DigestRunFactory(owner=reader, status=DigestStatus.FAILED, local_date=date(2026, 11, 23))
    sent = DigestRunFactory(owner=reader, status=DigestStatus.SENT, local_date=date(2026, 11, 24))
    admin = sign_in(Client(), UserFactory(is_staff=True, is_superuser=True, totp=True))

    listed = admin.get("/admin/reminders/digestrun/", {"status__exact": "failed"})

    assert listed.status_code == 200
    shown = [run.pk for run in listed.context["cl"].result_list]
    assert shown == [failed.pk]
    assert sent.pk not in shown
    assert reader.email not in listed.content.decode()  # runs are named by id


def test_a_claim_being_sent_is_not_taken_over(reader: User) -> None:
    """Sending renews the claim (a lease), so a sweep right after cannot take the run."""
    (claimed,) = digest.sweep(MONDAY, send=lambda claims: None).claimed
    almost = MONDAY + digest.claim_timeout() - timedelta(seconds=1)  # a long wait in the queue

    leased = digest.lease([claimed], almost)

    assert list(leased) == [claimed[0]]
    assert digest.sweep(almost + timedelta(seconds=2), send=lambda claims: None).claimed == []
    assert digest.lease([claimed], almost) == {}  # the same task delivered twice stops here


def test_a_refused_address_fails_its_run_and_the_batch_goes_on(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    users = [UserFactory(email=f"stapel{n}@netzwerk.test") for n in range(3)]
    for user in users:
        due_contact(user)
    backend = type(mail.mailers["default"])
    real = backend.send_messages

    def send_messages(connection: Any, messages: list[mail.EmailMessage]) -> int:
        if messages[0].to == [users[1].email]:
            raise SMTPRecipientsRefused({users[1].email: (550, b"no such mailbox")})
        return int(real(connection, messages))

    monkeypatch.setattr(backend, "send_messages", send_messages)

    sweep(MONDAY)

    assert sorted(message.to[0] for message in mail.outbox) == [users[0].email, users[2].email]
    statuses = dict(DigestRun.objects.values_list("owner__email", "status"))
    assert statuses == {
        users[0].email: DigestStatus.SENT,
        users[1].email: DigestStatus.FAILED,
        users[2].email: DigestStatus.SENT,
    }
    assert sweep(MONDAY + timedelta(hours=1)).due == 0  # failed for today: not sent again


def test_a_claim_delivered_after_its_day_fails_and_after_unsubscribing_is_skipped(reader: User) -> None:
    """A digest whose day ended unsent is lost (failed, reported); one the user no longer wants
    is skipped, and stored as skipped: not as "nothing due", which it was not."""
    reader.digest_hour = 23
    reader.save(update_fields=["digest_hour"])
    late = datetime(2026, 11, 23, 23, 58, tzinfo=BERLIN)
    (claimed,) = digest.sweep(late, send=lambda claims: None).claimed

    assert digest.deliver([claimed], now=late + timedelta(minutes=4))["failed"] == 1  # Tuesday now
    assert DigestRun.objects.get(pk=claimed[0]).status == DigestStatus.FAILED

    (claimed,) = digest.sweep(late + DAY, send=lambda claims: None).claimed
    reader.digest_frequency = User.DigestFrequency.OFF
    reader.save(update_fields=["digest_frequency"])
    assert digest.deliver([claimed], now=late + DAY)["skipped"] == 1
    assert DigestRun.objects.get(pk=claimed[0]).status == DigestStatus.SKIPPED
    assert outbox_for(reader) == []


def test_a_digest_whose_hour_moved_later_is_skipped_not_recorded_as_nothing_due(reader: User) -> None:
    (claimed,) = digest.sweep(MONDAY, send=lambda claims: None).claimed
    reader.digest_hour = 18
    reader.save(update_fields=["digest_hour"])

    assert digest.deliver([claimed], now=MONDAY + timedelta(minutes=1))["skipped"] == 1

    run = DigestRun.objects.get(pk=claimed[0])
    assert (run.status, run.attempts) == (DigestStatus.SKIPPED, 0)
    assert outbox_for(reader) == []


def test_a_transient_smtp_error_leaves_the_claim_for_the_retry(
    reader: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = digest.sweep(MONDAY, send=lambda claims: None)
    backend = type(mail.mailers["default"])
    FlakySMTP(1, backend.send_messages).patch(backend, monkeypatch)

    with pytest.raises(digest.TransientDeliveryError) as raised:
        digest.deliver(result.claimed, now=MONDAY + timedelta(minutes=1))
    assert isinstance(raised.value.__cause__, SMTPServerDisconnected)
    assert reader.email not in str(raised.value)  # Celery logs it: no address
    assert DigestRun.objects.get(owner=reader).status == DigestStatus.CLAIMED

    # Celery's retry a little later, with the same claims, and a duplicate delivery of the task
    digest.deliver(result.claimed, now=MONDAY + timedelta(minutes=2))
    digest.deliver(result.claimed, now=MONDAY + timedelta(minutes=3))
    assert len(outbox_for(reader)) == 1


@pytest.mark.parametrize(
    ("day", "hour_utc"),
    [
        (date(2026, 3, 29), 5),  # spring forward: 07:00 CEST is 05:00 UTC
        (date(2026, 10, 25), 6),  # fall back: 07:00 CET is 06:00 UTC
    ],
)
def test_on_dst_days_one_digest_at_the_local_hour(reader: User, day: date, hour_utc: int) -> None:
    """Sweeps every five minutes over the whole UTC day around the change."""
    sent_at: list[datetime] = []
    start = datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(hours=2)
    for step in range(0, 26 * 12):
        now = start + timedelta(minutes=5 * step)
        before = len(mail.outbox)
        sweep(now)
        if len(mail.outbox) > before:
            sent_at.append(now)

    on_the_day = [moment for moment in sent_at if moment.astimezone(BERLIN).date() == day]
    assert [moment.astimezone(UTC).hour for moment in on_the_day] == [hour_utc]
    assert [moment.astimezone(BERLIN).strftime("%H:%M") for moment in on_the_day] == ["07:00"]
    assert DigestRun.objects.get(owner=reader, local_date=day).status == DigestStatus.SENT


@pytest.mark.django_db(transaction=True)
def test_two_sweepers_racing_send_one_digest_per_user() -> None:
    users = [UserFactory(email=f"wettlauf{n}@netzwerk.test") for n in range(12)]
    for user in users:
        due_contact(user)
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def race() -> None:
        try:
            start.wait()
            sweep(MONDAY)
        except BaseException as error:  # reported below, so the test cannot pass silently
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=race) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(message.to[0] for message in mail.outbox) == sorted(user.email for user in users)
    assert DigestRun.objects.filter(status=DigestStatus.SENT).count() == len(users)


# ---------------------------------------------------------------- the command


def test_the_command_sweeps_once_at_the_given_moment(reader: User, capsys) -> None:
    call_command("send_digests", "--dry-run", "--now", "2026-11-23T07:00:00+01:00")
    dry = capsys.readouterr().out
    assert f"user {reader.pk} · 2026-11-23 · 1 item\n" in dry
    assert reader.email not in dry
    assert mail.outbox == []
    assert not DigestRun.objects.exists()

    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("send_digests", "--now", "2026-11-23T07:00:00+01:00")
        call_command("send_digests", "--now", "2026-11-23T07:05:00+01:00")

    assert "0 due" in capsys.readouterr().out
    assert len(outbox_for(reader)) == 1


def test_the_dry_run_counts_two_items_in_the_plural(reader: User, capsys) -> None:
    due_contact(reader, name="Zweite")
    call_command("send_digests", "--dry-run", "--now", "2026-11-23T07:00:00+01:00")
    assert f"user {reader.pk} · 2026-11-23 · 2 items\n" in capsys.readouterr().out


def test_the_command_wants_a_time_zone(db: None) -> None:
    with pytest.raises(CommandError, match="time zone offset"):
        call_command("send_digests", "--now", "2026-11-23T07:00:00")


# ---------------------------------------------------------------- unsubscribe and preview


def unsubscribe_path(user: User) -> str:
    return digest.unsubscribe_url(user).split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def test_unsubscribing_asks_first_then_takes_one_post_without_a_csrf_token(reader: User) -> None:
    client = Client(enforce_csrf_checks=True)
    path = unsubscribe_path(reader)

    page = client.get(path)
    reader.refresh_from_db()
    assert reader.digest_frequency == "daily"
    assert 'data-testid="confirm-unsubscribe"' in page.content.decode()

    done = client.post(path, {"List-Unsubscribe": "One-Click"})

    assert done.status_code == 200
    reader.refresh_from_db()
    assert reader.digest_frequency == "off"
    assert sweep(MONDAY).due == 0


@pytest.mark.parametrize("forge", ["not-signed", "1:abc", "other salt"])
def test_a_forged_unsubscribe_token_is_not_found(reader: User, client: Client, forge: str) -> None:
    token = signing.dumps(reader.pk, salt="netzwerk.other", compress=True) if forge == "other salt" else forge

    assert client.post(reverse("digest:unsubscribe", args=[token])).status_code == 404
    reader.refresh_from_db()
    assert reader.digest_frequency == "daily"


def test_the_preview_shows_todays_digest(reader: User, client: Client) -> None:
    client.force_login(reader)

    with time_machine.travel(MONDAY, tick=False):
        html = client.get(reverse("digest:preview")).content.decode()
        text = client.get(reverse("digest:preview"), {"format": "text"}).content.decode()

    assert "Überfällig" in html
    assert text.startswith("Netzwerk: 1 Sache zu tun am Montag")
    assert mail.outbox == []
    assert not DigestRun.objects.exists()


@pytest.mark.parametrize(("failures", "sent"), [(2, 1), (tasks.SMTP_RETRIES + 1, 0)])
def test_the_delivery_task_retries_transient_smtp_errors_a_bounded_number_of_times(
    reader: User, monkeypatch: pytest.MonkeyPatch, failures: int, sent: int
) -> None:
    result = digest.sweep(MONDAY, send=lambda claims: None)
    backend = type(mail.mailers["default"])
    flaky = FlakySMTP(failures, backend.send_messages)
    flaky.patch(backend, monkeypatch)

    with time_machine.travel(MONDAY + timedelta(minutes=1), tick=False):  # a while after the sweep
        outcome = tasks.deliver_digests.apply(args=(result.claimed,))

    assert len(outbox_for(reader)) == sent
    assert flaky.calls == min(failures + 1, tasks.SMTP_RETRIES + 1)
    run = DigestRun.objects.get(owner=reader)
    if sent:
        assert outcome.successful()
        assert run.status == DigestStatus.SENT
    else:
        assert outcome.failed()
        assert run.status == DigestStatus.CLAIMED  # and queued: a later sweep queues it again
        assert run.queued_at is not None
        later = MONDAY + timedelta(minutes=1, seconds=1) + digest.requeue_after()
        again = digest.sweep(later, send=lambda claims: None)
        assert [run_id for run_id, _ in again.requeued] == [run_id for run_id, _ in result.claimed]


def test_the_text_digest_has_a_line_for_every_kind_of_item(owner: User, network: dict[str, Contact]) -> None:
    owner.language = "en"
    _subject, text, html = digest.render(owner, due.today_for(owner, now=NOW))

    lines = [line for line in text.splitlines() if line.startswith("- ")]
    assert len(lines) == 8  # red and yellow, and one item for every other section
    assert any(line.startswith("- Rot Weiß (Overdue): Strong tie · last touch 50 days ago") for line in lines)
    assert any(
        line.startswith("- Post a handwritten card: Geburtstag Weiß – turns 56 on") and "· in 5 days" in line
        for line in lines
    )
    assert any(line.startswith("- Versprechen Weiß: “Artikel schicken”, promised by") for line in lines)
    assert any(
        line.startswith("- Walk through your strong ties") and "/today/review/" in line for line in lines
    )
    for key in ["red", "yellow", "birthday", "promise", "prospect", "online"]:
        contact = network[key]
        assert contact.get_absolute_url() in text
        assert contact.get_absolute_url() in html


def test_a_refused_connection_is_transient_and_leaves_the_claims_for_the_retry(
    reader: User, settings
) -> None:
    """The mail server down: nothing sent, the claims as they were for the task's retry."""
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = digest.sweep(MONDAY, send=lambda claims: None)
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port},
        }
    }

    with pytest.raises(digest.TransientDeliveryError):
        digest.deliver(result.claimed, now=MONDAY + timedelta(minutes=1))

    run = DigestRun.objects.get(owner=reader)
    assert (run.status, run.claimed_at) == (DigestStatus.CLAIMED, MONDAY)
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    assert digest.deliver(result.claimed, now=MONDAY + timedelta(minutes=2))["sent"] == 1
    assert len(outbox_for(reader)) == 1


def chunk_of_readers() -> dict[User, str]:
    """Three users, each with a red contact of their own name."""
    readers: dict[User, str] = {UserFactory(email=f"kette{n}@netzwerk.test"): f"Kontakt{n}" for n in range(3)}
    for user, name in readers.items():
        due_contact(user, name)
    return readers


def test_the_digests_of_a_chunk_each_list_their_own_contacts(db: None) -> None:
    """A chunk's items are found together: each message lists its reader's contacts only."""
    readers = chunk_of_readers()

    sweep(MONDAY)

    for user, name in readers.items():
        (message,) = outbox_for(user)
        assert name in message.body
        assert [other for other in readers.values() if other in message.body] == [name]


def test_a_chunk_that_cannot_be_found_together_is_built_one_by_one(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    readers = chunk_of_readers()
    alone = due.todays_for

    def fails_for_a_chunk(users: list[User], **kwargs: Any) -> dict[int, due.Today]:
        if len(users) > 1:
            raise RuntimeError("the chunk's query failed")
        return alone(users, **kwargs)

    monkeypatch.setattr(due, "todays_for", fails_for_a_chunk)
    sweep(MONDAY)

    for user, name in readers.items():
        (message,) = outbox_for(user)
        assert name in message.body
    assert DigestRun.objects.filter(status=DigestStatus.SENT).count() == len(readers)


@pytest.mark.parametrize("policy", [email.policy.default, email.policy.SMTP], ids=["console", "smtp"])
def test_the_unsubscribe_header_goes_out_as_a_plain_address(
    reader: User, settings, policy: email.policy.Policy
) -> None:
    """Folded at 78 characters, Python wrote the long address as RFC 2047 encoded words."""
    settings.SITE_URL = "https://netzwerk.example"
    sweep(MONDAY)
    (message,) = outbox_for(reader)

    wire = message.message(policy=policy).as_bytes().decode()

    (header,) = [line for line in wire.splitlines() if line.startswith("List-Unsubscribe:")]
    assert header == f"List-Unsubscribe: {message.extra_headers['List-Unsubscribe']}"
    assert header.startswith("List-Unsubscribe: <https://netzwerk.example/digest/unsubscribe/")
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in wire


def test_a_queued_digest_is_queued_again_only_after_the_tasks_retries_would_have_come() -> None:
    """A task waiting to retry after SMTP trouble (Celery's backoff) is not doubled by the sweep,
    and a lost task is replaced well before a dead worker's lease would be taken over."""
    longest_retry_wait = timedelta(seconds=tasks.SMTP_RETRY_BACKOFF_MAX)

    assert longest_retry_wait < digest.requeue_after() < digest.claim_timeout()


def test_a_weekly_digest_holds_what_falls_due_before_the_next_one(db: None) -> None:
    """Sent on Monday 23 November: the promise due on Wednesday, the reminder due on Thursday and
    the birthday on Saturday's call and card are in it (the next digest would find them overdue),
    not what is due after Sunday. A daily reader's digest and Today keep to the day."""
    from reminders.models import ItemKind
    from touchpoints import ledger
    from touchpoints.kinds import Kind
    from touchpoints.models import OneOffReminder

    weekly = UserFactory(email="woche@netzwerk.test", digest_frequency="weekly", digest_hour=7, language="de")
    daily = UserFactory(email="tag@netzwerk.test", digest_frequency="daily", digest_hour=7, language="de")
    for reader in (weekly, daily):
        anna = ContactFactory(owner=reader, first_name="Anna", birthday_day=28, birthday_month=11)
        ledger.log_touch(
            anna, kind=Kind.CALL, happened_at=MONDAY - DAY, promise="Angebot", promise_due=date(2026, 11, 25)
        )
        ledger.log_touch(
            anna, kind=Kind.CALL, happened_at=MONDAY - DAY, promise="Später", promise_due=date(2026, 11, 30)
        )
        OneOffReminder.objects.create(contact=anna, due_on=date(2026, 11, 26), text="Nachfassen")

    sweep(MONDAY)

    [week] = outbox_for(weekly)
    assert "Angebot" in week.body
    assert "Nachfassen, fällig am Donnerstag, 26. November 2026" in week.body  # not "heute"
    assert week.subject.endswith("zu tun in der Woche ab Montag, 23. November 2026")
    assert "Später" not in week.body  # due on the next digest's day
    sections = {
        section.kind: section
        for section in due.today_for(weekly, now=MONDAY, horizon=digest.days_ahead).sections
    }
    assert {item.gesture.gesture for item in sections[ItemKind.BIRTHDAY].items if item.gesture} == {
        "card",
        "call",
    }
    [day] = outbox_for(daily)  # the birthday's card is due on Monday; the rest later in the week
    assert "Angebot" not in day.body
    assert "Nachfassen" not in day.body
    today = {section.kind: section.total for section in due.today_for(weekly, now=MONDAY).sections}
    assert (today[ItemKind.PROMISE], today[ItemKind.ONE_OFF], today[ItemKind.BIRTHDAY]) == (
        0,
        0,
        1,
    )  # the card


def test_moving_west_after_a_digest_brings_no_digest_for_the_day_before(db: None) -> None:
    """Auckland's Tuesday digest at 07:05 there, then the time zone set to Los Angeles, where it
    is still Monday after 07:00: that Monday's digest would come minutes after Tuesday's."""
    traveller = UserFactory(email="reise@netzwerk.test", time_zone="Pacific/Auckland", digest_hour=7)
    due_contact(traveller)
    sent_at = datetime(2027, 1, 11, 18, 5, tzinfo=UTC)  # Tuesday 07:05 in Auckland

    sweep(sent_at)
    traveller.time_zone = "America/Los_Angeles"
    traveller.save()
    sweep(sent_at + timedelta(minutes=10))  # Monday 10:15 in Los Angeles

    assert len(outbox_for(traveller)) == 1
    assert list(DigestRun.objects.filter(owner=traveller).values_list("local_date", flat=True)) == [
        date(2027, 1, 12)
    ]
    sweep(datetime(2027, 1, 12, 15, 5, tzinfo=UTC))  # Tuesday 07:05 in Los Angeles: had its digest
    sweep(datetime(2027, 1, 13, 15, 5, tzinfo=UTC))  # Wednesday: the next one comes
    assert len(outbox_for(traveller)) == 2


def test_the_dry_run_counts_a_weekly_readers_week(db: None, capsys) -> None:
    from touchpoints import ledger
    from touchpoints.kinds import Kind

    weekly = UserFactory(email="woche2@netzwerk.test", digest_frequency="weekly", digest_hour=7)
    anna = ContactFactory(owner=weekly, first_name="Anna")
    ledger.log_touch(
        anna, kind=Kind.CALL, happened_at=MONDAY - DAY, promise="Angebot", promise_due=date(2026, 11, 25)
    )

    call_command("send_digests", "--dry-run", "--now", "2026-11-23T07:00:00+01:00")

    assert f"user {weekly.pk} · 2026-11-23 · 1 item\n" in capsys.readouterr().out  # Wednesday's promise
