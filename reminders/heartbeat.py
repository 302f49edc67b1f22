from __future__ import annotations

from datetime import datetime

from django.db.models import F

from reminders.models import Heartbeat


def record_heartbeat(*, now: datetime, name: str = "celery") -> None:
    updated = Heartbeat.objects.filter(name=name).update(last_seen=now, beats=F("beats") + 1)
    if not updated:
        Heartbeat.objects.get_or_create(name=name, defaults={"last_seen": now, "beats": 1})
