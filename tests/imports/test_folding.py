"""Folding an upload a chunk at a time: which earlier people a chunk reads from the index."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest

from imports import folding
from imports.models import Import, ImportRow, RowStatus
from tests.factories import ImportFactory, ImportRowFactory

ANNA_LINKEDIN = "https://www.linkedin.com/in/anna-weiss"
OTHER_LINKEDIN = "https://www.linkedin.com/in/anna-weiss-2"


def person(upload: Import, birthday: list[int | None] | None = None, **profiles: str) -> ImportRow:
    data: dict[str, Any] = {
        "first_name": "Anna",
        "last_name": "Weiß",
        "emails": [],
        "profiles": profiles,
        "birthday": birthday,
    }
    return ImportRowFactory(upload=upload, data=data)


@pytest.mark.django_db
def test_a_chunk_reads_no_namesake_whose_profile_says_it_is_someone_else(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    upload = ImportFactory(status=Import.Status.READING)
    # two Annas (their birthdays differ) in an earlier chunk
    with_profile = person(upload, [1, 1, None], linkedin=ANNA_LINKEDIN)
    without = person(upload, [2, 2, None])
    monkeypatch.setattr(folding, "CHUNK", 2)
    newcomer = person(upload, linkedin=OTHER_LINKEDIN)
    read: list[set[int]] = []
    fold = folding._Chunk.fold

    def spy(chunk: folding._Chunk) -> None:
        chunk._read_index()
        read.append(set(chunk.people))
        chunk.people, chunk.by_key, chunk.by_name = {}, {}, defaultdict(list)
        fold(chunk)

    monkeypatch.setattr(folding._Chunk, "fold", spy)
    folding.fold_upload(upload)

    assert read == [set(), {without.pk}]  # the namesake with another profile is not read
    newcomer.refresh_from_db()
    assert (newcomer.status, newcomer.folded_into_id) == (RowStatus.DUPLICATE, without.pk)
    assert ImportRow.objects.get(pk=with_profile.pk).status == RowStatus.NEW
