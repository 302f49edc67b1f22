"""One folding for names, however their umlauts and accents were typed."""

from __future__ import annotations

import pytest

from contacts.folding import fold, fold_loose


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Schröder", "schroeder"),
        ("SCHRÖDER", "schroeder"),
        ("Weiß", "weiss"),
        ("Straße", "strasse"),
        ("Müller-Lüdenscheidt", "mueller luedenscheidt"),
        ("Ärzte", "aerzte"),
        ("José", "jose"),
        ("Zoë", "zoe"),
        ("Søren Ørsted", "soren orsted"),
        ("Yılmaz", "yilmaz"),
        ("Łukasz", "lukasz"),
        ("  Anna   Maria ", "anna maria"),
        ("O'Brien", "o brien"),
        ("", ""),
    ],
)
def test_it_folds_names(text: str, folded: str) -> None:
    assert fold(text) == folded


@pytest.mark.parametrize("typed", ["Schröder", "Schroeder", "schroder", "SCHRODER"])
def test_loose_folding_finds_an_umlaut_however_it_was_typed(typed: str) -> None:
    assert fold_loose(typed) == "schroder"
