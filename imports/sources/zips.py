"""ZIP archives, checked against imports.sources.limits before anything is unpacked.

From the central directory: the number of entries, their total size, each entry's compression
ratio, archives inside the archive, passwords. Each entry is then unpacked a chunk at a time
to a spooled temporary file (in memory while small), so an entry whose header understates its
size is refused when it passes what is left of the total, and memory holds a chunk.
"""

from __future__ import annotations

import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from imports.sources.limits import (
    ZIP_MAX_ENTRIES,
    ZIP_MAX_RATIO,
    ZIP_MAX_TOTAL_BYTES,
    ZIP_NESTED_SUFFIXES,
    ZIP_RATIO_FROM_BYTES,
)
from imports.sources.reasons import Reason, refuse

CHUNK = 64 * 1024
# An entry up to this size is unpacked in memory, a larger one to a temporary file.
SPOOL_BYTES = 1_000_000

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

    @contextmanager
    def unpacked(self, info: zipfile.ZipInfo) -> Iterator[IO[bytes]]:
        """The entry's bytes as a seekable file, closed (and deleted) on leaving."""
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
            self._unpack(info, spool)
            spool.seek(0)
            yield spool

    def _unpack(self, info: zipfile.ZipInfo, spool: IO[bytes]) -> None:
        try:
            with self.archive.open(info) as entry:
                while chunk := entry.read(CHUNK):
                    if len(chunk) > self.left:
                        raise refuse(self.name, Reason.ZIP_TOO_LARGE)
                    self.left -= len(chunk)
                    spool.write(chunk)
        except RuntimeError:  # zipfile's "password required"
            raise refuse(self.name, Reason.ZIP_ENCRYPTED) from None
        except BROKEN:
            raise refuse(self.name, Reason.NOT_A_ZIP) from None


@contextmanager
def opened(name: str, data: IO[bytes]) -> Iterator[Archive]:
    try:
        archive = zipfile.ZipFile(data)
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
