"""vCard 2.1, 3.0 and 4.0: a pre-pass makes each card something vobject parses, vobject parses it.

vobject alone fails on most real exports (shared/data/contacts/CLIENT_RESULTS.tsv): 2.1
quoted-printable values with soft line breaks, charsets other than UTF-8, stray lines, photos
whose base64 is broken. The pre-pass, on bytes:

- UTF-16 (BOM or NUL pattern) becomes UTF-8 first; a UTF-8 BOM is dropped;
- lines are unfolded, and quoted-printable soft breaks (`=` at the end) joined, before any
  decoding: a break may fall between the bytes of one UTF-8 character;
- only the properties read here are kept (no PHOTO, LOGO, SOUND, KEY: we never store them, and
  base64 is where files break); a line that is no property (a comment, base64 without its
  indent) is skipped;
- each value is decoded: quoted-printable to bytes, then its CHARSET (or UTF-8, else cp1252),
  and ENCODING/CHARSET removed;
- the file is split into cards here, and vobject is given one card at a time: a card it cannot
  read, or one the file's end cuts off, is a RowError with its line and the others are read;
  a card without its END before the next card's BEGIN is read (2.1 ones too). A card nested in a 2.1 card (an AGENT: someone's
  assistant) is left out, its parent read.
"""

from __future__ import annotations

import base64
import binascii
import quopri
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import vobject

from imports.sources import dates, encodings, values
from imports.sources.limits import VCARD_MAX_CARD_BYTES, VCARD_MAX_VALUE_CHARS
from imports.sources.reasons import Reason, refuse, row_error
from imports.sources.records import Birthday, Person, RowError
from imports.sources.urls import normalise_profile_url, profile_from_handle

KEEP = frozenset(
    {"VERSION", "N", "FN", "ORG", "TITLE", "ROLE", "EMAIL", "TEL", "BDAY", "URL", "NOTE", "CATEGORIES",
     "PRODID", "X-SOCIALPROFILE", "SOCIALPROFILE", "X-ABSHOWAS", "ADR", "LABEL", "NICKNAME"}
)  # fmt: skip
# An address's TYPE: the kind of detail it is kept as (records.DETAIL_KINDS).
ADDRESS_TYPES = {"HOME": "address_home", "WORK": "address_work"}
SITE_PROPERTIES = {
    "X-LINKEDIN": "linkedin",
    "X-XING": "xing",
    "X-FACEBOOK": "facebook",
    "X-TWITTER": "x",
    "X-INSTAGRAM": "instagram",
}
SITE_TYPES = {
    "linkedin": "linkedin",
    "xing": "xing",
    "facebook": "facebook",
    "twitter": "x",
    "x": "x",
    "instagram": "instagram",
}
# vobject splits every value at unescaped commas and keeps the first part ("NOTE:a, b" is "a");
# exporters seldom escape them (2.1 has no such escape), so all but these lists get them escaped.
LISTS = frozenset({b"N", b"CATEGORIES"})
UNESCAPED_COMMA = re.compile(r"(?<!\\)((?:\\\\)*),")
PROPERTY = re.compile(rb"^(?:[A-Za-z0-9-]+\.)?([A-Za-z0-9-]+)[;:]")
PARAMETER = re.compile(rb'(?:[^;"]|"[^"]*")+')
PARAMETER_NAME = re.compile(rb"[A-Z0-9_-]+")  # vobject's, upper case
PARAMETER_VALUE = re.compile(rb'(?:"[^"]*"|[^";:,]*)(?:,(?:"[^"]*"|[^";:,]*))*')  # vobject's
NESTED_CARDS = 3  # at most in one 2.1 card (an assistant's, AGENT); more: the card lacks its END
# (line number, property name in upper case, the unfolded line)
Line = tuple[int, str, bytes]


def read_vcards(file: str, data: IO[bytes]) -> Iterator[Person | RowError]:
    """Every card of `data`, one at a time; Unreadable(NO_CARDS) when there is none."""
    found = False
    for card in _cards(_logical(_physical(data))):
        found = True
        yield _read_card(file, card)
    if not found:
        raise refuse(file, Reason.NO_CARDS)


