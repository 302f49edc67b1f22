"""Whatever the bytes, a reader yields records or refuses them (Unreadable), within bounds."""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from imports.sources import read_upload
from imports.sources.limits import ZIP_MAX_ENTRIES, ZIP_NESTED_SUFFIXES
from imports.sources.records import NeedsMapping, Person, Unreadable
from tests.imports.sources.helpers import DATA, card, zipped

SUFFIXES = st.sampled_from([".csv", ".vcf", ".vcard", ".txt", ".zip"])
FILES = sorted(path.name for path in DATA.iterdir() if path.suffix in (".vcf", ".csv"))
CHECKS = settings(max_examples=60, deadline=5_000, suppress_health_check=[HealthCheck.too_slow])
# Large inputs: no shrinking (each try takes a while); a failure is reported as found.
LARGE = settings(
    max_examples=25,
    deadline=10_000,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def outcome(name: str, data: bytes) -> str:
    """'read' or the refusal's code; fails on any other exception, or on time or memory run away."""
    started = time.perf_counter()
    tracemalloc.start()
    refusal: Unreadable | None = None
    try:
        for record in read_upload(name, io.BytesIO(data)):
            assert isinstance(record, Person | NeedsMapping) or record.line >= 1
    except Unreadable as refused:
        refusal = refused
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peak < 3 * len(data) + 16_000_000
    # linear, not worse: some 10 µs a byte at most, under tracemalloc's bookkeeping
    assert time.perf_counter() - started < 2 + len(data) / 100_000
    if refusal is None:
        return "read"
    assert refusal.reason
    return refusal.code


@CHECKS
@given(content=st.binary(max_size=4_000), suffix=SUFFIXES)
def test_it_reads_or_refuses_random_bytes(content: bytes, suffix: str) -> None:
    outcome("random" + suffix, content)


@CHECKS
@given(name=st.sampled_from(FILES), cut=st.floats(0, 1), flip=st.integers(0, 255), data=st.data())
def test_it_reads_or_refuses_cut_and_damaged_files(
    name: str, cut: float, flip: int, data: st.DataObject
) -> None:
    content = (DATA / name).read_bytes()
    content = content[: int(len(content) * cut)]
    if content:
        at = data.draw(st.integers(0, len(content) - 1))
        content = content[:at] + bytes([flip]) + content[at + 1 :]
    outcome(name, content)


@LARGE
@given(
    size=st.integers(100_000, 1_500_000),
    around=st.sampled_from(
        [
            (b"", b""),
            (b"BEGIN:VCARD\r\nVERSION:2.1\r\nNOTE;ENCODING=QUOTED-PRINTABLE:", b"\r\nEND:VCARD\r\n"),
            (b"BEGIN:VCARD\r\nN:A;B\r\nNOTE:", b""),
            (b"First Name,Last Name\r\nAnna,", b"\r\n"),
            (b'Vorname;Nachname\r\n"', b""),
        ]
    ),
    fill=st.sampled_from([b"x", b"=", b" ", b",", b"\xc3\xa4", b"=\r\n"]),
    suffix=SUFFIXES,
)
def test_it_reads_or_refuses_giant_lines(
    size: int, around: tuple[bytes, bytes], fill: bytes, suffix: str
) -> None:
    outcome("giant" + suffix, around[0] + fill * (size // len(fill)) + around[1])


@settings(LARGE, max_examples=10)
@given(megabytes=st.integers(2, 40), name=st.sampled_from(["contacts.vcf", "Connections.csv", "a/b.csv"]))
def test_it_refuses_zip_bombs(megabytes: int, name: str) -> None:
    bomb = zipped((name, b"\0" * (megabytes * 1_000_000)))
    assert outcome("bomb.zip", bomb) == "zip_bomb"


@CHECKS
@given(suffix=st.sampled_from(ZIP_NESTED_SUFFIXES), folder=st.sampled_from(["", "inner/", "a/b/"]))
def test_it_refuses_nested_archives(suffix: str, folder: str) -> None:
    archive = zipped(("contacts.vcf", card("N:Muster;Max")), (f"{folder}more{suffix.upper()}", b"PK\x03\x04"))
    assert outcome("outer.zip", archive) == "zip_nested"


@settings(LARGE, max_examples=5)
@given(extra=st.integers(1, 50))
def test_it_refuses_too_many_entries(extra: int) -> None:
    entries = [(f"{n}.vcf", b"") for n in range(ZIP_MAX_ENTRIES + extra)]
    assert outcome("many.zip", zipped(*entries, compression=zipfile.ZIP_STORED)) == "zip_too_many_files"
