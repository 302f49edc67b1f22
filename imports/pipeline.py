"""The import's steps as plain functions, shared by the views, the task and the command.

`start` takes the uploaded files (checked against the limits) and queues the reading once the
transaction commits; `report` counts what the preview shows and the command prints; `choose_
columns` gives a waiting CSV its columns and reads again; `sweep` re-queues a reading whose task
was lost and drops uploads left uncommitted for a day.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import IO, Any

from django.db import transaction
from django.db.models import Count, Q, Sum

from imports import storage
from imports.models import KEEP_UPLOADS, ColumnMapping, Import, ImportFile, ImportRow, RowStatus, StagedTouch
from imports.sources.limits import MAX_UPLOAD_BYTES
from netzwerk.accounts.models import User

# A reading task that has not finished after this long was lost (a worker died, the broker was
# flushed): the sweep queues it again.
READING_LEASE = timedelta(minutes=15)
SUFFIXES = (".csv", ".txt", ".vcf", ".vcard", ".zip")


def header_key(headers: Iterable[str]) -> str:
    """The same header, however its columns are spaced or cased, gives the same key."""
    joined = "\x1f".join(header.strip().casefold() for header in headers)
    return hashlib.sha256(joined.encode()).hexdigest()


class UploadRefused(Exception):
    def __init__(self, reason: str, *, file: str = "") -> None:
        super().__init__(reason)
        self.reason, self.file = reason, file


def check_files(files: Sequence[tuple[str, int]]) -> None:
    """Refuse an upload before anything is stored: no file, too large, a kind not read."""
    if not files:
        raise UploadRefused("no_file")
    if sum(size for _name, size in files) > MAX_UPLOAD_BYTES:
        raise UploadRefused("too_large")
    for name, size in files:
        if not name.lower().endswith(SUFFIXES):
            raise UploadRefused("kind", file=name)
        if size == 0:
            raise UploadRefused("empty", file=name)


def start(
    owner: User, files: Sequence[tuple[str, IO[bytes]]], *, now: datetime, enqueue: Callable[[int], Any]
) -> Import:
    """Store the files (seekable binary streams) as a new import and queue its reading after
    the commit."""
    check_files([(name, storage.size_of(stream)) for name, stream in files])
    with transaction.atomic():
        # the files' names outlive the files (deleted on commit) for the history's list
        upload = Import.objects.create(
            owner=owner, reading_since=now, report={"files": [name[:255] for name, _stream in files]}
        )
        upload.rows_expected = sum(storage.store(upload, name, stream) for name, stream in files)
        upload.save(update_fields=["rows_expected"])
        transaction.on_commit(lambda: enqueue(upload.pk))
    return upload


def choose_columns(
    upload: Import, chosen: dict[int, Sequence[str]], *, now: datetime, enqueue: Callable[[int], Any]
) -> Import:
    """The user's columns for each waiting CSV, remembered for its header; then read again."""
    with transaction.atomic():
        for upload_file in upload.files.filter(pk__in=chosen, headers__isnull=False):
            fields = list(chosen[upload_file.pk])
            upload_file.mapping = fields
            upload_file.save(update_fields=["mapping"])
            ColumnMapping.objects.update_or_create(
                owner=upload.owner,
                header_key=header_key(upload_file.headers or []),
                defaults={"fields": fields, "headers": upload_file.headers or []},
            )
        upload.status = Import.Status.READING
        upload.reading_since, upload.reading_token = now, ""
        upload.save(update_fields=["status", "reading_since", "reading_token"])
        transaction.on_commit(lambda: enqueue(upload.pk))
    return upload


