"""Deleting what is past its retention period (ground floor: imports no app above).

Each app's beat job names what it keeps and for how long (the periods are settings, shown to
every user under Settings → Your data); this module deletes a bounded batch of primary keys at a
time, so a backlog of millions of rows is never loaded at once and each run stays inside the
task's time limit (what is left waits for the next run).
"""

from __future__ import annotations

import calendar
from datetime import datetime
from importlib import import_module
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from netzwerk.accounts.models import AccessLog

BATCH = 1000
# Batches per run: 50,000 rows of a model at most, well within the task's time limit.
MAX_BATCHES = 50


def delete_in_batches(
    queryset: QuerySet[Any], *, batch: int = BATCH, max_batches: int | None = MAX_BATCHES
) -> int:
    """Delete the rows of `queryset`, `batch` at a time (each batch its own statement and
    transaction); stop after `max_batches` (None: until none is left). Returns the rows of
    the queryset's model deleted, cascades not counted."""
    model = queryset.model
    pks = queryset.order_by().values_list("pk", flat=True)
    deleted, batches = 0, 0
    while max_batches is None or batches < max_batches:
        chunk = list(pks[:batch])
        if not chunk:
            break
        _total, per_model = model._default_manager.filter(pk__in=chunk).delete()
        deleted += per_model.get(model._meta.label, 0)
        batches += 1
    return deleted


def months_before(moment: datetime, months: int) -> datetime:
    """The same time `months` calendar months earlier (the 31st becomes the month's last day)."""
    year, month = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def forget_access_log(*, now: datetime, months: int) -> int:
    """Coach access-log rows older than `months` months."""
    return delete_in_batches(AccessLog.objects.filter(at__lt=months_before(now, months)))


def clear_expired_sessions() -> None:
    """Django's own `clear_expired` of the configured session engine (for the database engine,
    one DELETE of the expired rows, none of them loaded; `expire_date` is indexed)."""
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore.clear_expired()
