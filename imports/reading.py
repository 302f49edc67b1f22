"""Reading an import's files into rows: people, unreadable rows, and LinkedIn's message days.

Runs in the Celery task (imports.tasks.read) or in-process (the import_contacts command). The
rows are written in batches as the readers yield them, so memory holds one batch and the
messages' per-day summary, not the file's rows; the count is saved as it grows, for the
progress bar. A file refused as a whole (imports.sources.records.Unreadable) leaves no row.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction

from contacts.folding import fold_loose
from imports import storage
from imports.matching import match_rows
from imports.models import ColumnMapping, Import, ImportFile, ImportRow, RowStatus, StagedTouch
from imports.sources import read_upload
from imports.sources.linkedin import account_holder
from imports.sources.records import Message, NeedsMapping, Person, RowError, Unreadable
from netzwerk.accounts.models import User
from touchpoints.models import Initiator

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
    holder = reader.stage_messages()
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


@dataclass
class _Day:
    """A counterpart's messages on one local day: the first one says who reached out."""

    first_at: datetime
    holder_first: bool
    texts: list[str] = field(default_factory=list)


class _Reader:
    """Writes people and errors in batches; keeps messages as counterpart days."""

    def __init__(self, upload: Import) -> None:
        self.upload = upload
        self.zone = upload.owner.zone
        self.batch: list[ImportRow] = []
        self.count = 0
        self.messages: list[Message] = []
        self.waiting: list[str] = []
        self.skipped_people = 0

    def add(self, record: Person | Message | RowError) -> None:
        if isinstance(record, Message):
            self.messages.append(record)
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

    def stage_messages(self) -> str | None:
        """One touch per counterpart and local day; people who are not connections skipped."""
        if not self.messages:
            return None
        holder = account_holder(self.messages)
        rows_by_url, rows_by_name = _connections(self.upload)
        days: dict[tuple[int, date], _Day] = {}
        strangers: set[str] = set()
        for message in sorted(self.messages, key=lambda m: m.sent_at):
            for url, name in _counterparts(message, holder):
                row_id = rows_by_url.get(url) if url else None
                if row_id is None:
                    row_id = rows_by_name.get(fold_loose(name))
                if row_id is None:
                    strangers.add(url or fold_loose(name))
                    continue
                day = message.sent_at.astimezone(self.zone).date()
                found = days.get((row_id, day))
                if found is None:
                    found = days[row_id, day] = _Day(message.sent_at, message.sender_url == holder)
                if message.content:
                    found.texts.append(message.content)
        self.skipped_people = len(strangers)
        _write_days(days)
        return holder


def _counterparts(message: Message, holder: str | None) -> Iterator[tuple[str, str]]:
    """Everyone in the message but the account holder (a group message counts for each)."""
    people = [(message.sender_url, message.sender_name)]
    people += list(zip(message.recipient_urls, message.recipient_names, strict=False))
    if len(message.recipient_names) > len(message.recipient_urls):
        people += [("", name) for name in message.recipient_names[len(message.recipient_urls) :]]
    seen: set[str] = set()
    for url, name in people:
        if (url and url == holder) or (url or name) in seen:
            continue
        seen.add(url or name)
        yield url, name


def _connections(upload: Import) -> tuple[dict[str, int], dict[str, int]]:
    """The upload's people by LinkedIn profile and by folded name (names only when unique)."""
    by_url: dict[str, int] = {}
    by_name: dict[str, int | None] = {}
    for row_id, data in ImportRow.objects.filter(upload=upload, status=RowStatus.NEW).values_list(
        "pk", "data"
    ):
        url = data.get("profiles", {}).get("linkedin")
        if url:
            by_url.setdefault(url, row_id)
        name = fold_loose(f"{data.get('first_name', '')} {data.get('last_name', '')}")
        by_name[name] = None if name in by_name and by_name[name] != row_id else row_id
    return by_url, {name: row_id for name, row_id in by_name.items() if row_id is not None}


def _write_days(days: dict[tuple[int, date], _Day]) -> None:
    staged = [
        StagedTouch(
            row_id=row_id,
            happened_at=day.first_at,
            initiated_by=Initiator.ME if day.holder_first else Initiator.THEM,
            note="\n\n".join(day.texts),
        )
        for (row_id, _day), day in days.items()
    ]
    StagedTouch.objects.bulk_create(staged, batch_size=BATCH)
