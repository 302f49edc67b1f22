from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from django.utils import translation

from imports import sources
from imports.sources import reasons, zips
from imports.sources.limits import MAX_UPLOAD_BYTES
from imports.sources.records import NeedsMapping, Person, Unreadable
from tests.imports.sources.helpers import SHARED, card, errors, people, read, zipped

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def refused(name: str, content: bytes | str) -> Unreadable:
    with pytest.raises(Unreadable) as caught:
        read(name, content)
    assert caught.value.reason == reasons.english(reasons.Reason(caught.value.code))
    return caught.value


def shared_files() -> list[Path]:
    if not SHARED.is_dir():
        pytest.fail(f"the shared contact files are missing: {SHARED}")
    return sorted(path for path in SHARED.rglob("*") if path.is_file() and path.suffix not in (".md", ".tsv"))


def test_it_imports_or_refuses_with_a_reason_every_shared_contact_file() -> None:
    found = shared_files()
    assert len(found) >= 49
    outcomes: dict[str, str] = {}
    for path in found:
        try:
            records = read(path.name, path.read_bytes())
        except Unreadable as refusal:
            outcomes[path.name] = refusal.code
            continue
        if records and isinstance(records[0], NeedsMapping):
            [asked] = records
            assert isinstance(asked, NeedsMapping)
            records = read(path.name, path.read_bytes(), mappings={asked.headers: asked.suggested})
        named = [r for r in records if isinstance(r, Person) and r.has_a_name]
        assert named, path
        outcomes[path.name] = "read"
    assert set(outcomes.values()) <= {"read", *reasons.Reason}
    refusals = {name: code for name, code in outcomes.items() if code != "read"}
    assert refusals == {
        "thunderbird__tab_comma_mixed.csv": "no_header",
        "sabre__bday_apple_omit_year_1604.expected.ics": "unknown_kind",
        "sabre__bday_invalid_text.expected.ics": "unknown_kind",
        "sabre__bday_v4_no_year_extended.expected.ics": "unknown_kind",
    }


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("contacts.csv", b"", "empty"),
        ("contacts.vcf", b" \r\n\t", "empty"),
        ("contacts.pdf", b"%PDF-1.4", "unknown_kind"),
        ("contacts", b"First Name,Last Name\nA,B\n", "unknown_kind"),
        ("contacts.csv", PNG, "not_text"),
        ("contacts.vcf", os.urandom(4096), "not_text"),
        ("contacts.csv", zipped(("a.csv", "x")), "not_text"),
        ("contacts.zip", b"First Name,Last Name\n", "not_a_zip"),
        ("contacts.zip", b"PK\x03\x04" + os.urandom(200), "not_a_zip"),
        ("contacts.vcf", b"First Name,Last Name\nA,B\n", "no_cards"),
    ],
)
def test_it_refuses_what_it_cannot_read(name: str, content: bytes, code: str) -> None:
    assert refused(name, content).code == code


def test_it_refuses_a_file_over_the_upload_limit() -> None:
    refusal = refused("big.csv", b"a" * (MAX_UPLOAD_BYTES + 1))
    assert (refusal.code, refusal.reason) == ("too_large", "The file is larger than 20 MB.")


def test_it_refuses_an_upload_of_more_rows_than_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "MAX_ROWS", 3)
    content = "".join(card(f"N:Muster;Max{n}") for n in range(3))
    assert len(people("three.vcf", content)) == 3
    refusal = refused("four.vcf", content + card("N:Muster;Vier"))
    assert (refusal.code, refusal.line) == ("too_many_rows", 13)
    archive = zipped(*((f"{n}.vcf", card(f"N:Muster;Max{n}")) for n in range(4)))
    assert refused("cards.zip", archive).code == "too_many_rows"  # counted over the whole upload


def test_it_reads_a_vcard_named_txt_or_csv() -> None:
    assert people("export.txt", card("N:Muster;Max"))[0].first_name == "Max"
    assert people("export.csv", "\r\n" + card("N:Muster;Max"))[0].first_name == "Max"


