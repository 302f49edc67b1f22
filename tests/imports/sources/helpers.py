"""Reading fixtures for the readers' tests: the copied data files, and files built in the test."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from imports.sources import read_upload
from imports.sources.records import NeedsMapping, Person, Record, RowError

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[3]
# CI keeps a copy of shared/ beside the checkout, as here.
SHARED = ROOT.parent / "shared" / "data" / "contacts"


def data(name: str) -> bytes:
    return (DATA / name).read_bytes()


def read(name: str, content: bytes | str, **kwargs: object) -> list[Record | NeedsMapping]:
    raw = content.encode() if isinstance(content, str) else content
    return list(read_upload(name, io.BytesIO(raw), **kwargs))  # type: ignore[arg-type]


def people(name: str, content: bytes | str, **kwargs: object) -> list[Person]:
    found = read(name, content, **kwargs)
    assert all(isinstance(record, Person) for record in found), found
    return [record for record in found if isinstance(record, Person)]


def errors(records: list[Record | NeedsMapping]) -> list[RowError]:
    return [record for record in records if isinstance(record, RowError)]


def kinds(records: list[Record | NeedsMapping]) -> list[tuple[str, int]]:
    """Each record's type and line: what a file gave, in order."""
    return [(type(record).__name__, getattr(record, "line", 0)) for record in records]


def card(*lines: str, version: str = "3.0") -> str:
    return "\r\n".join(["BEGIN:VCARD", f"VERSION:{version}", *lines, "END:VCARD", ""])


def zipped(*entries: tuple[str, bytes | str], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in entries:
            archive.writestr(name, content)
    return buffer.getvalue()
