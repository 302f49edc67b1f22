"""Uploads stored in chunks and read back as a stream; the readers across chunk boundaries."""

from __future__ import annotations

import io
import random
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from imports import storage
from imports.models import Import, ImportFile, ImportFileChunk
from imports.sources import encodings
from imports.sources.records import Person
from tests.factories import UserFactory
from tests.imports.sources.helpers import card, people, read


@pytest.fixture
def upload(db: None) -> Import:
    return Import.objects.create(owner=UserFactory())


def test_a_stored_file_reads_back_byte_for_byte_from_its_chunks(upload: Import) -> None:
    content = random.Random(7).randbytes(2 * storage.CHUNK + 123)

    rows = storage.store(upload, "x.csv", io.BytesIO(content))

    upload_file = ImportFile.objects.get(upload=upload)
    assert (upload_file.size, rows) == (len(content), max(content.count(b"\n"), 1))
    assert ImportFileChunk.objects.filter(file=upload_file).count() == 3
    with storage.opened(upload_file) as stream:
        assert stream.read() == content


def test_the_progress_estimate_counts_a_card_split_between_two_chunks(upload: Import) -> None:
    one = card("N:Muster;Max").encode()
    # the fourth BEGIN:VCARD starts five bytes before the first chunk ends
    padding = b"NOTE:" + b"x" * (storage.CHUNK - 3 * len(one) - 5 - len(b"NOTE:") - 2) + b"\r\n"
    content = one * 3 + padding + one * 2

    assert content.find(b"BEGIN:VCARD", 3 * len(one)) == storage.CHUNK - 5
    assert storage.store(upload, "cards.vcf", io.BytesIO(content)) == 5


def test_cards_and_lines_that_cross_the_readers_chunks_are_read_whole() -> None:
    names = [f"Mü{i:05d}" for i in range(3_000)]  # some 150 KB: three chunks of the readers
    cards = "".join(card(f"N:{name};Anna", "NOTE:" + "ä" * (i % 37)) for i, name in enumerate(names))
    rows = "Vorname;Nachname;E-Mail\r\n" + "".join(
        f"Anna;{name};a{i}@x.example\r\n" for i, name in enumerate(names)
    )

    assert len(cards.encode()) > 2 * encodings.CHUNK
    assert [p.last_name for p in people("cards.vcf", cards)] == names
    found = read(
        "liste.csv",
        rows.encode("cp1252"),
        mappings={("Vorname", "Nachname", "E-Mail"): ["first_name", "last_name", "email"]},
    )
    assert [p.last_name for p in found if isinstance(p, Person)] == names


def test_a_line_longer_than_a_card_may_be_is_read_as_a_card_too_large() -> None:
    records = read(
        "photo.vcf", card("N:Muster;Max", "PHOTO;ENCODING=b:" + "A" * 300_000, "NOTE:" + "y" * 150_000)
    )

    assert [getattr(r, "code", "") for r in records] == ["card_too_large"]
    kept = people(
        "photo.vcf", card("N:Muster;Max", "PHOTO;ENCODING=b:" + "A" * 300_000) + card("N:Zwei;Bert")
    )
    assert [p.last_name for p in kept] == ["Muster", "Zwei"]


@pytest.fixture
def migrated_back_afterwards() -> Iterator[None]:
    """The database at the latest migrations again after the test, also when it fails."""
    try:
        yield
    finally:
        call_command("migrate", verbosity=0)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("migrated_back_afterwards")
def test_the_migration_moves_stored_files_into_chunks_and_back() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate([("imports", "0001_initial")])
    old = executor.loader.project_state([("imports", "0001_initial")]).apps
    upload = old.get_model("imports", "Import").objects.create(owner_id=UserFactory().pk)
    content = b"Vorname,Nachname\n" * 40_000  # 680 KB: two chunks
    old.get_model("imports", "ImportFile").objects.create(
        upload=upload, name="a.csv", content=content, size=1
    )

    executor = MigrationExecutor(connection)
    executor.migrate([("imports", "0002_file_chunks")])
    with storage.opened(ImportFile.objects.get(name="a.csv")) as stream:
        assert stream.read() == content
    assert ImportFileChunk.objects.count() == 2

    executor = MigrationExecutor(connection)
    executor.migrate([("imports", "0001_initial")])
    back = MigrationExecutor(connection).loader.project_state([("imports", "0001_initial")]).apps
    assert bytes(back.get_model("imports", "ImportFile").objects.get(name="a.csv").content) == content
