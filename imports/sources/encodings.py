"""Bytes to text for the readers: UTF-8 (with or without BOM), UTF-16, Shift_JIS, cp1252.

UTF-16 is known by its BOM or, without one, by NUL bytes at every other position. Without a BOM
UTF-8 is tried first (it fails loudly on anything else), then Shift_JIS when the non-ASCII bytes
come in pairs as Japanese text has them (German cp1252 text has them alone: `Müller`), then
cp1252, then Latin-1, which reads any byte. Each is checked, and the text decoded, a chunk at
a time: a file's text is never held whole.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator

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


def utf16(data: bytes) -> str | None:
    """The text of UTF-16 `data`, or None when it is not UTF-16."""
    codec = _utf16(data)
    return None if codec is None else data[: len(data) // 2 * 2].decode(codec, errors="replace")


def looks_binary(data: bytes) -> bool:
    """An image, an archive, an office file or random bytes; UTF-16 text is not binary."""
    if data.startswith(MAGIC):
        return True
    if _utf16(data) is not None:
        return False
    sample = data[:CHUNK]
    controls = sum(1 for byte in sample if byte < 0x20 and byte not in b"\t\n\r\x0c")
    return b"\x00" in sample or controls * 100 > len(sample)


def lines(data: bytes) -> Iterator[str]:
    """The text's lines with their ends, decoded a chunk at a time: memory holds a chunk, not a
    copy of the file. Lines end at CRLF, LF or CR (not at str.splitlines' U+2028 and the like)."""
    pending: list[str] = []
    for chunk in _chunks(data):
        # a CR at the very end may be the first half of a CRLF: it waits for the next chunk
        end = max(chunk.rfind("\n"), chunk.rfind("\r", 0, len(chunk) - 1))
        if end < 0:
            pending.append(chunk)
            continue
        yield from _split("".join(pending) + chunk[: end + 1])
        pending = [chunk[end + 1 :]]
    yield from _split("".join(pending))


def head(data: bytes) -> str:
    """The first chunk of the text, for sniffing (a delimiter, a BEGIN:VCARD)."""
    return next(_chunks(data), "")


def decode_unmarked(data: bytes) -> str:
    """One vCard value with no declared charset."""
    try:
        return data.decode("utf-8")  # the common case, without the checks of _codec
    except UnicodeDecodeError:
        return data.decode(_codec(data), errors="replace")


def decode_declared(data: bytes, charset: str) -> str:
    """A value in the charset its CHARSET= parameter names; unknown names fall back."""
    try:
        codecs.lookup(charset)
    except LookupError:
        return decode_unmarked(data)
    try:
        return data.decode(charset)
    except UnicodeDecodeError:
        return data.decode(charset, errors="replace")


def _codec(data: bytes) -> str:
    """The codec that reads the whole of `data`, by the order above."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    found = _utf16(data)
    if found is not None:
        return found
    if _decodes(data, "utf-8"):
        return "utf-8"
    if _paired(data) and _decodes(data, "shift_jis"):
        return "shift_jis"
    return "cp1252" if _decodes(data, "cp1252") else "latin-1"


def _utf16(data: bytes) -> str | None:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = data[:400]
    if len(sample) < 4 or sample.count(0) * 3 < len(sample):
        return None
    odd, even = sample[1::2].count(0), sample[0::2].count(0)
    if odd > 2 * even:
        return "utf-16-le"
    return "utf-16-be" if even > 2 * odd else None


def _decodes(data: bytes, codec: str) -> bool:
    """Whether `codec` reads all of `data`, checked a chunk at a time (the text is dropped)."""
    decoder = codecs.getincrementaldecoder(codec)()
    try:
        for start in range(0, len(data), CHUNK):
            decoder.decode(data[start : start + CHUNK])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _chunks(data: bytes) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder(_codec(data))(errors="replace")
    for start in range(0, len(data), CHUNK):
        yield decoder.decode(data[start : start + CHUNK])
    yield decoder.decode(b"", final=True)


def _split(text: str) -> Iterator[str]:
    for found in LINE.finditer(text):
        if found[0]:
            yield found[0]


def _paired(data: bytes) -> bool:
    """Most non-ASCII bytes stand next to another (double-byte text, not cp1252 umlauts)."""
    sample = data[:CHUNK]
    high = [i for i, byte in enumerate(sample) if byte >= 0x80]
    if not high:
        return False
    paired = sum(
        1
        for i in high
        if (i > 0 and sample[i - 1] >= 0x80) or (i + 1 < len(sample) and sample[i + 1] >= 0x80)
    )
    return paired * 10 >= len(high) * 8
