"""Cleaning shared by the readers: names, e-mail addresses, labels, lists without repeats."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

# Leading and trailing words of a full name that are no part of the first or the last name.
PREFIXES = frozenset(
    {"dr.", "dr", "prof.", "prof", "mr.", "mrs.", "ms.", "herr", "frau", "dipl.-ing.", "med.", "rer.", "nat.",
     "jur.", "phil.", "dent.", "vet.", "h.c.", "mag.", "ing.", "dipl.-kfm."}
)  # fmt: skip
SUFFIXES = frozenset({"jr.", "jr", "sr.", "sr", "ii", "iii", "mba", "phd", "ph.d."})
# Words that start a last name: "Ursula von der Leyen", "Vincent van Gogh".
PARTICLES = frozenset(
    {"von", "van", "vom", "zu", "zum", "zur", "de", "der", "den", "di", "da", "del", "le", "la"}
)
ADDRESS_GAPS = re.compile(r"[\s,;]+")
ADDRESS_LIST = re.compile(r"[,;\n]+")  # between the addresses of one value
ADDRESS_WRAPPING = "<>\"'()[].:"
# Groups every contact of an address book is in: no label of the user's.
SYSTEM_LABELS = frozenset({"mycontacts", "my contacts", "starred", "starred in android", "contacts"})


def split_full_name(text: str) -> tuple[str, str]:
    """(first, last) of "Nachname, Vorname" or "Vorname Nachname"; an e-mail is no name."""
    text = " ".join(text.split())
    if not text or "@" in text:
        return "", ""
    if text.count(",") == 1:
        last, first = (part.strip() for part in text.split(","))
        return without_titles(first), last
    words = without_titles(text).split(" ")
    while len(words) > 1 and words[-1].lower() in SUFFIXES:
        words.pop()
    if len(words) == 1:
        return words[0], ""
    start = next((i for i in range(1, len(words) - 1) if words[i].lower() in PARTICLES), len(words) - 1)
    return " ".join(words[:start]), " ".join(words[start:])


def without_titles(name: str) -> str:
    """A name without the titles before it ("Dr. med. Eva" is "Eva"); titles alone stay whole."""
    words = " ".join(name.split()).split(" ")
    first = next((i for i, word in enumerate(words) if word.lower() not in PREFIXES), None)
    return " ".join(words) if first is None else " ".join(words[first:])


def name_from_email(address: str) -> tuple[str, str]:
    """(first, last) from an address when a card has nothing else: "max.mustermann@…" is Max
    Mustermann; "info@firma.de" is named by the whole address. Phones keep such addresses from
    mails; losing them would lose the person."""
    local = address.split("@", 1)[0]
    words = [word for word in re.split(r"[._-]+", local) if word]
    if len(words) >= 2 and all(word.isalpha() for word in words):
        return words[0].capitalize(), " ".join(word.capitalize() for word in words[1:])
    return "", address


def name_or_else(first: str, last: str, *, emails: list[str], company: str) -> tuple[str, str]:
    """The name a record gives; without one, its first address's, or else its company's (a card
    or a row of a company alone: losing it would lose its phone)."""
    if first or last:
        return first, last
    if emails:
        return name_from_email(emails[0])
    return "", " ".join(company.split())


def address(
    *,
    street: Iterable[str] = (),
    box: str = "",
    code: str = "",
    city: str = "",
    region: str = "",
    country: str = "",
) -> str:
    """A postal address on one line, as written in Germany and Austria: street, post office box,
    postal code and city, region, country; a line break in a part becomes a comma too."""
    place = " ".join(part for part in (code.strip(), city.strip()) if part)
    parts = (line for part in (*street, box, place, region, country) for line in part.splitlines())
    return ", ".join(unique(" ".join(line.split()).strip(", ") for line in parts))


def unique(values: Iterable[str]) -> list[str]:
    """Non-empty values, first occurrence kept, in order."""
    return list(dict.fromkeys(value for value in values if value))


def emails(values: Iterable[str]) -> list[str]:
    """Lower-cased, deduplicated. A value may hold several (`a@x.de, b@y.de`, `a@x.de; b@y.de`)
    or a name (`Max <max@x.de>`): its parts between spaces, commas and semicolons are read,
    without the brackets, quotes and stops around them; a part without an @ is no address. An
    address with a space in it (`business 3@golker.de`) is none: `unreadable_emails`."""
    found = []
    for segment in _segments(values):
        if _spaced(segment):
            continue
        for part in ADDRESS_GAPS.split(segment.lower()):
            address = part.strip(ADDRESS_WRAPPING).removeprefix("mailto:").strip(ADDRESS_WRAPPING)
            if "@" in address.strip("@"):
                found.append(address)
    return unique(found)


def unreadable_emails(values: Iterable[str]) -> list[str]:
    """The addresses `emails` cannot read, as written: kept as text, never made into another
    address (`business 3@golker.de` is not `3@golker.de`)."""
    return unique(" ".join(segment.split()) for segment in _segments(values) if _spaced(segment))


def _segments(values: Iterable[str]) -> Iterator[str]:
    for value in values:
        yield from ADDRESS_LIST.split(value)


def _spaced(segment: str) -> bool:
    """An address with a space in it: words beside one @-word, no name in brackets
    (`Max <max@x.de>`), no list of addresses (`a@x.de b@y.de`)."""
    words = segment.split()
    with_at = [word for word in words if "@" in word]
    return "<" not in segment and len(with_at) == 1 and len(words) > 1


def labels(values: Iterable[str]) -> list[str]:
    """Labels as the user named them: Google's `* starred` and the like are dropped."""
    cleaned = (value.strip() for value in values)
    return unique(
        value for value in cleaned if not value.startswith("* ") and value.casefold() not in SYSTEM_LABELS
    )
