"""Bytes to text for the readers: UTF-8 (with or without BOM), UTF-16, Shift_JIS, cp1252.

UTF-16 is known by its BOM or, without one, by NUL bytes at every other position. Without a BOM
UTF-8 is tried first (it fails loudly on anything else), then Shift_JIS when it reads the bytes
and gives Japanese words, not Latin ones with a kanji or a katakana inside (German cp1252
`Gräßle` read so is `Gr葹le`; `Müller` is no Shift_JIS at all), then
cp1252, then Latin-1, which reads any byte. Each is checked, and the text decoded, a chunk at
a time from the file (a seekable binary stream, read again from its start for each pass): a
file's bytes and text are never held whole.
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Iterator
from typing import IO

MAGIC = (
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"%PDF",
    b"PK\x03\x04",
    b"\x1f\x8b",
    b"7z\xbc\xaf",
    b"Rar!",
    b"\xd0\xcf\x11\xe0",  # old MS Office (xls)
)
CHUNK = 64 * 1024
LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")
WORD = re.compile(r"\w+")
MISREAD_LATIN = re.compile(r"[A-Za-z][^\x00-\x7f]{1,2}[A-Za-z]|[\uff61-\uff9f][a-z]|[a-z][\uff61-\uff9f]")


def raw_chunks(stream: IO[bytes]) -> Iterator[bytes]:
    """The file's bytes from its start, a chunk at a time; each read seeks to where the last one
    ended, so passes over one file may interleave (a sniff while lines are being read)."""
    position = 0
    while True:
        stream.seek(position)
        chunk = stream.read(CHUNK)
        if not chunk:
            return
        position += len(chunk)
        yield chunk


def sample(stream: IO[bytes], size: int = CHUNK) -> bytes:
    stream.seek(0)
    return stream.read(size)


def size(stream: IO[bytes]) -> int:
    return stream.seek(0, 2)


def is_blank(stream: IO[bytes]) -> bool:
    """Nothing but white space (not strip(): that copies the file)."""
    return all(chunk.isspace() for chunk in raw_chunks(stream))


def utf8_chunks(stream: IO[bytes]) -> Iterator[bytes]:
    """The file as UTF-8 bytes, a chunk at a time: UTF-16 transcoded, a byte order mark dropped;
    any other bytes as they are (the vCard pre-pass decodes each value by its own charset)."""
    codec = _utf16(sample(stream, 400))
    if codec is None:
        chunks = raw_chunks(stream)
        first = next(chunks, b"")
        yield first.removeprefix(codecs.BOM_UTF8)
        yield from chunks
        return
    decoder = codecs.getincrementaldecoder(codec)(errors="replace")
    started = False
    for chunk in raw_chunks(stream):
        text = decoder.decode(chunk)
        if not started and text:
            text, started = text.removeprefix("\ufeff"), True
        yield text.encode("utf-8")
    yield decoder.decode(b"", final=True).encode("utf-8")


def looks_binary(stream: IO[bytes]) -> bool:
    """An image, an archive, an office file or random bytes; UTF-16 text is not binary."""
    head_bytes = sample(stream)
    if head_bytes.startswith(MAGIC):
        return True
    if _utf16(head_bytes) is not None:
        return False
    controls = sum(1 for byte in head_bytes if byte < 0x20 and byte not in b"\t\n\r\x0c")
    return b"\x00" in head_bytes or controls * 100 > len(head_bytes)


def lines(stream: IO[bytes]) -> Iterator[str]:
    """The text's lines with their ends, decoded a chunk at a time: memory holds a chunk, not a
    copy of the file. Lines end at CRLF, LF or CR (not at str.splitlines' U+2028 and the like)."""
    pending: list[str] = []
    for chunk in _chunks(stream):
        # a CR at the very end may be the first half of a CRLF: it waits for the next chunk
        end = max(chunk.rfind("\n"), chunk.rfind("\r", 0, len(chunk) - 1))
        if end < 0:
            pending.append(chunk)
            continue
        yield from _split("".join(pending) + chunk[: end + 1])
        pending = [chunk[end + 1 :]]
    yield from _split("".join(pending))


def head(stream: IO[bytes]) -> str:
    """The first chunk of the text, for sniffing (a delimiter, a BEGIN:VCARD)."""
    return next(_chunks(stream), "")


def decode_unmarked(data: bytes) -> str:
    """One vCard value with no declared charset."""
    try:
        return data.decode("utf-8")  # the common case, without the checks of _codec
    except UnicodeDecodeError:
        return data.decode(_codec(io.BytesIO(data)), errors="replace")


def decode_declared(data: bytes, charset: str) -> str:
    """A value in the charset its CHARSET= parameter names; unknown or wrong ones fall back."""
    try:
        codecs.lookup(charset)
    except LookupError:
        return decode_unmarked(data)
    try:
        return data.decode(charset)
    except UnicodeDecodeError:  # the charset named is wrong (`CHARSET=UTF-8` on cp1252 bytes)
        return decode_unmarked(data)


def _codec(stream: IO[bytes]) -> str:
    """The codec that reads the whole file, by the order above."""
    head_bytes = sample(stream)
    if head_bytes.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    found = _utf16(head_bytes)
    if found is not None:
        return found
    if _decodes(stream, "utf-8"):
        return "utf-8"
    if _reads_as_japanese(head_bytes) and _decodes(stream, "shift_jis"):
        return "shift_jis"
    return "cp1252" if _decodes(stream, "cp1252") else "latin-1"


def _utf16(data: bytes) -> str | None:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    start = data[:400]
    if len(start) < 4 or start.count(0) * 3 < len(start):
        return None
    odd, even = start[1::2].count(0), start[0::2].count(0)
    if odd > 2 * even:
        return "utf-16-le"
    return "utf-16-be" if even > 2 * odd else None


def _decodes(stream: IO[bytes], codec: str) -> bool:
    """Whether `codec` reads the whole file, checked a chunk at a time (the text is dropped)."""
    decoder = codecs.getincrementaldecoder(codec)()
    try:
        for chunk in raw_chunks(stream):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _chunks(stream: IO[bytes]) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder(_codec(stream))(errors="replace")
    for chunk in raw_chunks(stream):
        yield decoder.decode(chunk)
    yield decoder.decode(b"", final=True)


def _split(text: str) -> Iterator[str]:
    for found in LINE.finditer(text):
        if found[0]:
            yield found[0]


def _reads_as_japanese(head_bytes: bytes) -> bool:
    """Whether the Shift_JIS reading of the bytes gives Japanese words, not misread Latin ones.
    German or French cp1252 read so puts a kanji or a katakana between Latin letters (`Gräßle`
    is `Gr葹le`, `Straße` `Straﾟe`) or a half-width katakana beside a small one (`Äßler` is
    `ﾄﾟler`, `Weiß` `Weiﾟ`); Japanese words next to Latin ones (`NTTドコモ`, `株式会社ABC`) have
    neither."""
    words = [
        word for word in WORD.findall(head_bytes.decode("shift_jis", errors="replace")) if not word.isascii()
    ]
    misread = sum(1 for word in words if MISREAD_LATIN.search(word))
    return misread * 2 < len(words)
