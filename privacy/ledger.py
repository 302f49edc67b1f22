"""The deletion ledger: which accounts were erased, so that restoring an older backup does not
bring them back (GDPR Art. 17 and 32; docs/backups.md).

Each erasure is kept twice. A row of privacy.Erasure, written in the erasure's transaction; and a
line appended to a file outside the database (settings.ERASURE_LEDGER_PATH), which a restore of
the database cannot roll back. `manage.py reapply_erasures` copies each to the other and erases
again every account of the ledger that a restore brought back.

The line is written and fsync'd inside the erasure's transaction, last before the commit: the
file is never behind the database, and an erasure whose line cannot be written does not happen.
If the commit then fails, the file names an account that still exists, whose owner asked for its
erasure; the next `reapply_erasures` carries it out.

One line is `{"user": 7, "erased_at": "2026-12-06T08:41:33.123456+00:00"}`: ids and moments only.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.conf import settings

from privacy.models import Erasure

logger = logging.getLogger(__name__)


@dataclass(frozen=True, order=True)
class Entry:
    user_pk: int
    erased_at: datetime

    def line(self) -> str:
        return json.dumps({"user": self.user_pk, "erased_at": self.erased_at.isoformat()}) + "\n"


@dataclass(frozen=True)
class Read:
    entries: set[Entry]
    unreadable: list[int] = field(default_factory=list)  # line numbers
    missing: bool = False


@dataclass(frozen=True)
class Synced:
    to_database: list[Entry]
    to_file: list[Entry]
    read: Read


def path() -> Path:
    return Path(settings.ERASURE_LEDGER_PATH)


def record(user_pk: int, *, now: datetime) -> None:
    """Write the erasure into the ledger: the row in the caller's transaction, the line at once."""
    Erasure.objects.create(user_pk=user_pk, erased_at=now)
    append(path(), [Entry(user_pk, now)])


def append(file: Path, entries: list[Entry]) -> None:
    """Append the entries as lines, in one write, and fsync them (and a new file's folder).

    One `write` with O_APPEND: erasures in several processes at once never interleave lines.
    """
    if not entries:
        return
    file.parent.mkdir(parents=True, exist_ok=True)
    created = not file.exists()
    descriptor = os.open(file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, "".join(entry.line() for entry in entries).encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    if created:  # the file's name must survive a crash too
        folder = os.open(file.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def read(file: Path) -> Read:
    """The file's entries. A line that does not parse (a write cut short by a crash, an edit) is
    reported by number and skipped: the other erasures must still be re-applied."""
    if not file.exists():
        return Read(entries=set(), missing=True)
    entries, unreadable = set(), []
    for number, text in enumerate(file.read_text().splitlines(), start=1):
        if not text.strip():
            continue
        try:
            data = json.loads(text)
            entries.add(Entry(int(data["user"]), datetime.fromisoformat(data["erased_at"])))
        except (ValueError, KeyError, TypeError):
            unreadable.append(number)
    return Read(entries=entries, unreadable=unreadable)


def sync(file: Path) -> Synced:
    """Copy the file's erasures the database lacks into it (a restored, older database lacks the
    newer ones), and the database's the file lacks into the file (a file lost or started anew)."""
    found = read(file)
    for number in found.unreadable:
        logger.warning("erasure ledger %s: line %s unreadable, skipped", file, number)
    stored = {Entry(pk, at) for pk, at in Erasure.objects.values_list("user_pk", "erased_at")}
    to_database = sorted(found.entries - stored)
    Erasure.objects.bulk_create(
        [Erasure(user_pk=entry.user_pk, erased_at=entry.erased_at) for entry in to_database],
        ignore_conflicts=True,  # an erasure committed meanwhile
    )
    to_file = sorted(stored - found.entries)
    append(file, to_file)
    return Synced(to_database=to_database, to_file=to_file, read=found)
