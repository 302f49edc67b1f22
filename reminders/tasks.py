from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from reminders.heartbeat import record_heartbeat


@shared_task(name="reminders.tasks.heartbeat")
def heartbeat() -> None:
    record_heartbeat(now=timezone.now())
