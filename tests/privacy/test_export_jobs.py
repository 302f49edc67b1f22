"""The export prepared by a worker: the ZIP the request used to write, once per job, one job at a
time per user, EXPORTS_PER_DAY a day, a link mailed when ready, deleted when it expires."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.db import IntegrityError
from django.test import override_settings
from django.urls import reverse

from netzwerk.accounts.models import User
from privacy import erasure, export, jobs, registry, retention
from privacy.models import ExportChunk, ExportJob, ExportState
from tests.factories import ContactEmailFactory, ContactFactory, TagFactory, UserFactory
from tests.privacy.conftest import Seeded

NOW = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)


def entries(zipped: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(zipped)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def started(user: User, now: datetime = NOW) -> ExportJob:
    return jobs.start(user, now=now, enqueue=lambda pk: None)


def stored(job: ExportJob) -> bytes:
    return b"".join(jobs.chunks(job))


@pytest.fixture
def owner_with_contacts(owner: User) -> User:
    for made in ContactFactory.create_batch(3, owner=owner):
        ContactEmailFactory(contact=made)
        made.tags.add(TagFactory(owner=owner))
    return owner


def test_it_builds_the_zip_that_write_export_writes(
    owner_with_contacts: User, django_capture_on_commit_callbacks: Any
) -> None:
    queued: list[int] = []
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.start(owner_with_contacts, now=NOW, enqueue=queued.append)
    assert queued == [job.pk]  # enqueued once the row is committed
    assert job.state == ExportState.QUEUED

    assert jobs.build(job.pk, now=NOW) == "ready"

    job.refresh_from_db()
    with export.write_export(owner_with_contacts) as expected:
        assert entries(stored(job)) == entries(expected.read())
    assert (job.state, job.progress, job.size) == (ExportState.READY, 100, len(stored(job)))
    assert job.finished_at == NOW
    assert job.expires_at == NOW + timedelta(hours=24)
    assert job.filename == "netzwerk-export-2026-03-14.zip"
    assert job.chunks.count() == 1


def test_it_writes_a_large_zip_in_chunks_and_reads_them_back_in_order(owner: User) -> None:
    ContactFactory(
        owner=owner, notes="".join(f"{n:08x}" for n in range(200_000))
    )  # 1.6 MB, barely compressible
    job = started(owner)

    jobs.build(job.pk, now=NOW)

    assert ExportChunk.objects.filter(job=job).count() > 1
    with export.write_export(owner) as expected:
        assert entries(stored(job)) == entries(expected.read())


def test_it_reports_progress_after_each_model_and_the_vcards(owner: User) -> None:
    told: list[tuple[int, int]] = []

    export.write_export(owner, lambda done, steps: told.append((done, steps))).close()

    steps = len(registry.EXPORTED) + 1
    assert told == [(done, steps) for done in range(1, steps + 1)]


def test_a_second_task_for_the_same_job_builds_and_mails_nothing(owner: User) -> None:
    job = started(owner)

    assert jobs.build(job.pk, now=NOW) == "ready"
    assert jobs.build(job.pk, now=NOW + timedelta(minutes=10)) == "taken or done"

    assert ExportChunk.objects.filter(job=job).count() == 1
    assert len(mail.outbox) == 1


def test_it_mails_the_link_in_the_users_language_and_time_zone(owner: User) -> None:
    owner.language = "de"
    owner.save(update_fields=["language"])
    job = started(owner)

    jobs.build(job.pk, now=NOW)

    (message,) = mail.outbox
    assert message.to == [owner.email]
    assert message.subject == "Netzwerk: Deine Daten sind bereit zum Herunterladen"
    link = settings.SITE_URL + reverse("privacy:export_download", kwargs={"pk": job.pk})
    assert link in message.body
    # 9:30 UTC the next day is 10:30 in Berlin
    assert "15. März 2026 10:30" in message.body
    assert "Sie " not in message.body


def test_it_mails_in_english_too(owner: User) -> None:
    jobs.build(started(owner).pk, now=NOW)

    (message,) = mail.outbox
    assert message.subject == "Netzwerk: Your data is ready to download"
    assert "Download it until" in message.body


def test_it_marks_the_job_failed_when_writing_fails(owner: User, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(user: User, progress: Any = None) -> Any:
        raise RuntimeError("disk full")

    monkeypatch.setattr(export, "write_export", broken)
    job = started(owner)

    assert jobs.build(job.pk, now=NOW) == "failed"

    job.refresh_from_db()
    assert (job.state, job.finished_at, job.chunks.count()) == (ExportState.FAILED, NOW, 0)
    assert mail.outbox == []
    # the user may ask again at once, and the failure does not count against the limit
    assert started(owner, NOW + timedelta(minutes=1)).state == ExportState.QUEUED


def test_it_prepares_one_export_at_a_time_per_user(owner: User, stranger: User) -> None:
    first = started(owner)

    with pytest.raises(jobs.ExportRefused) as refused:
        started(owner, NOW + timedelta(minutes=1))

    assert refused.value.busy
    assert started(stranger).state == ExportState.QUEUED  # another user's is no hindrance
    jobs.build(first.pk, now=NOW)
    assert started(owner, NOW + timedelta(minutes=2)).state == ExportState.QUEUED


def test_the_database_refuses_a_second_open_export(owner: User) -> None:
    started(owner)
    with pytest.raises(IntegrityError):
        ExportJob.objects.create(owner=owner, state=ExportState.RUNNING, created_at=NOW, filename="x.zip")


@override_settings(EXPORTS_PER_DAY=2)
def test_it_refuses_more_exports_a_day_than_the_limit_and_says_from_when(owner: User) -> None:
    for minutes in (0, 30):
        jobs.build(started(owner, NOW + timedelta(minutes=minutes)).pk, now=NOW + timedelta(minutes=minutes))

    with pytest.raises(jobs.ExportRefused) as refused:
        started(owner, NOW + timedelta(hours=23))

    assert not refused.value.busy
    assert refused.value.again == NOW + timedelta(hours=24)
    assert ExportJob.objects.filter(owner=owner).count() == 2
    assert started(owner, NOW + timedelta(hours=24, seconds=1)).state == ExportState.QUEUED


def test_the_sweep_queues_lost_jobs_again_and_gives_up_on_hopeless_ones(
    owner: User, stranger: User, django_capture_on_commit_callbacks: Any
) -> None:
    lost = started(owner)  # its message never reached a worker
    waiting = started(stranger, NOW + timedelta(minutes=4))  # still waiting its turn
    abandoned = started(UserFactory())
    assert jobs.claim(abandoned.pk, now=NOW) is not None  # then the worker died
    killer = started(UserFactory())
    ExportJob.objects.filter(pk=killer.pk).update(
        state=ExportState.RUNNING, claimed_at=NOW, attempts=jobs.MAX_ATTEMPTS
    )
    forgotten = started(UserFactory(), NOW - jobs.GIVE_UP_AFTER)

    queued: list[int] = []
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.sweep(now=NOW + timedelta(minutes=7), enqueue=queued.append) == (2, 2)

    assert queued == [lost.pk, abandoned.pk]
    assert waiting.pk not in queued
    states = dict(ExportJob.objects.values_list("pk", "state"))
    assert states[killer.pk] == states[forgotten.pk] == ExportState.FAILED
    # the abandoned claim is taken over by the task sent again; its first task, if late, stops
    assert jobs.build(abandoned.pk, now=NOW + timedelta(minutes=7)) == "ready"


def test_a_claim_within_its_lease_is_not_taken_over(owner: User) -> None:
    job = started(owner)
    assert jobs.claim(job.pk, now=NOW) is not None

    assert jobs.claim(job.pk, now=NOW + jobs.LEASE - timedelta(seconds=1)) is None
    assert jobs.claim(job.pk, now=NOW + jobs.LEASE + timedelta(seconds=1)) is not None


def test_it_deletes_exports_past_their_period_with_their_zips(owner: User, stranger: User) -> None:
    expired = started(owner)
    jobs.build(expired.pk, now=NOW)
    kept = started(stranger, NOW + timedelta(hours=1))
    jobs.build(kept.pk, now=NOW + timedelta(hours=1))
    failed = started(UserFactory())
    ExportJob.objects.filter(pk=failed.pk).update(state=ExportState.FAILED, finished_at=NOW)

    assert retention.forget_expired(now=NOW + timedelta(hours=24), hours=24) == 1
    assert retention.forget_expired(now=NOW + timedelta(hours=24, minutes=1), hours=24) == 1

    assert list(ExportJob.objects.values_list("pk", flat=True)) == [kept.pk]
    assert list(ExportChunk.objects.values_list("job_id", flat=True)) == [kept.pk]


def test_erasing_the_account_deletes_her_exports_with_their_zips(alice: Seeded, bob: Seeded) -> None:
    jobs.build(started(alice.user).pk, now=NOW)
    bobs = set(ExportChunk.objects.filter(job__owner=bob.user).values_list("pk", flat=True))
    assert bobs
    assert ExportChunk.objects.filter(job__owner=alice.user).count() == 2  # the seeded one too

    erasure.erase_account(alice.user)

    assert not ExportJob.objects.filter(owner_id=alice.user.pk).exists()
    assert set(ExportChunk.objects.values_list("pk", flat=True)) == bobs


def test_a_build_whose_account_is_erased_meanwhile_stores_nothing(owner: User) -> None:
    claimed = jobs.claim(started(owner).pk, now=NOW)
    assert claimed is not None

    with export.write_export(owner) as zipped:
        erasure.erase_account(owner)
        assert jobs._store(claimed, zipped, now=NOW) is False

    assert not ExportChunk.objects.exists()