@dataclass
class _Card:
    """A card's kept lines; past VCARD_MAX_CARD_BYTES only their size is counted."""

    start: int
    lines: list[bytes] = field(default_factory=list)
    size: int = 0
    depth: int = 0
    closed: bool = False

    def add(self, line: bytes) -> None:
        self.size += len(line)
        if self.size <= VCARD_MAX_CARD_BYTES:
            self.lines.append(line)

    @property
    def nests(self) -> bool:
        """2.1 allows a card in a card (AGENT); in 3.0 and 4.0 a BEGIN means an END is missing."""
        return any(line.replace(b" ", b"").upper() == b"VERSION:2.1" for line in self.lines)


def _physical(data: IO[bytes]) -> Iterator[tuple[int, bytes]]:
    """The file's lines as UTF-8 bytes, numbered, read a chunk at a time."""
    # a bare CR inside a line is a value's own line break (Thunderbird), not the end of a line
    separator = b"\n" if any(b"\n" in chunk for chunk in encodings.utf8_chunks(data)) else b"\r"
    number, line = 0, _PhysicalLine()
    for chunk in encodings.utf8_chunks(data):
        *ended, rest = chunk.split(separator)
        for piece in ended:
            line.add(piece)
            number += 1
            yield number, line.take()
        line.add(rest)
    if line.length:
        yield number + 1, line.take()


