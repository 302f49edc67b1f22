"""A real worker with embedded beat, on the real Redis, sends digests to a real SMTP server.

The SMTP server (aiosmtpd) runs in this process and counts accepted messages per recipient. A
message counts once the server has answered 250: before that, SMTP has not taken it, and a client
that dies waiting for the answer has delivered nothing.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
from aiosmtpd.controller import Controller
from allauth.account.models import EmailAddress

from contacts.models import Contact
from netzwerk.accounts.models import User
from reminders.models import DigestRun, DigestStatus
from tests.deployment.test_celery_worker import redis_broker_url, start_worker, stop

SWEEP_SECONDS = "1"
# Long enough that a lease being sent is not taken over; short enough for a test.
CLAIM_TIMEOUT_SECONDS = 12
# A claim queued this long is queued again (its task may be lost): a duplicate task is harmless.
REQUEUE_SECONDS = 4
DEADLINE_SECONDS = 120


class Counting:
    """An SMTP handler that counts accepted messages per recipient; it can act once on the n-th."""

    def __init__(self) -> None:
        self.accepted: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.on_message: Any = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.on_message is not None and self.on_message():
            return "451 4.3.0 the client is gone"
        with self.lock:
            for recipient in envelope.rcpt_tos:
                self.accepted[recipient] += 1
        return "250 OK"

    def total(self) -> int:
        with self.lock:
            return sum(self.accepted.values())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Counting, int]]:
    handler = Counting()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


@pytest.fixture
def broker() -> Iterator[str]:
    url = redis_broker_url()
    client = redis.Redis.from_url(url)
    client.flushdb()  # messages of an earlier, killed run would be delivered to this one
    try:
        yield url
    finally:
        client.flushdb()
        client.close()


def due_users(count: int) -> list[User]:
    """`count` verified users whose digest hour has passed, each with one red cadence."""
    now = datetime.now(UTC)
    users = User.objects.bulk_create(
        User(email=f"digest{n}@netzwerk.test", digest_hour=0, time_zone="UTC", language="de")
        for n in range(count)
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users
    )
    Contact.objects.bulk_create(
        Contact(owner=user, first_name="Überfällig", last_name="Kontakt") for user in users
    )
    Contact.objects.filter(owner__in=users).update(created_at=now - timedelta(days=400))
    return users


def wait_until(condition: Any, *, process: Any, log: Path) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        if process.poll() is not None:
            break
        time.sleep(0.05)
    print(log.read_text(errors="replace")[-5000:])
    pytest.fail(f"timed out or the worker exited ({process.poll()}); worker output above")


def start_digest_worker(tmp_path: Path, broker: str, port: int, name: str) -> tuple[Any, Path]:
    """A worker with beat that sweeps every second and sends to the test's SMTP server."""
    settings = {
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "NETZWERK_DIGEST_SWEEP_SECONDS": SWEEP_SECONDS,
        "NETZWERK_DIGEST_CLAIM_TIMEOUT_SECONDS": str(CLAIM_TIMEOUT_SECONDS),
        "NETZWERK_DIGEST_REQUEUE_SECONDS": str(REQUEUE_SECONDS),
    }
    return start_worker(tmp_path=tmp_path, redis_url=broker, name=name, extra_env=settings)


@pytest.mark.django_db(transaction=True)
def test_a_worker_with_beat_delivers_one_digest_per_user(
    tmp_path: Path, smtp: tuple[Counting, int], broker: str
) -> None:
    handler, port = smtp
    users = due_users(40)
    process, log = start_digest_worker(tmp_path, broker, port, "digest")
    try:
        wait_until(lambda: handler.total() >= len(users), process=process, log=log)
        time.sleep(3)  # a few more sweeps: none may send again
    finally:
        stop(process)

    assert handler.accepted == Counter({user.email: 1 for user in users})
    assert DigestRun.objects.filter(status=DigestStatus.SENT).count() == len(users)


class Chaos:
    """SIGKILLs the running worker's whole process group while it waits for the server's answer
    to the n-th message, for each n of `kills`; the server then refuses that message (451: the
    worker died before SMTP took it) or accepts it (250: it died after, so it sends it again)."""

    def __init__(self, handler: Counting, kills: list[tuple[int, str]]) -> None:
        self.handler, self.pending = handler, list(kills)
        self.process: Any = None
        self.killed = threading.Event()

    def __call__(self) -> bool:
        if not self.pending or self.killed.is_set() or self.handler.total() < self.pending[0][0]:
            return False
        _, answer = self.pending.pop(0)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.killed.set()
        return answer == "refuse"


@pytest.mark.django_db(transaction=True)
def test_three_sigkills_and_a_broker_flush_lose_no_digest(
    tmp_path: Path, smtp: tuple[Counting, int], broker: str
) -> None:
    """Every due user gets a digest, once, or twice where a kill came after the server took it."""
    handler, port = smtp
    users = due_users(300)
    kills = [(40, "refuse"), (100, "accept"), (220, "refuse")]
    chaos = Chaos(handler, kills)
    handler.on_message = chaos
    queued_when_flushed = 0
    process, log = start_digest_worker(tmp_path, broker, port, "digest-0")
    chaos.process = process
    try:
        for restart in range(1, len(kills) + 1):
            if restart == len(kills):  # the broker loses every queued task, then the third kill
                wait_until(lambda: handler.total() >= 160, process=process, log=log)
                client = redis.Redis.from_url(broker)
                queued_when_flushed = int(client.llen("celery"))
                client.flushdb()
                client.close()
            wait_until(chaos.killed.is_set, process=process, log=log)
            process.wait(timeout=10)
            chaos.killed.clear()
            process, log = start_digest_worker(tmp_path, broker, port, f"digest-{restart}")
            chaos.process = process

        def all_sent() -> bool:
            unsent = DigestRun.objects.exclude(status=DigestStatus.SENT).exists()
            return len(handler.accepted) >= len(users) and not unsent

        wait_until(all_sent, process=process, log=log)
        time.sleep(3)  # a few more sweeps: none may send again
    finally:
        stop(process)

    assert chaos.pending == []
    assert queued_when_flushed > 0  # the flush lost tasks
    assert set(handler.accepted) == {user.email for user in users}
    # a duplicate only where the kill came after the server's answer: one of the three here
    twice = [email for email, count in handler.accepted.items() if count > 1]
    assert len(twice) == [answer for _, answer in kills].count("accept")
    assert max(handler.accepted.values()) == 2
    runs = DigestRun.objects.filter(owner__in=users)
    assert runs.filter(status=DigestStatus.SENT).count() == len(users)
    # one attempt for each digest sent, and one for each kill, charged to the run being sent
    assert sum(runs.values_list("attempts", flat=True)) == len(users) + len(kills)
