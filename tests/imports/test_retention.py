"""Uploads never imported are deleted a week after the upload, with their rows and file chunks."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import override_settings

from imports import storage, tasks
from imports.models import Import, ImportFile, ImportFileChunk, ImportRow
from netzwerk.accounts.models import User
from tests.factories import ImportFactory, ImportRowFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
WEEK = timedelta(days=7)
SECOND = timedelta(seconds=1)


def upload(owner: User, *, at: datetime, status: str, committed: bool = False) -> Import:
    """An import uploaded `at`, with a file of three chunks and a row."""
    with time_machine.travel(at, tick=False):
        made: Import = ImportFactory(owner=owner, status=status, committed_at=at if committed else None)
        storage.store(made, "Connections.csv", io.BytesIO(b"x" * (2 * storage.CHUNK + 1)))
        ImportRowFactory(upload=made)
    return made


def run_task() -> int:
    with time_machine.travel(NOW, tick=False):
        return tasks.forget_abandoned()


def test_it_deletes_uploads_never_committed_a_week_after_the_upload(owner: User) -> None:
    gone = [
        upload(owner, at=NOW - WEEK - SECOND, status="abandoned"),
        upload(owner, at=NOW - 30 * WEEK, status="failed"),
        upload(owner, at=NOW - 2 * WEEK, status="preview"),  # the sweep missed it: still never imported
    ]
    kept = [
        upload(owner, at=NOW - WEEK, status="abandoned"),
        upload(owner, at=NOW - SECOND, status="preview"),
        upload(owner, at=NOW - 30 * WEEK, status="committed", committed=True),
        upload(owner, at=NOW - 30 * WEEK, status="undone", committed=True),  # the user's history
    ]
    assert ImportFileChunk.objects.count() == 3 * 7

    assert run_task() == 3

    assert sorted(Import.objects.values_list("pk", flat=True)) == sorted(made.pk for made in kept)
    assert not ImportFile.objects.filter(upload__in=[made.pk for made in gone]).exists()
    assert ImportFileChunk.objects.count() == 3 * 4
    assert set(ImportRow.objects.values_list("upload_id", flat=True)) == {made.pk for made in kept}


@override_settings(RETAIN_ABANDONED_IMPORTS_DAYS=1)
def test_it_takes_the_upload_period_from_the_settings(owner: User) -> None:
    upload(owner, at=NOW - timedelta(days=1) - SECOND, status="abandoned")
    kept = upload(owner, at=NOW - timedelta(days=1), status="abandoned")

    assert run_task() == 1

    assert list(Import.objects.values_list("pk", flat=True)) == [kept.pk]