def test_it_reads_a_zip_of_xing_cards_one_per_file() -> None:
    archive = zipped(
        (
            "xing/Max_Mustermann.vcf",
            card("N:Mustermann;Max", "URL;TYPE=XING:https://www.xing.com/profile/Max_Mustermann"),
        ),
        ("xing/Anna_Eins.vcf", card("N:Eins;Anna", "X-XING-PROFILE-ID:4711").encode("utf-16")),
        ("xing/empty.vcf", b""),
        ("__MACOSX/xing/._Anna_Eins.vcf", b"\x00\x05\x16\x07\x00"),
        ("xing/readme.pdf", b"%PDF-1.4"),
        ("xing/", b""),
    )
    records = read("xing-kontakte.zip", archive)
    found = [r for r in records if isinstance(r, Person)]
    assert [(p.first_name, p.how_met) for p in found] == [("Max", "xing"), ("Anna", "xing")]
    assert found[0].file == "xing-kontakte.zip/xing/Max_Mustermann.vcf"
    assert [(e.file, e.code) for e in errors(records)] == [("xing-kontakte.zip/xing/empty.vcf", "empty")]


def test_it_reads_csv_and_vcard_files_of_a_zip() -> None:
    archive = zipped(
        ("outlook.csv", "First Name,Last Name,E-mail Address,Job Title\nAnna,Eins,anna@example.com,CEO\n"),
        ("phone.vcf", card("N:Zwei;Bert")),
    )
    assert [p.first_name for p in people("export.zip", archive)] == ["Anna", "Bert"]


def test_it_refuses_a_zip_without_contacts() -> None:
    assert refused("photos.zip", zipped(("a.jpg", b"\xff\xd8\xff"), ("notes.md", "x"))).code == "zip_nothing"


def test_it_refuses_a_zip_bomb_from_its_directory() -> None:
    archive = zipped(("contacts.vcf", b"\0" * 5_000_000))
    assert len(archive) < 10_000
    assert refused("bomb.zip", archive).code == "zip_bomb"


@pytest.mark.parametrize("suffix", [".zip", ".gz", ".7z", ".rar", ".tar"])
def test_it_refuses_an_archive_in_the_archive(suffix: str) -> None:
    archive = zipped(("contacts.vcf", card("N:Muster;Max")), (f"more{suffix}", b"x"))
    assert refused("outer.zip", archive).code == "zip_nested"


def test_it_refuses_too_many_entries() -> None:
    archive = zipped(*((f"{n}.vcf", "") for n in range(2_001)), compression=zipfile.ZIP_STORED)
    assert refused("many.zip", archive).code == "zip_too_many_files"


def test_it_refuses_too_much_unpacked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(zips, "ZIP_MAX_TOTAL_BYTES", 1_000)
    archive = zipped(("a.vcf", card("N:A;B") * 20), ("b.vcf", card("N:A;B") * 20))
    assert refused("large.zip", archive).code == "zip_too_large"


def test_it_refuses_an_entry_whose_header_understates_its_size() -> None:
    content = card("N:Muster;Max") * 1_000
    archive = bytearray(zipped(("contacts.vcf", content)))
    # both the local header and the central directory claim 100 bytes
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = archive.index(signature) + offset
        struct.pack_into("<I", archive, at, 100)
    refusal = refused("liar.zip", bytes(archive))
    assert refusal.code in ("not_a_zip", "zip_too_large")


def test_it_refuses_a_zip_with_a_password() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("contacts.vcf")
        archive.writestr(info, card("N:Muster;Max"))
    data = bytearray(buffer.getvalue())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.index(signature) + offset
        struct.pack_into("<H", data, at, struct.unpack_from("<H", data, at)[0] | 0x1)
    assert refused("secret.zip", bytes(data)).code == "zip_encrypted"


def test_it_refuses_a_zip_whose_compressed_data_is_corrupt() -> None:
    archive = bytearray(zipped(("a.vcf", card("N:Eins;Anna") * 50), ("b.vcf", card("N:Zwei;Bert"))))
    at = archive.index(b"PK\x03\x04") + 30 + len("a.vcf")
    archive[at : at + 20] = zlib.compress(b"garbage")[:20]
    assert refused("broken.zip", bytes(archive)).code == "not_a_zip"


def test_it_gives_every_reason_an_english_text_and_a_translation_hook() -> None:
    for reason in reasons.Reason:
        assert reasons.english(reason).endswith(".")
        assert "%(" not in reasons.english(reason)
    assert reasons.describe("no such code", "as written") == "as written"
    with translation.override("en"):
        assert reasons.describe("too_many_rows", "") == "The upload holds more than 50000 contacts."


def test_it_names_an_entry_by_its_archive_within_255_characters() -> None:
    entry = "a/" * 150 + "Max.vcf"
    [person] = people("k" * 200 + ".zip", zipped((entry, card("N:Muster;Max"))))
    assert len(person.file) == 255
    assert person.file.startswith("…")
    assert person.file.endswith("/a/Max.vcf")
