"""Reading an import's files into rows: people, unreadable rows, and LinkedIn's message days.

Runs in the Celery task (imports.tasks.read) or in-process (the import_contacts command). The
rows are written in batches as the readers yield them, so memory holds one batch and the
messages' per-day summary (imports.messages), not the file's rows; the count is saved as it grows, for the
progress bar. A file refused as a whole (imports.sources.records.Unreadable) leaves no row.
"""

from __future__ import annotations

from django.db import transaction

from imports import storage
from imports.matching import match_rows
from imports.messages import MessageDays
from imports.models import ColumnMapping, Import, ImportFile, ImportRow, RowStatus
from imports.sources import read_upload
from imports.sources.records import Message, NeedsMapping, Person, RowError, Unreadable
from netzwerk.accounts.models import User

BATCH = 500


def read(upload: Import) -> Import:
    """Read every file of `upload` into rows and match them; the import ends READING as
    PREVIEW, MAPPING (a CSV waits for its columns) or FAILED (a file refused). The task calls
    it once it has claimed the import (imports.pipeline.claim), so a second task for the same
    import finds it taken; the rows are written as they are read, and the count with them, so
    the progress bar moves on any database. Each file is read from a temporary copy, a chunk
    at a time (imports.storage)."""
    ImportRow.objects.filter(upload=upload).delete()
    files = list(upload.files.all())
    upload.rows_read = 0
    upload.save(update_fields=["rows_read"])
    mappings = _mappings(upload.owner, files)
    reader = _Reader(upload)
    try:
        for upload_file in files:
            with storage.opened(upload_file) as stream:
                for record in read_upload(upload_file.name, stream, mappings=mappings):
                    if isinstance(record, NeedsMapping):
                        reader.needs_mapping(upload_file, record)
                    else:
                        reader.add(record)
        reader.flush()
    except Unreadable as refused:
        return _fail(upload, refused)
    if reader.waiting:
        ImportRow.objects.filter(upload=upload).delete()
        return _finish(upload, Import.Status.MAPPING, reader)
    if reader.messages:
        holder, reader.skipped_people = reader.messages.stage(upload)
        if holder:
            upload.account_holder = holder
    match_rows(upload)
    return _finish(upload, Import.Status.PREVIEW, reader)


def _mappings(owner: User, files: list[ImportFile]) -> dict[tuple[str, ...], tuple[str, ...]]:
    """The columns the owner chose before, by header (a file of the same layout is read with
    them at once), and those chosen for this upload's files."""
    found = {
        tuple(m.headers): tuple(m.fields) for m in ColumnMapping.objects.filter(owner=owner) if m.headers
    }
    for upload_file in files:
        if upload_file.headers is not None and upload_file.mapping:
            found[tuple(upload_file.headers)] = tuple(upload_file.mapping)
    return found


def _fail(upload: Import, refused: Unreadable) -> Import:
    with transaction.atomic():
        ImportRow.objects.filter(upload=upload).delete()
        upload.status = Import.Status.FAILED
        upload.failure = {
            "file": refused.file,
            "line": refused.line,
            "reason": refused.reason,
            "code": refused.code,
        }
        upload.reading_since, upload.reading_token = None, ""
        upload.save(update_fields=["status", "failure", "reading_since", "reading_token"])
    return upload


def _finish(upload: Import, status: str, reader: _Reader) -> Import:
    upload.status = status
    upload.rows_read = reader.count
    upload.reading_since, upload.reading_token = None, ""
    upload.report = {**upload.report, "skipped_messages": reader.skipped_people}
    upload.save(
        update_fields=["status", "rows_read", "reading_since", "reading_token", "account_holder", "report"]
    )
    return upload


class _Reader:
    """Writes people and errors in batches; summarises messages as they come (imports.messages)."""

    def __init__(self, upload: Import) -> None:
        self.upload = upload
        self.batch: list[ImportRow] = []
        self.count = 0
        self.messages = MessageDays(upload.owner.zone)
        self.waiting: list[str] = []
        self.skipped_people = 0

    def add(self, record: Person | Message | RowError) -> None:
        if isinstance(record, Message):
            self.messages.add(record)
            return
        if isinstance(record, Person):
            row = ImportRow(upload=self.upload, file=record.file, line=record.line, data=record.to_json())
        else:
            row = ImportRow(
                upload=self.upload,
                file=record.file,
                line=record.line,
                status=RowStatus.ERROR,
                data={"reason": record.reason, "code": record.code},
            )
        self.batch.append(row)
        self.count += 1
        if len(self.batch) >= BATCH:
            self.flush()

    def flush(self) -> None:
        ImportRow.objects.bulk_create(self.batch)
        self.batch = []
        Import.objects.filter(pk=self.upload.pk).update(rows_read=self.count)

    def needs_mapping(self, upload_file: ImportFile, record: NeedsMapping) -> None:
        upload_file.headers = list(record.headers)
        upload_file.mapping = None
        upload_file.save(update_fields=["headers", "mapping"])
        self.waiting.append(upload_file.name)
        suggested = {**self.upload.report.get("suggested", {}), upload_file.name: list(record.suggested)}
        self.upload.report = {**self.upload.report, "suggested": suggested}
