"""One word per thing: docs/glossary.md names the rejected German synonyms, and no German text of the
catalogue may use one of them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.test_wording import entries

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "docs/glossary.md"
NONE = {"", "—", "-"}


def rejected_terms(path: Path = GLOSSARY) -> dict[str, str]:
    """Each rejected German word of the glossary's table, mapped to the concept it competes with."""
    terms: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(cells) < 4 or set(cells[0]) <= {"-"} or cells[0] == "Concept":
            continue
        for term in cells[3].split(","):
            if term.strip() not in NONE:
                terms[term.strip()] = cells[0]
    return terms


def pattern(term: str) -> re.Pattern[str]:
    """A whole-word, case-insensitive pattern; `*` stands for any word ending."""
    parts = [re.escape(word).replace(r"\*", r"\w*") for word in term.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(parts) + r"(?!\w)", re.IGNORECASE)


def offences(pairs: list[tuple[str, str]], terms: dict[str, str]) -> list[str]:
    found = []
    for term, concept in terms.items():
        regex = pattern(term)
        found += [f"{msgid!r}: „{term}“ for {concept}" for msgid, msgstr in pairs if regex.search(msgstr)]
    return found


@pytest.fixture(scope="module")
def terms() -> dict[str, str]:
    table = rejected_terms()
    assert len(table) > 40  # the parser read the whole table
    return table


def test_the_catalogue_uses_no_rejected_synonym(terms: dict[str, str]) -> None:
    assert offences(entries(), terms) == []


def test_a_rejected_synonym_would_be_caught(terms: dict[str, str]) -> None:
    pairs = [
        ("Log a touch", "Berührungspunkt festhalten"),
        ("Roster review", "Überprüfung der engen Kontakte"),
        ("Promises", "Versprechen"),
        ("Demote", "Stufe sie herab"),
    ]
    assert len(offences(pairs, terms)) == 4
    assert offences([("Event encounter", "Eventuell eine Veranstaltung")], terms) == []
    assert offences([("Loose", "Lose")], terms) == []
