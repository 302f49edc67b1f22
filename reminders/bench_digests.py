"""The bench's digests (`manage.py bench`): every crowd user's digest swept, built and sent to an
SMTP server in a process of its own, by a pool of worker processes, each with a database
connection of its own (the Celery worker's prefork pool, without the broker): three runs with one
worker, with two and with one per core, their medians and each run. Timings belong here, never
in the tests.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import socket
import statistics
import time
from dataclasses import dataclass
from datetime import datetime
from multiprocessing.pool import AsyncResult
from multiprocessing.sharedctypes import Synchronized
from multiprocessing.synchronize import Event
from typing import Any
from zoneinfo import ZoneInfo

from aiosmtpd.controller import Controller
from django.db import connections
from django.db.models import QuerySet
from django.test.utils import override_settings
from django.utils import timezone

from netzwerk.accounts.models import User
from reminders import digest
from reminders.models import DigestRun, DigestStatus

WORKERS = os.cpu_count() or 1  # the pool of one worker per core, as deployed
DIGEST_RUNS = 3  # each worker count's median is of this many runs


class Counter:
    """Counts the messages the SMTP server accepts, in a number shared with the bench."""

    def __init__(self, accepted: Synchronized[int]) -> None:
        self.accepted = accepted

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.accepted.get_lock():
            self.accepted.value += 1
        return "250 OK"


def serve_smtp(port: int, accepted: Synchronized[int], stop: Event) -> None:
    """A local SMTP server in its own process (as a mail server is), until `stop` is set."""
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every connection
    server = Controller(Counter(accepted), hostname="127.0.0.1", port=port)
    server.start()
    stop.wait()
    server.stop()


def measure(crowd: QuerySet[User]) -> dict[str, Any]:
    """Sweep at 08:00 Berlin today: claim, build and deliver every crowd user's digest, three
    times with one worker process, with two and with one per core.

    As deployed: the sweep claims in this process and hands the batches to a pool of worker
    processes (the Celery worker's prefork pool, without the broker), each with a database
    connection of its own, which build and send them to an SMTP server running in a process
    of its own. Each run starts afresh: the crowd's runs of the day are deleted first.
    """
    crowd.update(
        digest_frequency=User.DigestFrequency.DAILY,
        digest_hour=7,
        time_zone="Europe/Berlin",
        next_digest_at=None,
    )
    berlin = ZoneInfo("Europe/Berlin")
    today = timezone.now().astimezone(berlin).date()
    now = datetime(today.year, today.month, today.day, 8, 0, tzinfo=berlin)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    fork = multiprocessing.get_context("fork")
    accepted, stop = fork.Value("i", 0), fork.Event()
    server = fork.Process(target=serve_smtp, args=(port, accepted, stop), daemon=True)
    server.start()
    wait_for_port(port)
    smtp = {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {"host": "127.0.0.1", "port": port},
    }
    runs: dict[int, list[DigestTiming]] = {}
    try:
        with override_settings(MAILERS={"default": smtp}):
            for workers in sorted({1, 2, WORKERS}):
                runs[workers] = [digest_run(crowd, now, workers) for _ in range(DIGEST_RUNS)]
    finally:
        stop.set()
        server.join()
    return digest_figures(runs, accepted=accepted.value) | {
        "digests_marked_sent": DigestRun.objects.filter(owner__in=crowd, status=DigestStatus.SENT).count()
    }


def digest_run(crowd: QuerySet[User], now: datetime, workers: int) -> DigestTiming:
    """One sweep of the crowd's digests, delivered by `workers` processes; their timing."""
    DigestRun.objects.filter(owner__in=crowd).delete()
    crowd.update(next_digest_at=None)  # due afresh
    fork = multiprocessing.get_context("fork")
    outcomes: list[AsyncResult[dict[str, int]]] = []
    connections.close_all()  # the workers start now, each to open its own
    with fork.Pool(workers) as pool:
        started = time.perf_counter()
        result = digest.sweep(
            now,
            send=lambda claims: outcomes.append(pool.apply_async(deliver, (claims, now))),
            users=crowd,
        )
        sent = sum(outcome.get()["sent"] for outcome in outcomes)
        elapsed = time.perf_counter() - started
    return DigestTiming(claimed=len(result.claimed), sent=sent, seconds=elapsed)


@dataclass(frozen=True)
class DigestTiming:
    claimed: int
    sent: int
    seconds: float

    @property
    def per_second(self) -> float:
        return round(self.claimed / self.seconds, 1)


def digest_figures(runs: dict[int, list[DigestTiming]], *, accepted: int) -> dict[str, Any]:
    """The medians and each run, by worker count; `digests_per_second` is one per core's."""
    medians = {
        workers: statistics.median(run.per_second for run in timings) for workers, timings in runs.items()
    }
    last = runs[WORKERS][-1]
    figures: dict[str, Any] = {
        "digest_users": last.claimed,
        "digest_workers": WORKERS,
        "digest_runs": DIGEST_RUNS,
        "digests_sent": last.sent,
        "digests_received_by_smtp": accepted,  # over every run
        "digests_per_second": medians[WORKERS],
        "digests_per_second_runs": [run.per_second for run in runs[WORKERS]],
    }
    for workers in (1, 2):
        figures[f"digests_per_s_{workers}w"] = medians[workers]
        figures[f"digests_per_s_{workers}w_runs"] = [run.per_second for run in runs[workers]]
    figures["digests_scaling"] = round(medians[2] / medians[1], 2)
    return figures


def deliver(claims: list[digest.Claim], now: datetime) -> dict[str, int]:
    """A worker's task: `digest.deliver`, as the Celery task runs it."""
    return digest.deliver(claims, now=now)


def wait_for_port(port: int, *, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