class _PhysicalLine:
    """A physical line read across chunks. One longer than a card may be keeps its start and
    its end (its card is refused as too large, or it is a property not kept, a photo), so
    memory holds a chunk and a card, not a file of one line."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.length = 0
        self.end = b""

    def add(self, piece: bytes) -> None:
        room = VCARD_MAX_CARD_BYTES + 1 - self.length
        if room > 0:
            self.parts.append(piece[:room])
        self.end = (self.end + piece)[-2:]
        self.length += len(piece)

    def take(self) -> bytes:
        line = b"".join(self.parts)
        if self.length > VCARD_MAX_CARD_BYTES + 1:
            line += self.end  # what follows the line's start: a soft break, a CR
        self.parts, self.length, self.end = [], 0, b""
        return line.rstrip(b"\r")


def _logical(physical: Iterator[tuple[int, bytes]]) -> Iterator[Line]:
    """Unfolded lines of the properties kept, with the number of their first physical line;
    a line is not joined past VCARD_MAX_CARD_BYTES (its card is then refused as too large)."""
    number, name, parts, size = 0, "", list[bytes](), 0
    quoted_printable = soft_break = version_21 = False
    for n, line in physical:
        if quoted_printable and soft_break and not _is_edge(line):
            if parts and size <= VCARD_MAX_CARD_BYTES:
                parts[-1] = parts[-1][:-1]
                parts.append(line)
                size += len(line)
        elif line[:1] in (b" ", b"\t") and number:
            if parts and size <= VCARD_MAX_CARD_BYTES:
                # 2.1 unfolds by removing the line break alone, 3.0 and 4.0 the space after it too
                parts.append(line if version_21 else line[1:])
                size += len(line)
        else:
            if parts:
                yield number, name, b"".join(parts)
            number, name, size = n, _name(line), len(line)
            parts = [line] if _kept(name, line) else []
            quoted_printable = b"QUOTED-PRINTABLE" in line.split(b":", 1)[0].upper()
            if name in ("BEGIN", "VERSION"):
                version_21 = line.replace(b" ", b"").upper() == b"VERSION:2.1"
        # skipped properties are followed through their soft breaks too: `=0D=0ATEL:` is no TEL
        soft_break = line.endswith(b"=")
    if parts:
        yield number, name, b"".join(parts)


def _name(line: bytes) -> str:
    found = PROPERTY.match(line)
    return found[1].decode("ascii").upper() if found else ""


def _kept(name: str, line: bytes) -> bool:
    if name in ("BEGIN", "END"):
        return _is_edge(line)
    return name in KEEP or name in SITE_PROPERTIES or name.startswith("X-XING")


def _is_edge(line: bytes) -> bool:
    return line.strip().upper() in (b"BEGIN:VCARD", b"END:VCARD")


def _cards(lines: Iterator[Line]) -> Iterator[_Card]:
    """Each card from its BEGIN to its END, or to the next card's BEGIN (its END is missing, the
    rest is there); one the file's end cuts off is yielded unclosed.

    A BEGIN inside a 2.1 card may start a nested card (an AGENT) or the next card of a file
    where this one lacks its END. The cards inside are held until that is known: the outer card
    going on (a property, its END) makes them nested, and they are left out; more of them than
    NESTED_CARDS, or the file ending first, makes them cards of their own after the outer one.
    """
    card: _Card | None = None
    held: list[_Card] = []
    for number, name, line in lines:
        if card is None:
            if name == "BEGIN":
                card = _Card(start=number, depth=1)
            continue
        if name == "BEGIN":
            lacking = card.depth == 1 and (not card.nests or len(held) == NESTED_CARDS)
            # a BEGIN in a card inside: that one lacks its END too (an exporter leaving out every END)
            lacking = lacking or (card.depth == 2 and bool(held) and not held[-1].closed)
            if lacking:
                for found in (card, *held):
                    found.closed = True  # all of it is there but its END: read
                yield card
                yield from held
                card, held = _Card(start=number, depth=1), []
                continue
            card.depth += 1
            if card.depth == 2:
                held.append(_Card(start=number, depth=1))
        elif name == "END":
            card.depth -= 1
            if card.depth == 0:
                card.closed, held = True, []
                yield card
                card = None
            elif card.depth == 1:
                held[-1].closed = True
        elif card.depth == 1:
            held = []  # the card goes on: those were nested in it
            card.add(line)
        elif card.depth == 2:
            held[-1].add(line)
    if card is not None:
        # the file ends in it: cut off, unless cards came after its lines (then only its END is missing)
        card.closed = bool(held)
        yield card
        yield from held


def _read_card(file: str, card: _Card) -> Person | RowError:
    if not card.closed:
        return row_error(file, card.start, Reason.CARD_UNCLOSED)
    if card.size > VCARD_MAX_CARD_BYTES:
        return row_error(file, card.start, Reason.CARD_TOO_LARGE)
    text = "BEGIN:VCARD\r\n" + "".join(_content_line(line) + "\r\n" for line in card.lines) + "END:VCARD\r\n"
    try:
        component = vobject.readOne(text, validate=False)
        return _person(file, card.start, component.contents)
    except Exception:  # vobject raises many kinds (ParseError, ValueError, …), some when a value is read
        return row_error(file, card.start, Reason.CARD_UNREADABLE)


def _content_line(line: bytes) -> str:
    """One property as vobject reads it: value decoded, ENCODING and CHARSET removed."""
    head, value = _split_head(line)
    parameters = PARAMETER.findall(head)
    kept, encoding, charset = parameters[:1], b"", b""
    for parameter in parameters[1:]:
        key, equals, given = parameter.partition(b"=")
        key = key.strip().upper()
        if key == b"ENCODING":
            encoding = given.strip().upper()
        elif key == b"CHARSET":
            charset = given.strip().strip(b'"')
        elif not equals and key in (b"QUOTED-PRINTABLE", b"BASE64", b"B"):
            encoding = key
        elif PARAMETER_NAME.fullmatch(key) and PARAMETER_VALUE.fullmatch(given.strip()):  # `TEL; CELL` too
            kept.append(key + equals + given.strip())
        # else a label vobject cannot read, dropped with the card kept: Android's
        # `X-CUSTOM(CHARSET=UTF-8,ENCODING=QUOTED-PRINTABLE,Gesch=C3=A4ftlich)`, `X-Büro`
    # cut before vobject sees it; no half escape left at the end
    text = _value(value, encoding, charset)[:VCARD_MAX_VALUE_CHARS].rstrip("\\")
    if parameters[0].rpartition(b".")[2].upper() not in LISTS:
        text = UNESCAPED_COMMA.sub(r"\1\\,", text)
    return encodings.decode_unmarked(b";".join(kept)) + ":" + text


def _split_head(line: bytes) -> tuple[bytes, bytes]:
    """At the first colon outside a quoted parameter value."""
    head, _colon, value = line.partition(b":")
    if b'"' not in head:
        return head, value
    quoted = False
    for i, byte in enumerate(line):
        if byte == 0x22:
            quoted = not quoted
        elif byte == 0x3A and not quoted:
            return line[:i], line[i + 1 :]
    return line, b""


def _value(value: bytes, encoding: bytes, charset: bytes) -> str:
    if encoding == b"QUOTED-PRINTABLE":
        value = quopri.decodestring(value)
    elif encoding in (b"B", b"BASE64"):
        try:
            value = base64.b64decode(value)
        except (binascii.Error, ValueError):
            value = b""
    if charset:
        text = encodings.decode_declared(value, charset.decode("ascii", errors="replace"))
    else:
        text = encodings.decode_unmarked(value)
    return text.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def _person(file: str, start: int, contents: dict[str, list[Any]]) -> Person | RowError:
    first, last = _names(contents)
    company = _first(contents, "org")
    emails = values.emails(_text(line.value) for line in _preferred_first(contents.get("email", [])))
    first, last = values.name_or_else(first, last, emails=emails, company=company)
    if not (first or last):
        return row_error(file, start, Reason.NO_NAME)
    profiles = _profiles(contents)
    return Person(
        file=file,
        line=start,
        first_name=first,
        last_name=last,
        company=company,
        position=_first(contents, "title") or _first(contents, "role"),
        emails=emails,
        phones=values.unique(
            _text(line.value).strip().removeprefix("tel:")
            for line in _preferred_first(contents.get("tel", []))
        ),
        birthday=_birthday(contents),
        profiles=profiles,
        notes="\n".join(values.unique(_text(line.value).strip() for line in contents.get("note", []))),
        labels=values.labels(_labels(contents)),
        details=_details(contents),
        how_met="xing" if "xing" in profiles or _from_xing(contents) else "",
    )


def _details(contents: dict[str, list[Any]]) -> list[tuple[str, str]]:
    """What a contact has no field for: nicknames, the department (ORG's second part), addresses."""
    found = [("middle_name", _middle_names(line.value)) for line in contents.get("n", [])[:1]]
    found += [("nickname", _listed(line.value)) for line in contents.get("nickname", [])]
    for line in contents.get("org", [])[:1]:
        if isinstance(line.value, list | tuple):
            found.append(("department", " ".join(_text(list(line.value[1:])).split())))
    addresses = [(_address_kind(line), _address(line)) for line in _preferred_first(contents.get("adr", []))]
    # 2.1 and 3.0 may give an address as its printed label alone (LABEL): kept as written, for
    # each kind no ADR gave (where an ADR did, its label is the same address once more)
    given = {kind for kind, address in addresses if address}
    for line in _preferred_first(contents.get("label", [])):
        if (kind := _address_kind(line)) not in given:
            addresses.append((kind, values.address(street=[_text(line.value).replace("\\n", "\n")])))
    found += addresses
    found += [
        ("unread_email", text)
        for text in values.unreadable_emails(_text(line.value) for line in contents.get("email", []))
    ]
    return list(dict.fromkeys((kind, value) for kind, value in found if value))


def _address_kind(line: Any) -> str:
    named = [*line.params.get("TYPE", []), *line.singletonparams]  # 2.1: `ADR;HOME:`
    types = {kind.upper() for value in named for kind in value.split(",")}
    return next((ADDRESS_TYPES[kind] for kind in sorted(types) if kind in ADDRESS_TYPES), "address")


def _address(line: Any) -> str:
    """ADR: post office box, extended address, street, locality, region, postal code, country;
    with every part empty, 4.0's LABEL parameter (the address as printed) if it has one."""
    value = line.value
    if isinstance(value, str):  # vobject could not split it
        return values.address(street=[value.replace(";", " ")])
    label = line.params.get("LABEL", [""])[0].replace("\\n", "\n").replace("^n", "\n")
    part = {name: _text(getattr(value, name, "")) for name in ("box", "extended", "street", "code", "city")}
    return values.address(
        street=[part["street"], part["extended"]],
        box=part["box"],
        code=part["code"],
        city=part["city"],
        region=_text(getattr(value, "region", "")),
        country=_text(getattr(value, "country", "")),
    ) or values.address(street=[label])


def _preferred_first(lines: list[Any]) -> list[Any]:
    """The lines marked preferred (2.1 and 3.0: TYPE=PREF; 4.0: PREF=1) first: the contact page
    calls and writes to the first number and address."""
    return sorted(lines, key=lambda line: not _preferred(line))


def _preferred(line: Any) -> bool:
    """TYPE=PREF (3.0), a bare PREF (2.1: vobject's singleton parameters) or PREF=1 (4.0)."""
    types = [kind for value in line.params.get("TYPE", []) for kind in value.split(",")]
    return any(kind.upper() == "PREF" for kind in [*types, *line.singletonparams]) or "PREF" in line.params


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return " ".join(_text(item) for item in value if item)
    # `\:` is no vCard escape, yet Apple writes it and vobject leaves it
    return str(value).replace("\\:", ":") if value is not None else ""


def _names(contents: dict[str, list[Any]]) -> tuple[str, str]:
    if any(_text(line.value).strip().upper() == "COMPANY" for line in contents.get("x-abshowas", [])):
        # Apple's card of a company: its name whole, not split as a person's
        return "", _first(contents, "fn") or _first(contents, "org")
    for line in contents.get("n", []):
        name = line.value
        if isinstance(name, str):
            family, _, rest = name.partition(";")
            given = rest.partition(";")[0]
        else:
            family, given = _text(getattr(name, "family", "")), _text(getattr(name, "given", ""))
        if family.strip() or given.strip():
            return " ".join(given.split()), " ".join(family.split())
    for line in contents.get("fn", []):
        return values.split_full_name(_text(line.value))
    return "", ""


def _middle_names(name: Any) -> str:
    """N's third part (`Doe;John;Richter\\, James`), its names between spaces."""
    if isinstance(name, str):  # vobject could not split it
        parts = name.split(";")
        middle = parts[2] if len(parts) > 2 else ""
    else:
        middle = _text(getattr(name, "additional", ""))
    return " ".join(middle.replace("\\,", " ").replace(",", " ").split())


def _listed(value: Any) -> str:
    """A value that may list several (NICKNAME: `Johny,JayJay`) as one, the commas kept."""
    return ", ".join(part for part in (" ".join(p.split()) for p in _text(value).split(",")) if part)


def _first(contents: dict[str, list[Any]], name: str) -> str:
    """The first non-empty value; of ORG, its first component (the company)."""
    for line in contents.get(name, []):
        value = line.value
        if isinstance(value, list | tuple):
            value = value[0] if value else ""
        text = " ".join(str(value).split())
        if text:
            return text
    return ""


def _birthday(contents: dict[str, list[Any]]) -> Birthday | None:
    for line in contents.get("bday", []):
        omit_year = line.params.get("X-APPLE-OMIT-YEAR", [""])[0]
        found = dates.birthday(_text(line.value), omit_year=omit_year)
        if found is not None:
            return found
    return None


def _labels(contents: dict[str, list[Any]]) -> Iterator[str]:
    for line in contents.get("categories", []):
        value = line.value
        # split again at commas: exporters escape the commas between categories (Thunderbird)
        for category in value if isinstance(value, list) else [str(value)]:
            yield from str(category).split(",")


def _profiles(contents: dict[str, list[Any]]) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, lines in contents.items():
        site = SITE_PROPERTIES.get(name.upper())
        if site is None and name not in ("url", "x-socialprofile", "socialprofile"):
            continue
        for line in lines:
            profile = _profile(line, site)
            if profile is not None:
                found.setdefault(*profile)
    return found


def _profile(line: Any, site: str | None) -> tuple[str, str] | None:
    """A URL, or a handle on a site its property or TYPE names (Apple: x-user=…)."""
    value = _text(line.value).strip()
    profile = normalise_profile_url(value)
    if profile is not None and (site is None or profile[0] != "website"):
        return profile
    types = [kind.lower() for kind in line.params.get("TYPE", [])]
    site = site or next((SITE_TYPES[kind] for kind in types if kind in SITE_TYPES), None)
    if site is None:
        return profile
    handle = line.params.get("X-USER", [value.rpartition(":")[2]])[0]
    return profile_from_handle(site, handle) or profile


def _from_xing(contents: dict[str, list[Any]]) -> bool:
    if any(name.upper().startswith("X-XING") for name in contents):
        return True
    return any("xing" in _text(line.value).lower() for line in contents.get("prodid", []))
