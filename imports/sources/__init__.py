"""Reading an uploaded file into records: which reader for which file, and the limits of an upload.

`read_upload` streams: it reads a seekable binary file a chunk at a time (a ZIP's entries are
unpacked to a spooled temporary file each), records are yielded as they are read, nothing is
collected, and a file refused as a whole raises Unreadable (with a code of
imports.sources.reasons) when it is met, possibly after some records: the caller drops those
(imports.reading does).

- `.zip`: LinkedIn's data export when it holds a Connections.csv (anywhere in it), read with its
  messages.csv; otherwise every .vcf/.vcard and .csv in it (a folder of XING's one-card files,
  say). An entry that cannot be read is one RowError; the rest is read.
- `.vcf`, `.vcard`: imports.sources.vcard. `.csv`, `.txt`: imports.sources.csvfiles, unless the
  text is a vCard.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import IO

from imports.sources import encodings, zips
from imports.sources.csvfiles import read_csv
from imports.sources.limits import MAX_MESSAGES, MAX_ROWS, MAX_UPLOAD_BYTES
from imports.sources.linkedin import read_messages
from imports.sources.reasons import Reason, refuse
from imports.sources.records import Message, NeedsMapping, Person, Record, RowError, Unreadable
from imports.sources.vcard import read_vcards

Mappings = Mapping[tuple[str, ...], Sequence[str]]
Read = Iterator[Record | NeedsMapping]
TEXT_SUFFIXES = (".vcf", ".vcard", ".csv", ".txt")
# A record's file is stored in ImportRow.file (255 characters): archive and entry, its end kept.
FILE_NAME_MAX = 255

__all__ = ["read_upload"]


def read_upload(name: str, data: IO[bytes], *, mappings: Mappings | None = None) -> Read:
    """The records of one uploaded file; `mappings`: the user's CSV columns by header."""
    if encodings.size(data) > MAX_UPLOAD_BYTES:
        raise refuse(name, Reason.TOO_LARGE)
    rows = messages = 0
    for record in _read(name, data, mappings or {}):
        if isinstance(record, Message):
            messages += 1
            if messages > MAX_MESSAGES:
                raise refuse(name, Reason.TOO_MANY_MESSAGES)
        elif isinstance(record, Person | RowError):
            rows += 1
            if rows > MAX_ROWS:
                raise refuse(name, Reason.TOO_MANY_ROWS, line=record.line)
        yield record


def _read(name: str, data: IO[bytes], mappings: Mappings) -> Read:
    if encodings.is_blank(data):
        raise refuse(name, Reason.EMPTY)
    suffix = "." + name.lower().rpartition(".")[2]
    if suffix == ".zip":
        yield from _read_zip(name, data, mappings)
        return
    if suffix not in TEXT_SUFFIXES:
        raise refuse(name, Reason.UNKNOWN_KIND)
    if encodings.looks_binary(data):
        raise refuse(name, Reason.NOT_TEXT)
    if suffix in (".vcf", ".vcard") or _is_vcard(data):
        yield from read_vcards(name, data)
    else:
        yield from read_csv(name, data, mappings=mappings)


def _is_vcard(data: IO[bytes]) -> bool:
    return encodings.head(data).lstrip().upper().startswith("BEGIN:VCARD")


def _read_zip(name: str, data: IO[bytes], mappings: Mappings) -> Read:
    if not encodings.sample(data, 4).startswith((b"PK\x03\x04", b"PK\x05\x06")):
        raise refuse(name, Reason.NOT_A_ZIP)

    def read_file(file: str, content: IO[bytes]) -> Read:
        return _read(file, content, mappings)

    with zips.opened(name, data) as archive:
        files = archive.files
        connections = _named(files, "connections.csv")
        if connections is not None:
            yield from _entry(archive, connections, read_file)
            found = _named(files, "messages.csv")
            if found is not None:
                yield from _entry(archive, found, read_messages)
            return
        readable = [info for info in files if info.filename.lower().endswith(TEXT_SUFFIXES[:3])]
        if not readable:
            raise refuse(name, Reason.ZIP_NOTHING)
        for info in readable:
            yield from _entry(archive, info, read_file)


def _named(files: list[zipfile.ZipInfo], base: str) -> zipfile.ZipInfo | None:
    return next(
        (info for info in files if info.filename.replace("\\", "/").lower().rsplit("/")[-1] == base), None
    )


def _entry(archive: zips.Archive, info: zipfile.ZipInfo, reader: Callable[[str, IO[bytes]], Read]) -> Read:
    """One file of an archive; refused as a whole, it is one RowError and the others are read."""
    file = f"{archive.name}/{info.filename}"
    if len(file) > FILE_NAME_MAX:
        file = "…" + file[-(FILE_NAME_MAX - 1) :]
    with archive.unpacked(info) as content:  # a broken or oversized entry refuses the archive
        try:
            yield from reader(file, content)
        except Unreadable as refused:
            yield RowError(file=file, line=refused.line or 1, reason=refused.reason, code=refused.code)
