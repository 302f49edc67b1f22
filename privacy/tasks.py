"""Celery tasks: interfaces that fetch by id and call the plain functions (privacy.jobs)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from privacy import jobs, retention

# A large account's ZIP is written in well under a minute; jobs.LEASE outlasts the hard limit.
BUILD_SOFT_LIMIT, BUILD_HARD_LIMIT = 300, 330


@shared_task(name="privacy.tasks.build", soft_time_limit=BUILD_SOFT_LIMIT, time_limit=BUILD_HARD_LIMIT)
def build(job_pk: int) -> str:
    """Prepare an export; a second task for the same job finds it taken, or done."""
    return jobs.build(job_pk, now=timezone.now())


@shared_task(name="privacy.tasks.sweep")
def sweep() -> tuple[int, int]:
    return jobs.sweep(now=timezone.now(), enqueue=lambda pk: build.delay(pk))


@shared_task(name="privacy.tasks.forget_expired")
def forget_expired() -> int:
    return retention.forget_expired(now=timezone.now(), hours=settings.RETAIN_EXPORTS_HOURS)


def enqueue_build(job_pk: int) -> None:
    build.delay(job_pk)