@dataclass
class Report:
    new: int = 0
    matched: int = 0
    changed: int = 0
    conflicts: int = 0
    duplicates_in_upload: int = 0
    left_out: int = 0
    touches: int = 0
    skipped_messages: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def report(upload: Import, *, errors_shown: int | None = None) -> Report:
    """What committing would do (or did, read before the staging rows were dropped)."""
    rows = ImportRow.objects.filter(upload=upload)
    counted = rows.aggregate(
        new=Count("pk", filter=Q(status=RowStatus.NEW, included=True)),
        matched=Count("pk", filter=Q(status=RowStatus.MATCH, included=True)),
        changed=Count(
            "pk", filter=Q(status=RowStatus.MATCH, included=True) & (~Q(adds={}) | ~Q(conflicts={}))
        ),
        conflicts=Count("pk", filter=Q(status=RowStatus.MATCH, included=True) & ~Q(conflicts={})),
        duplicates=Count("pk", filter=Q(status=RowStatus.DUPLICATE)),
        left_out=Count("pk", filter=Q(included=False) & ~Q(status=RowStatus.ERROR)),
        touches=Sum("touches", filter=Q(included=True) & ~Q(status=RowStatus.DUPLICATE)),
    )
    failures = rows.filter(status=RowStatus.ERROR).values_list("file", "line", "data")
    if errors_shown is not None:
        failures = failures[:errors_shown]
    errors = [
        {"file": f, "line": line, "reason": data.get("reason", ""), "code": data.get("code", "")}
        for f, line, data in failures
    ]
    if upload.failure:
        errors.insert(0, dict(upload.failure))
    return Report(
        new=counted["new"],
        matched=counted["matched"],
        changed=counted["changed"],
        conflicts=counted["conflicts"],
        duplicates_in_upload=counted["duplicates"],
        left_out=counted["left_out"],
        touches=counted["touches"] or 0,
        skipped_messages=upload.report.get("skipped_messages", 0),
        errors=errors,
    )


def include(upload: Import, row_ids: Sequence[int], *, included: bool) -> int:
    """Leave rows out of the import, or take them back in (only while it is a preview)."""
    if upload.status != Import.Status.PREVIEW:
        return 0
    return (
        ImportRow.objects.filter(upload=upload, pk__in=row_ids)
        .exclude(status=RowStatus.ERROR)
        .update(included=included)
    )


def drop_messages(upload: Import) -> None:
    """The export's messages are not the user's: the contacts come in without them."""
    if upload.status != Import.Status.PREVIEW:
        return
    with transaction.atomic():
        StagedTouch.objects.filter(row__upload=upload).delete()
        ImportRow.objects.filter(upload=upload).update(touches=0)
        upload.account_holder = ""
        upload.keep_message_text = False
        upload.save(update_fields=["account_holder", "keep_message_text"])


def pick(row: ImportRow, name: str, choice: str) -> None:
    """For a conflict, keep the contact's value ("current") or take the file's ("imported")."""
    if name not in row.conflicts or choice not in ("current", "imported"):
        raise ValueError(f"no conflict {name!r} to settle with {choice!r}")
    row.choices = {**row.choices, name: choice}
    row.save(update_fields=["choices"])


def abandon(upload_pk: int) -> Import:
    """The user drops an import not committed: its files and rows go (not the rows that could
    not be read, which its page still lists). Waits for a reading in progress to finish."""
    with transaction.atomic():
        upload = Import.objects.select_for_update().get(pk=upload_pk)
        if upload.is_open or upload.status == Import.Status.FAILED:
            _drop([upload.pk])
            upload.refresh_from_db()
    return upload


def _drop(pks: Sequence[int]) -> None:
    ImportFile.objects.filter(upload_id__in=pks).delete()
    ImportRow.objects.filter(upload_id__in=pks).exclude(status=RowStatus.ERROR).delete()
    Import.objects.filter(pk__in=pks).update(status=Import.Status.ABANDONED, reading_since=None)


def claim(upload_pk: int, *, now: datetime) -> Import | None:
    """Take an import to read, by one conditional UPDATE: free (never claimed, or given back
    by the sweep) or its lease over. A second task for the same import gets None."""
    token = uuid.uuid4().hex
    free = Q(reading_token="") | Q(reading_since__lt=now - READING_LEASE)
    taken = (
        Import.objects.filter(pk=upload_pk, status=Import.Status.READING)
        .filter(free)
        .update(reading_token=token, reading_since=now)
    )
    return Import.objects.select_related("owner").get(pk=upload_pk) if taken else None


def sweep(*, now: datetime, enqueue: Callable[[int], Any]) -> tuple[int, int]:
    """Re-queue readings whose task was lost; drop the files of imports left for a day.
    Returns (re-queued, abandoned)."""
    lost = list(
        Import.objects.filter(
            status=Import.Status.READING, reading_since__lt=now - READING_LEASE
        ).values_list("pk", flat=True)
    )
    for pk in lost:
        if Import.objects.filter(pk=pk, status=Import.Status.READING).update(
            reading_since=now, reading_token=""
        ):
            transaction.on_commit(lambda pk=pk: enqueue(pk))  # type: ignore[misc]
    stale = Import.objects.filter(
        status__in=[Import.Status.READING, Import.Status.MAPPING, Import.Status.PREVIEW],
        created_at__lt=now - KEEP_UPLOADS,
    )
    abandoned = list(stale.values_list("pk", flat=True))
    with transaction.atomic():
        _drop(abandoned)
    return len(lost), len(abandoned)
