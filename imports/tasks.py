"""Celery tasks: interfaces that fetch by id and call the plain functions."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from imports import pipeline, reading, retention

# A 50,000-row upload reads in well under a minute; the default limits are for digests.
READ_SOFT_LIMIT, READ_HARD_LIMIT = 600, 660


@shared_task(name="imports.tasks.read", soft_time_limit=READ_SOFT_LIMIT, time_limit=READ_HARD_LIMIT)
def read(upload_pk: int) -> str:
    """Read an import's files; a second task for the same import finds it taken, or done."""
    upload = pipeline.claim(upload_pk, now=timezone.now())
    if upload is None:
        return "taken or done"
    return reading.read(upload).status


@shared_task(name="imports.tasks.sweep")
def sweep() -> tuple[int, int]:
    return pipeline.sweep(now=timezone.now(), enqueue=lambda pk: read.delay(pk))


@shared_task(name="imports.tasks.forget_abandoned")
def forget_abandoned() -> int:
    return retention.forget_abandoned(now=timezone.now(), days=settings.RETAIN_ABANDONED_IMPORTS_DAYS)


def enqueue_read(upload_pk: int) -> None:
    read.delay(upload_pk)
