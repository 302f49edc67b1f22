"""ZIP archives, checked against imports.sources.limits before anything is unpacked.

From the central directory: the number of entries, their total size, each entry's compression
ratio, archives inside the archive, passwords. Each entry is then read with a bounded read, so
an entry whose header understates its size is refused when it passes what is left of the total,
and memory holds one entry at a time.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from imports.sources.limits import (
    ZIP_MAX_ENTRIES,
    ZIP_MAX_RATIO,
    ZIP_MAX_TOTAL_BYTES,
    ZIP_NESTED_SUFFIXES,
    ZIP_RATIO_FROM_BYTES,
)
from imports.sources.reasons import Reason, refuse

# What a broken archive raises, besides BadZipFile: zipfile does not wrap these.
BROKEN = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    NotImplementedError,
)


class Archive:
    """A checked archive: its files (folders and macOS metadata left out), read one by one."""

    def __init__(self, name: str, archive: zipfile.ZipFile) -> None:
        self.name, self.archive = name, archive
        self.left = ZIP_MAX_TOTAL_BYTES

    @property
    def files(self) -> list[zipfile.ZipInfo]:
        return [info for info in self.archive.infolist() if not _ignored(info)]

    def read(self, info: zipfile.ZipInfo) -> bytes:
        try:
            with self.archive.open(info) as entry:
                data = entry.read(self.left + 1)
        except RuntimeError:  # zipfile's "password required"
            raise refuse(self.name, Reason.ZIP_ENCRYPTED) from None
        except BROKEN:
            raise refuse(self.name, Reason.NOT_A_ZIP) from None
        if len(data) > self.left:
            raise refuse(self.name, Reason.ZIP_TOO_LARGE)
        self.left -= len(data)
        return data


@contextmanager
def opened(name: str, data: bytes) -> Iterator[Archive]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except BROKEN:
        raise refuse(name, Reason.NOT_A_ZIP) from None
    with archive:
        check(name, archive.infolist())
        yield Archive(name, archive)


def check(name: str, infos: list[zipfile.ZipInfo]) -> None:
    """Refuse from the central directory alone, before a byte is unpacked."""
    if len(infos) > ZIP_MAX_ENTRIES:
        raise refuse(name, Reason.ZIP_TOO_MANY_FILES)
    if sum(info.file_size for info in infos) > ZIP_MAX_TOTAL_BYTES:
        raise refuse(name, Reason.ZIP_TOO_LARGE)
    for info in infos:
        if _ignored(info):
            continue
        if info.filename.lower().endswith(ZIP_NESTED_SUFFIXES):
            raise refuse(name, Reason.ZIP_NESTED)
        if info.flag_bits & 0x1:
            raise refuse(name, Reason.ZIP_ENCRYPTED)
        if info.file_size >= ZIP_RATIO_FROM_BYTES and info.file_size > ZIP_MAX_RATIO * max(
            info.compress_size, 1
        ):
            raise refuse(name, Reason.ZIP_BOMB)


def _ignored(info: zipfile.ZipInfo) -> bool:
    path = info.filename.replace("\\", "/")
    base = path.rsplit("/", 1)[-1]
    return info.is_dir() or path.startswith("__MACOSX/") or base.startswith("._") or base in ("", ".DS_Store")
