"""`/healthz`: can this deployment work? The database, the cache, the broker, and beat's heartbeat.

Roof, not ground: it reads the heartbeat (reminders) and the Celery app. JSON names each part
"ok" or "fail" and the heartbeat's age in seconds; 200 when all are ok, 503 otherwise. It names
no versions, hosts or errors (those go to the log), needs no sign-in and touches no session.

The broker: on Redis, a real connection and PING. kombu's filesystem transport has no server to
ask (connecting opens nothing), so there the check is that its message folder exists and is
writable: what a worker and the web need of it, not proof that a worker reads it. The heartbeat
is that proof: beat sends it, a worker writes it (reminders.heartbeat).
"""

from __future__ import annotations

import logging
import os
import secrets
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from kombu import Connection

from netzwerk.celery import app
from reminders.models import Heartbeat

logger = logging.getLogger("netzwerk.health")
TIMEOUT_SECONDS = 3


class Unhealthy(Exception):
    pass


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def check_cache() -> None:
    key, value = f"healthz:{secrets.token_hex(8)}", secrets.token_hex(8)
    cache.set(key, value, timeout=30)
    kept = cache.get(key)
    cache.delete(key)
    if kept != value:
        raise Unhealthy("the cache did not keep a value")


def check_broker_connection(broker: Connection) -> None:
    broker.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=TIMEOUT_SECONDS)
    if broker.transport_cls == "filesystem":
        folder = Path((broker.transport_options or {}).get("data_folder_out", "."))
        if not (folder.is_dir() and os.access(folder, os.W_OK)):
            raise Unhealthy("the broker's folder is missing or read-only")


def check_broker() -> None:
    with app.connection_for_write(connect_timeout=TIMEOUT_SECONDS) as broker:
        check_broker_connection(broker)


def heartbeat_age(now: datetime) -> float | None:
    """Seconds since a worker last ran beat's heartbeat; None if it never did."""
    last = Heartbeat.objects.filter(name="celery").values_list("last_seen", flat=True).first()
    return None if last is None else round((now - last).total_seconds(), 1)


def report(now: datetime) -> dict[str, Any]:
    parts: dict[str, str] = {}
    for name, check in (("database", check_database), ("cache", check_cache), ("broker", check_broker)):
        try:
            check()
        except Exception:  # any failure of the part is its failure; the log keeps the details
            logger.warning("healthz: %s failed", name, exc_info=True)
            parts[name] = "fail"
        else:
            parts[name] = "ok"
    try:
        age = heartbeat_age(now)
    except Exception:
        logger.warning("healthz: the heartbeat could not be read", exc_info=True)
        age = None
    parts["beat"] = "ok" if age is not None and age <= settings.HEALTHZ_HEARTBEAT_MAX_AGE_SECONDS else "fail"
    healthy = all(state == "ok" for state in parts.values())
    return {"status": "ok" if healthy else "fail", **parts, "beat_age_seconds": age}


@login_not_required
@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    result = report(timezone.now())
    return JsonResponse(result, status=200 if result["status"] == "ok" else 503)
