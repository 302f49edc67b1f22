"""Uploads never imported are forgotten: the import, its rows and its stored file chunks.

The sweep (`pipeline.sweep`) already drops the files of an upload left uncommitted for a day and
marks it abandoned; what stays (the row errors its page reports) goes `days` days after the
upload. An import that was committed, even if undone since, is the user's history and stays.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from imports.models import Import, ImportFileChunk, ImportRow
from netzwerk.retention import delete_in_batches

# Uploads per run; each is deleted whole, its chunks and rows in bounded batches first.
MAX_UPLOADS = 100


def never_committed(*, now: datetime, days: int) -> list[int]:
    """The uploads older than `days` days that were never committed, oldest first."""
    uploads = Import.objects.filter(committed_at__isnull=True, created_at__lt=now - timedelta(days=days))
    return list(uploads.order_by("created_at", "pk").values_list("pk", flat=True)[:MAX_UPLOADS])


def forget_abandoned(*, now: datetime, days: int) -> int:
    """Delete the uploads never committed, `days` days after their upload; how many."""
    uploads = never_committed(now=now, days=days)
    for pk in uploads:
        # A file's chunks hold up to 512 KiB each: deleted by id, never loaded.
        delete_in_batches(ImportFileChunk.objects.filter(file__upload_id=pk), max_batches=None)
        delete_in_batches(ImportRow.objects.filter(upload_id=pk), max_batches=None)
        Import.objects.filter(pk=pk).delete()
    return len(uploads)
