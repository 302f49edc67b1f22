"""One German, one product: the catalogue speaks to the user, not to the method's rule book."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "locale/de/LC_MESSAGES/django.po"

# The method's rules are numbered R1–R12 in PRODUCT.md and in the code's comments; a user has
# never read that list, so "(R9)" or "R6:" in a text they see means nothing to them.
RULE_CODE = re.compile(r"\bR\d{1,2}\b")


def entries(path: Path = CATALOGUE) -> list[tuple[str, str]]:
    """(msgid, msgstr) of every live entry of a catalogue, wrapped lines and plural forms joined."""
    pairs = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#")]
        parts: dict[str, list[str]] = {"msgid": [], "msgstr": []}
        current = None
        for line in lines:
            keyword, _, rest = line.partition(" ")
            if keyword.startswith(("msgid", "msgstr")):
                current = "msgid" if keyword.startswith("msgid") else "msgstr"
                line = rest
            if current and line.startswith('"'):
                parts[current].append(line[1:-1].replace('\\"', '"'))
        if "".join(parts["msgid"]):
            pairs.append(("".join(parts["msgid"]), "".join(parts["msgstr"])))
    return pairs


@pytest.fixture(scope="module")
def catalogue() -> list[tuple[str, str]]:
    pairs = entries()
    assert len(pairs) > 500  # the parser read the whole catalogue
    return pairs


def test_no_text_names_a_rule_by_its_code(catalogue: list[tuple[str, str]]) -> None:
    assert [pair for pair in catalogue if RULE_CODE.search(" ".join(pair))] == []


def test_a_rule_code_would_be_caught() -> None:
    assert RULE_CODE.search("Entscheider oder Gatekeeper (R9).")
    assert RULE_CODE.search("R6: about seven touches")
    assert not RULE_CODE.search("RSVP, PR-Agentur, R&D")


def misquoted(text: str) -> bool:
    """German quotes open low and close high („so“); a straight or English quote outside an HTML
    tag's attributes, or an unbalanced pair, is a slip."""
    words = re.sub(r"<[^>]*>", "", text)
    return (
        any(mark in words for mark in ('"', "”", "«", "»"))
        or words.count("„") != words.count("“")
        or re.search(r"(^|\s)'[^']+'", words) is not None
    )


def test_german_text_quotes_the_german_way(catalogue: list[tuple[str, str]]) -> None:
    assert [msgstr for _msgid, msgstr in catalogue if misquoted(msgstr)] == []


def test_a_misquote_would_be_caught() -> None:
    assert misquoted('Wähle "Kunde".')
    assert misquoted("Wähle “Kunde”.")
    assert misquoted("Wähle 'Kunde'.")
    assert not misquoted('Wähle <a href="/x">„Kunde“</a> oder „Gerade nicht“.')


@pytest.mark.parametrize(
    ("msgid", "german"),
    [
        ("You must type the same password each time.", "Du musst zweimal dasselbe Passwort eingeben."),
        ("Recovery codes", "Wiederherstellungscodes"),
        ("Recovery Codes", "Wiederherstellungscodes"),
        ("How you met", "Wie wir uns kennen"),  # the field says so on the contact's page
    ],
)
def test_allauths_and_our_own_german_spell_one_way(msgid: str, german: str) -> None:
    from django.utils import translation

    with translation.override("de"):
        assert translation.gettext(msgid) == german
