"""Celery tasks of the ground floor: the retention of the access log and of sessions."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from netzwerk import retention


@shared_task(name="netzwerk.accounts.tasks.forget_old")
def forget_old() -> int:
    """Access-log rows past their period, and expired sessions; the access-log rows deleted."""
    retention.clear_expired_sessions()
    return retention.forget_access_log(now=timezone.now(), months=settings.RETAIN_ACCESS_LOG_MONTHS)
