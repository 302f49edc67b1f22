"""Exports prepared by a worker: asked for under Settings → Your data, written by
privacy.tasks.build, announced by e-mail with a link, downloadable for RETAIN_EXPORTS_HOURS.

One at a time per user (a partial unique constraint backs the check in `start`) and at most
EXPORTS_PER_DAY in 24 hours: each is a full read of the account. Postgres holds the truth and the
broker is only a doorbell: `start` enqueues once its row is committed, `build` claims the job by
a conditional UPDATE (a duplicate or late task finds it taken or done), and `sweep` queues again
what was lost. The e-mail goes after the ready mark is committed: a worker dying in between loses
that e-mail (the page still offers the download) but never sends two.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import IO, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from netzwerk.accounts.coaching import mail_user
from netzwerk.accounts.models import User
from privacy import export
from privacy.models import ExportChunk, ExportJob, ExportState

logger = logging.getLogger(__name__)

DAY = timedelta(hours=24)
CHUNK = 512 * 1024
# Longer than the task's hard time limit (privacy.tasks): a claim this old was abandoned.
LEASE = timedelta(minutes=6)
# Queued this long, its message may be lost: the sweep sends another (a duplicate finds it taken).
LOST_AFTER = timedelta(minutes=5)
# Queued this long (no worker ran it) or claimed this often (each try killed the worker): failed,
# so the user may ask again.
GIVE_UP_AFTER = timedelta(hours=1)
MAX_ATTEMPTS = 3


class ExportRefused(Exception):
    """No new export now: one is still being prepared (`busy`), or the day's are used up and
    another may be asked for from `again`."""

    def __init__(self, *, busy: bool, again: datetime | None = None) -> None:
        super().__init__("busy" if busy else "limit")
        self.busy, self.again = busy, again


def retention() -> timedelta:
    return timedelta(hours=settings.RETAIN_EXPORTS_HOURS)


def latest(user: User) -> ExportJob | None:
    return ExportJob.objects.for_owner(user).first()


def start(user: User, *, now: datetime, enqueue: Callable[[int], Any]) -> ExportJob:
    """A new export for `user`, queued once committed; ExportRefused if one is open or the
    day's limit is reached."""
    with transaction.atomic():
        # The user's row locked: two requests at once count one after the other.
        User.objects.select_for_update().filter(pk=user.pk).exists()
        jobs = ExportJob.objects.for_owner(user)
        if jobs.open().exists():
            raise ExportRefused(busy=True)
        asked = list(jobs.counted_since(now - DAY).values_list("created_at", flat=True))
        if len(asked) >= settings.EXPORTS_PER_DAY:
            raise ExportRefused(busy=False, again=min(asked) + DAY)
        try:
            with transaction.atomic():
                job = ExportJob.objects.create(
                    owner=user, created_at=now, filename=export.export_filename(user.local_date(now))
                )
        except IntegrityError as error:  # exportjob_one_open_per_owner: a race the lock missed
            raise ExportRefused(busy=True) from error
        transaction.on_commit(lambda: enqueue(job.pk))
    return job


def claim(job_pk: int, *, now: datetime) -> ExportJob | None:
    """Take a job to build, by one conditional UPDATE: queued, or its claim abandoned (and tries
    left). A second task for the same job gets None."""
    free = Q(state=ExportState.QUEUED) | Q(
        state=ExportState.RUNNING, claimed_at__lt=now - LEASE, attempts__lt=MAX_ATTEMPTS
    )
    taken = (
        ExportJob.objects.filter(pk=job_pk)
        .filter(free)
        .update(
            state=ExportState.RUNNING,
            claimed_at=now,
            claim_token=uuid.uuid4().hex,
            attempts=F("attempts") + 1,
            progress=0,
        )
    )
    return ExportJob.objects.select_related("owner").get(pk=job_pk) if taken else None


def build(job_pk: int, *, now: datetime) -> str:
    """Claim the job, write the ZIP into its chunks, mark it ready and e-mail the link."""
    job = claim(job_pk, now=now)
    if job is None:
        return "taken or done"
    mine = ExportJob.objects.filter(pk=job.pk, claim_token=job.claim_token)

    def progress(done: int, steps: int) -> None:
        mine.update(progress=min(99, 100 * done // steps))

    try:
        with export.write_export(job.owner, progress) as zipped:
            stored = _store(job, zipped, now=now)
    except Exception:  # the soft time limit too: the user sees a failure and may try again
        logger.exception("export %s of user %s failed", job.pk, job.owner_id)
        mine.update(state=ExportState.FAILED, finished_at=now, claim_token="")
        return "failed"
    if not stored:  # the account was deleted meanwhile, or the claim taken over
        return "taken or done"
    job.refresh_from_db()
    mail_ready(job)
    return "ready"


def _store(job: ExportJob, zipped: IO[bytes], *, now: datetime) -> bool:
    """The ZIP as the job's chunks and the job ready, in one transaction; False (nothing
    written) if the claim is no longer this task's."""
    with transaction.atomic():
        mine = ExportJob.objects.select_for_update().filter(
            pk=job.pk, state=ExportState.RUNNING, claim_token=job.claim_token
        )
        if not mine.exists():
            return False
        size = 0
        for number, data in enumerate(iter(lambda: zipped.read(CHUNK), b"")):
            ExportChunk.objects.create(job=job, number=number, data=data)
            size += len(data)
        mine.update(
            state=ExportState.READY,
            progress=100,
            size=size,
            finished_at=now,
            expires_at=now + retention(),
            claim_token="",
        )
    return True


def mail_ready(job: ExportJob) -> None:
    """The link, in the user's language and time zone."""
    user = job.owner
    context = {
        "url": settings.SITE_URL + reverse("privacy:export_download", kwargs={"pk": job.pk}),
        "expires_at": job.expires_at,
    }
    with timezone.override(user.zone):
        mail_user(user, "privacy/email/export_ready.txt", context, user.language)
    logger.info("export %s of user %s mailed", job.pk, user.pk)  # ids only: logs are kept longer


def chunks(job: ExportJob) -> Iterator[bytes]:
    """The ZIP a chunk at a time, each fetched when it is sent: the web never holds it whole."""
    for pk in job.chunks.order_by("number").values_list("pk", flat=True):
        yield bytes(ExportChunk.objects.values_list("data", flat=True).get(pk=pk))


def sweep(*, now: datetime, enqueue: Callable[[int], Any]) -> tuple[int, int]:
    """Queue again the jobs whose task was lost; fail those no worker could finish, so their
    users may ask again. Returns (queued again, failed)."""
    abandoned = Q(state=ExportState.RUNNING, claimed_at__lt=now - LEASE)
    failed = ExportJob.objects.filter(
        (abandoned & Q(attempts__gte=MAX_ATTEMPTS))
        | Q(state=ExportState.QUEUED, created_at__lt=now - GIVE_UP_AFTER)
    ).update(state=ExportState.FAILED, finished_at=now, claim_token="")
    lost = list(
        ExportJob.objects.filter(abandoned | Q(state=ExportState.QUEUED, created_at__lt=now - LOST_AFTER))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for pk in lost:
        transaction.on_commit(lambda pk=pk: enqueue(pk))  # type: ignore[misc]
    return len(lost), failed
