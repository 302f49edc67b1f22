"""Uploaded files in the database, a chunk at a time: stored by the web, read by the worker.

Neither side holds a file whole: `store` writes it in chunks of CHUNK bytes as it reads them,
and `opened` copies the chunks, fetched one row at a time, into a spooled temporary file (in
memory while small, on disk past SPOOL_BYTES) that the readers can seek in, as a ZIP needs.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from imports.models import Import, ImportFile, ImportFileChunk

CHUNK = 512 * 1024
SPOOL_BYTES = 1_000_000
# Chunks written per INSERT: memory holds these while the file is stored.
WRITE_BATCH = 4


def size_of(stream: IO[bytes]) -> int:
    """The file's size in bytes; it is read from its start afterwards."""
    size = stream.seek(0, 2)
    stream.seek(0)
    return size


def store(upload: Import, name: str, stream: IO[bytes]) -> int:
    """The whole of `stream` as a file of `upload`; its rows as the progress bar expects them."""
    upload_file = ImportFile.objects.create(upload=upload, name=name[:255], size=size_of(stream))
    rows = RowEstimate(name)
    pending: list[ImportFileChunk] = []
    for number, data in enumerate(iter(lambda: stream.read(CHUNK), b"")):
        rows.add(data)
        pending.append(ImportFileChunk(file=upload_file, number=number, data=data))
        if len(pending) == WRITE_BATCH:
            ImportFileChunk.objects.bulk_create(pending)
            pending = []
    ImportFileChunk.objects.bulk_create(pending)
    return rows.found


class RowEstimate:
    """A cheap estimate for the progress bar, a chunk at a time: cards in a vCard, lines
    otherwise."""

    CARD = b"BEGIN:VCARD"

    def __init__(self, name: str) -> None:
        self.cards = name.lower().endswith((".vcf", ".vcard"))
        self.lines = self.card_count = 0
        self.carried = b""

    def add(self, data: bytes) -> None:
        if self.cards:  # a BEGIN:VCARD across two chunks is in the carried end and this chunk
            joined = self.carried + data.upper()
            self.card_count += joined.count(self.CARD)
            self.carried = joined[-(len(self.CARD) - 1) :]
        else:
            self.lines += data.count(b"\n")

    @property
    def found(self) -> int:
        return self.card_count if self.cards else max(self.lines, 1)


@contextmanager
def opened(upload_file: ImportFile) -> Iterator[IO[bytes]]:
    """The file as a seekable binary stream, gone on leaving."""
    chunks = (
        ImportFileChunk.objects.filter(file=upload_file)
        .order_by("number")
        .values_list("data", flat=True)
        .iterator(chunk_size=1)
    )
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
        for data in chunks:
            spool.write(data)
        spool.seek(0)
        yield spool
