"""A real Celery worker with embedded beat runs the heartbeat, on each broker Netzwerk supports.

No eager mode: the worker is a separate process that reaches the test database the way a
deployed worker reaches the real one, and beat's schedule is what sends the task.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
import time
import uuid
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from django.db import connection

from imports.models import Import
from netzwerk.accounts.models import AccessLog
from privacy import export, jobs
from privacy.models import ExportJob, ExportState
from reminders.models import DigestRun, Heartbeat
from tests.factories import ContactFactory, DigestRunFactory, ImportFactory, UserFactory

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).parent / "celery"
# The broker gets a Redis database of its own: other tests may use /0, and this one flushes. Test
# runs side by side on one Redis each give theirs (NETZWERK_TEST_REDIS_BROKER_DB).
REDIS_BROKER_DB = int(os.environ.get("NETZWERK_TEST_REDIS_BROKER_DB", "14"))
TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 10


def worker_database_url() -> str:
    """DATABASE_URL of the test database, as another process must spell it."""
    name = str(connection.settings_dict["NAME"])
    if connection.vendor == "sqlite":
        # A worker process can open only a database file, not this process's memory.
        assert ":memory:" not in name
        assert "mode=memory" not in name
        return f"sqlite:///{Path(name).resolve()}"
    url = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(url._replace(path=f"/{name}"))


def redis_broker_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail("REDIS_URL is unset in CI: the worker must be tested against the real Redis.")
        pytest.skip("REDIS_URL is unset: the Redis broker is tested in CI.")
    return urlunsplit(urlsplit(url)._replace(path=f"/{REDIS_BROKER_DB}"))


def worker_env(*, data_dir: Path, redis_url: str | None) -> dict[str, str]:
    removed = {"DATABASE_URL", "REDIS_URL", "EMAIL_URL", "DJANGO_DEBUG", "DJANGO_SETTINGS_MODULE"}
    env = {key: value for key, value in os.environ.items() if key not in removed}
    env |= {
        # The production settings module, as a deployed worker runs it.
        "DJANGO_SETTINGS_MODULE": "netzwerk.settings",
        "DJANGO_SECRET_KEY": "celery-worker-test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "DATABASE_URL": worker_database_url(),
        "NETZWERK_DATA_DIR": str(data_dir),
        "NETZWERK_HEARTBEAT_SECONDS": "1",
    }
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def stop(process: subprocess.Popen[bytes]) -> None:
    """Warm shutdown, then force; the whole process group, so pool and beat go too."""
    with contextlib.suppress(ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=STOP_TIMEOUT_SECONDS)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=STOP_TIMEOUT_SECONDS)


def heartbeats() -> int:
    beats = Heartbeat.objects.filter(name="celery").values_list("beats", flat=True).first()
    return beats or 0


def start_worker(
    *, tmp_path: Path, redis_url: str | None, name: str, extra_env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[bytes], Path]:
    """`celery worker --beat` in a process group of its own; its output goes to a log file."""
    log_path = tmp_path / f"{name}.log"
    command = [
        str(CELERY),
        "-A",
        "netzwerk",
        "worker",
        "--beat",
        "--concurrency=1",
        "--loglevel=INFO",
        f"--hostname={name}-{uuid.uuid4().hex[:8]}@%h",
        # Other workers on a shared Redis must not slow the start or answer for this one.
        "--without-gossip",
        "--without-mingle",
        # Beat's schedule file is per run: a leftover would delay or skip the first sweep.
        f"--schedule={tmp_path / f'{name}-beat-schedule'}",
    ]
    env = worker_env(data_dir=tmp_path / "data", redis_url=redis_url) | (extra_env or {})
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return process, log_path


def assert_worker_beats(*, tmp_path: Path, redis_url: str | None) -> None:
    Heartbeat.objects.all().delete()
    process, log_path = start_worker(tmp_path=tmp_path, redis_url=redis_url, name="heartbeat-test")
    beats = 0
    try:
        deadline = time.monotonic() + TIMEOUT_SECONDS
        while time.monotonic() < deadline and process.poll() is None:
            beats = heartbeats()
            if beats >= 2:
                break
            time.sleep(0.5)
    finally:
        exit_code = process.poll()
        stop(process)
    if beats < 2:
        print("---- worker output")
        print(log_path.read_text(errors="replace"))
    assert exit_code is None, f"the worker exited early with status {exit_code} (output above)"
    assert beats >= 2, f"{beats} heartbeats in {TIMEOUT_SECONDS} s (worker output above)"


@pytest.mark.django_db(transaction=True)
def test_it_runs_the_heartbeat_in_a_worker_on_the_filesystem_broker(tmp_path: Path) -> None:
    assert_worker_beats(tmp_path=tmp_path, redis_url=None)


@pytest.mark.django_db(transaction=True)
def test_it_runs_the_heartbeat_in_a_worker_on_the_redis_broker(tmp_path: Path) -> None:
    url = redis_broker_url()
    broker = redis.Redis.from_url(url)
    # Messages left by an earlier, killed run would count as beats of this one.
    broker.flushdb()
    try:
        assert_worker_beats(tmp_path=tmp_path, redis_url=url)
    finally:
        broker.flushdb()
        broker.close()


@pytest.mark.django_db(transaction=True)
def test_it_runs_the_retention_jobs_in_a_worker(tmp_path: Path) -> None:
    """Beat sends the three retention jobs every second here; the worker deletes what is past."""
    long_ago = datetime.now(UTC) - timedelta(days=800)
    client, coach = UserFactory(), UserFactory(is_staff=True)
    AccessLog.objects.create(client=client, coach=coach, action="view", what="overview", at=long_ago)
    recent = AccessLog.objects.create(client=client, coach=coach, action="view", what="overview")
    DigestRunFactory(owner=client, local_date=long_ago.date())
    today = DigestRunFactory(owner=client)
    abandoned = ImportFactory(owner=client, status="abandoned")
    Import.objects.filter(pk=abandoned.pk).update(created_at=long_ago)

    def forgotten() -> bool:
        return (
            not AccessLog.objects.exclude(pk=recent.pk).exists()
            and not DigestRun.objects.exclude(pk=today.pk).exists()
            and not Import.objects.exists()
        )

    process, log_path = start_worker(
        tmp_path=tmp_path,
        redis_url=None,
        name="retention-test",
        extra_env={"NETZWERK_RETENTION_SWEEP_SECONDS": "1"},
    )
    try:
        deadline = time.monotonic() + TIMEOUT_SECONDS
        while time.monotonic() < deadline and process.poll() is None and not forgotten():
            time.sleep(0.5)
    finally:
        stop(process)
    if not forgotten():
        print(log_path.read_text(errors="replace"))
    assert forgotten(), "the worker did not run the retention jobs (output above)"
    assert list(AccessLog.objects.values_list("pk", flat=True)) == [recent.pk]
    assert list(DigestRun.objects.values_list("pk", flat=True)) == [today.pk]


def entries(zipped: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(zipped)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.mark.django_db(transaction=True)
def test_it_prepares_an_export_in_a_worker_once_and_mails_the_link(tmp_path: Path) -> None:
    """An export whose message was lost: beat's sweep (every second here) queues it, again and
    again until it is taken; the worker writes the ZIP once and sends one e-mail."""
    owner = UserFactory()
    ContactFactory(owner=owner, first_name="Export")
    job = jobs.start(owner, now=datetime.now(UTC) - jobs.LOST_AFTER * 2, enqueue=lambda pk: None)
    mail_dir = tmp_path / "mail"

    def mailed() -> list[str]:
        return [path.read_text() for path in mail_dir.glob("*")] if mail_dir.exists() else []

    def done() -> bool:
        return ExportJob.objects.filter(pk=job.pk, state=ExportState.READY).exists() and bool(mailed())

    process, log_path = start_worker(
        tmp_path=tmp_path,
        redis_url=None,
        name="export-test",
        extra_env={"NETZWERK_EXPORT_SWEEP_SECONDS": "1", "EMAIL_URL": f"file://{mail_dir}"},
    )
    try:
        deadline = time.monotonic() + TIMEOUT_SECONDS
        while time.monotonic() < deadline and process.poll() is None and not done():
            time.sleep(0.5)
        time.sleep(2)  # a few more sweeps: none may build or mail it again
    finally:
        stop(process)
    if not done():
        print(log_path.read_text(errors="replace"))
    assert done(), "the worker did not prepare the export (output above)"
    job.refresh_from_db()
    stored = b"".join(jobs.chunks(job))
    with export.write_export(owner) as expected:
        assert entries(stored) == entries(expected.read())
    (message,) = mailed()
    assert message.count("\nSubject: ") == 1
    assert f"/settings/privacy/export/{job.pk}/download/" in message
    assert job.attempts == 1
