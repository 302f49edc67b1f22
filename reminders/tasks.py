"""Celery tasks. Beat starts the sweeps; the sweeps claim before they enqueue (see reminders.digest)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from reminders import digest, retention
from reminders.heartbeat import record_heartbeat

# Transient SMTP trouble: a few retries a short while apart, never a long countdown.
SMTP_RETRIES = 3
# The longest wait before such a retry, in seconds: below NETZWERK_DIGEST_REQUEUE_SECONDS, so the
# sweep does not queue again a batch whose retry is still to come.
SMTP_RETRY_BACKOFF_MAX = 60


@shared_task(name="reminders.tasks.heartbeat")
def heartbeat() -> None:
    record_heartbeat(now=timezone.now())


@shared_task(name="reminders.tasks.forget_old")
def forget_old() -> dict[str, int]:
    """Digest runs and reminder states past their retention periods."""
    now = timezone.now()
    return {
        "digest_runs": retention.forget_digest_runs(now=now, days=settings.RETAIN_DIGEST_RUNS_DAYS),
        "reminder_states": retention.forget_reminder_states(
            now=now, days=settings.RETAIN_REMINDER_STATES_DAYS
        ),
    }


@shared_task(name="reminders.tasks.sweep_digests")
def sweep_digests() -> int:
    """Claim every digest due now and enqueue its delivery once the claims are committed."""
    result = digest.sweep(timezone.now(), send=lambda claims: deliver_digests.delay(claims))
    return len(result.claimed)


@shared_task(
    name="reminders.tasks.deliver_digests",
    autoretry_for=(digest.TransientDeliveryError,),
    max_retries=SMTP_RETRIES,
    retry_backoff=5,
    retry_backoff_max=SMTP_RETRY_BACKOFF_MAX,
    retry_jitter=True,
)
def deliver_digests(claims: list[digest.Claim]) -> dict[str, int]:
    """Send a batch; a retry skips what was sent, since sent runs are no longer claimed.

    The claims arrive from JSON as lists, hence the tuples made again.
    """
    return digest.deliver((int(run_id), str(claimed_at)) for run_id, claimed_at in claims)
