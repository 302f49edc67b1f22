"""CSV files: LinkedIn's Connections.csv, Google, Outlook, and any other list once its columns are mapped.

One reading path: every layout is a mapping, one field of FIELDS per column. The layouts known
here (LinkedIn, Google, Outlook, Thunderbird) are recognised by their headers and mapped by
`suggest_mapping` without asking; any other CSV (Windows Live Mail, a German Excel list) yields
one NeedsMapping with the suggestion, until the user's mapping for its header comes in `mappings`.

Encoding: see imports.sources.encodings. Delimiter: `,`, `;` (German Excel) or tab, whichever
the header line has most of. Cells are text, never formulas: `=`, `+`, `-`, `@` stay as written.
A record's line is the physical line its row starts on, LinkedIn's `Notes:` preamble counted.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import IO

from imports.sources import dates, encodings, values
from imports.sources.reasons import Reason, refuse, row_error
from imports.sources.records import Birthday, NeedsMapping, Person, RowError
from imports.sources.urls import normalise_profile_url, profile_from_handle

# What a column can be mapped to; "" ignores the column (first: the form's default choice).
FIELDS = (
    "",
    "first_name",
    "middle_name",
    "last_name",
    "full_name",
    "nickname",
    "company",
    "department",
    "position",
    "email",
    "phone",
    "birthday",
    "address",
    "linkedin",
    "xing",
    "website",
    "notes",
    "labels",
    "connected_on",
)
MAX_COLUMNS = 5_000
# Google joins several values of one cell with this.
MULTI = " ::: "
SEPARATOR_HINT = re.compile(r'"?sep=(.)"?,*', re.IGNORECASE)
TITLE_ROWS = 3  # rows of one cell each that may stand above the header
# What part of an address a column mapped to "address" holds, by its folded header, tried in
# order; a column none of them names is a street line.
ADDRESS_PARTS = (
    ("formatted", r"formatted|formatiert"),
    ("box", r"po box|postfach"),
    ("code", r"postal|zip|\bplz\b|postleitzahl"),
    ("country", r"country|\bland\b"),
    ("city", r"\bcity\b|\bort\b|\bstadt\b"),
    ("region", r"\bstate\b|bundesland|\bregion\b|province"),
)
# Whose address a column is (records.DETAIL_KINDS), by its folded header; Google numbers them.
ADDRESS_KINDS = (
    ("address_home", r"home|privat"),
    ("address_work", r"business|work|geschäftlich|dienstlich|büro|office|arbeit"),
)
Rows = Iterator[tuple[int, list[str]]]


@dataclass(frozen=True)
class Layout:
    name: str
    how_met: str
    headers: frozenset[str]  # folded headers a file of this layout has (all of them)


LAYOUTS = (
    Layout("linkedin", "linkedin", frozenset({"first name", "last name", "connected on"})),
    Layout("google", "", frozenset({"first name", "last name", "e-mail 1 - value"})),
    Layout("google", "", frozenset({"given name", "family name", "e-mail 1 - value"})),
    Layout("outlook", "", frozenset({"first name", "last name", "e-mail address", "job title"})),
    Layout("outlook", "", frozenset({"vorname", "nachname", "e-mail-adresse", "telefon geschäftlich"})),
    Layout("thunderbird", "", frozenset({"first name", "last name", "display name", "primary email"})),
    Layout("thunderbird", "", frozenset({"vorname", "nachname", "anzeigename", "primäre e-mail-adresse"})),
)
# Header names (folded) that say what a column holds.
NAMES = (
    ("first_name", "first name|given name|vorname|firstname"),
    ("middle_name", "middle name|additional name|2. vorname|zweiter vorname|weitere vornamen"),
    ("nickname", "nickname|spitzname"),
    ("department", "department|abteilung|organization department|organization 1 - department"),
    ("last_name", "last name|family name|surname|nachname|lastname|familienname"),
    ("full_name", "name|full name|display name|anzeigename|vollständiger name|kontakt|name, vorname|"
     "nachname, vorname|last name, first name|surname, first name"),
    ("company", "company|company name|organization|organisation|organization name|organization 1 - name|"
     "firma|unternehmen|arbeitgeber|employer"),
    ("position", "position|job title|jobtitle|organization title|organization 1 - title|funktion|"
     "arbeitstitel|jobtitel|berufsbezeichnung|beruf|rolle|role"),
    ("labels", "labels|group membership|categories|kategorien|gruppen|gruppe|tags"),
    ("connected_on", "connected on|verbunden am|verbunden seit|kontakt seit"),
    ("linkedin", "linkedin|linkedin url|linkedin profile|linkedin-profil"),
    ("xing", "xing|xing url|xing profile|xing-profil"),
    # LinkedIn's URL column too: a website whose URL says it is a LinkedIn profile
    ("website", "url|website|webseite|homepage|web page"),
)  # fmt: skip
EXACT = {name: field for field, names in NAMES for name in names.split("|")}
# Tried in order on a header not in EXACT; the first match wins, "" ignores the column.
RULES = (
    (r"fax|pager|type|typ\b|label|display|angezeigt|yomi|phonetic|phonetisch|assistant|assistent|"
     r"callback|telex|isdn|radio|tty|^im\b|imaddress|messenger|screen name|custom|benutzerdef|anniversary|"
     r"jahrestag|country code|ländercode|landesvorwahl",
     ""),
    (r"e-?mail|\bmail\b", "email"),
    (r"phone|telefon|\btel\b|mobil|handy|cell", "phone"),
    (r"linkedin", "linkedin"),
    (r"xing", "xing"),
    (r"web|homepage|website|\burl\b", "website"),
    (r"birth|geburt|^geb\b", "birthday"),  # "Geb.", "Geb.-Datum"
    (r"department|abteilung", "department"),  # "Organization 2 - Department"
    (r"street|stra(ß|ss)e|address|adresse|\bcity\b|\bort\b|postal|zip|\bplz\b|postleitzahl|po box|postfach|"
     r"country|\bland\b|bundesland|\bstate\b", "address"),
    (r"note|notiz|bemerkung|kommentar|anmerkung", "notes"),
    (r"categor|kategor|gruppe|group", "labels"),
)  # fmt: skip


def read_csv(
    file: str, data: IO[bytes], *, mappings: Mapping[tuple[str, ...], Sequence[str]] | None = None
) -> Iterator[Person | RowError | NeedsMapping]:
    """The people of a CSV file, or one NeedsMapping when its layout is not known."""
    rows = iter_rows(file, encodings.lines(data), delimiter=_delimiter(encodings.head(data)))
    headers = _header(file, rows)
    layout = next((found for found in LAYOUTS if found.headers <= {_fold(h) for h in headers}), None)
    mapping = _chosen(headers, mappings or {})
    first = next((row for row in rows if any(cell.strip() for cell in row[1])), None)
    if first is None:
        raise refuse(file, Reason.NO_ROWS)
    if mapping is None and layout is None:
        yield NeedsMapping(file=file, headers=headers, suggested=suggest_mapping(headers))
        return
    chosen = mapping or suggest_mapping(headers)
    how_met = layout.how_met if layout else ""
    places = _address_columns(headers, chosen)
    for line, cells in chain([first], rows):
        if any(cell.strip() for cell in cells):
            yield _record(file, line, _cells(chosen, cells), how_met, addresses=_addresses(places, cells))


def suggest_mapping(headers: Sequence[str]) -> tuple[str, ...]:
    """A field of FIELDS for each header, from its German or English name; "" when unknown."""
    return tuple(_suggest(_fold(header)) for header in headers)


def iter_rows(file: str, lines: Iterable[str], *, delimiter: str = ",") -> Rows:
    """(line where the row starts, its cells); a quoted cell may hold line breaks. A quote never
    closed refuses the file at its row: the csv module would read the rest of the file into
    that one cell, and every row after it would be lost without a word."""
    read = _Read()
    reader = csv.reader(_bounded(file, lines, delimiter, read), delimiter=delimiter)
    start = 1
    try:
        for cells in reader:
            if read.ended and _open_quote("".join(read.taken), delimiter):
                raise csv.Error("a quote not closed")
            yield start, cells
            start = reader.line_num + 1
            read.taken.clear()
    except csv.Error:
        raise refuse(file, Reason.BROKEN_CSV, line=start) from None


class _Read:
    """The lines of the row being read, and whether the file's lines have all been read."""

    def __init__(self) -> None:
        self.taken: list[str] = []
        self.ended = False


def _bounded(file: str, lines: Iterable[str], delimiter: str, read: _Read) -> Iterator[str]:
    """The lines, refused when one has more cells than a contact list could: csv would hold a
    list of them all (8 bytes a cell, for each delimiter of the line)."""
    for number, line in enumerate(lines, start=1):
        if line.count(delimiter) > MAX_COLUMNS:
            raise refuse(file, Reason.BROKEN_CSV, line=number)
        read.taken.append(line)
        yield line
    read.ended = True


def _open_quote(row: str, delimiter: str) -> bool:
    """Whether `row` ends inside a quoted cell, by the csv module's rules: a quote opens a cell
    only at its start, `""` in it is a quote, other quotes are text."""
    state = "start"
    for char in row:
        ends = char in (delimiter, "\n", "\r")
        if state in ("start", "closing"):
            state = "quoted" if char == '"' else "start" if ends else "plain"
        elif state == "plain":
            state = "start" if ends else "plain"
        elif char == '"':  # quoted: the end of the cell, or the first of `""`
            state = "closing"
    return state == "quoted"


def _fold(header: str) -> str:
    return " ".join(header.replace("\ufeff", "").split()).casefold()


def _suggest(header: str) -> str:
    if header in EXACT:
        return EXACT[header]
    return next((field for pattern, field in RULES if re.search(pattern, header)), "")


def _delimiter(text: str) -> str:
    if text.lstrip().startswith("Notes:"):
        return ","  # LinkedIn's preamble
    lines = [line for line in text[:65536].splitlines() if line.strip()]
    if lines and (hinted := SEPARATOR_HINT.fullmatch(lines[0].strip())):
        return hinted[1]  # Excel's `sep=;` first line
    # the first line with any: a title above the header may have none
    line = next((line for line in lines if any(delimiter in line for delimiter in ",;\t")), "")
    counts = {delimiter: line.count(delimiter) for delimiter in (",", ";", "\t")}
    return max(counts, key=lambda delimiter: counts[delimiter])


def _header(file: str, rows: Rows) -> tuple[str, ...]:
    """The first row naming at least two columns; before it, empty rows and up to TITLE_ROWS of
    one cell each (a title such as `Meine Kontakte;;;`, Excel's `sep=;`) are passed over."""
    titles = 0
    for _line, cells in rows:
        named = [cell.strip() for cell in cells if cell.strip()]
        if not named:
            continue
        if named == ["Notes:"]:
            # LinkedIn: `Notes:`, a quoted notice, an empty line, then the header
            next((row for row in rows if not any(cell.strip() for cell in row[1])), None)
            continue
        headers = tuple(cell.replace("\ufeff", "").strip() for cell in cells)
        if _is_header(headers):
            return headers
        titles += 1
        if len(named) > 1 or titles > TITLE_ROWS:
            break
    raise refuse(file, Reason.NO_HEADER, line=1)


def _is_header(headers: tuple[str, ...]) -> bool:
    named = [header for header in headers if header]
    if len(named) < 2 or any("@" in header or len(header) > 200 for header in named):
        return False
    return not all(re.fullmatch(r"[\d\s.,/:+-]*", header) for header in named)


def _chosen(
    headers: tuple[str, ...], mappings: Mapping[tuple[str, ...], Sequence[str]]
) -> tuple[str, ...] | None:
    """The user's mapping for this header (however its columns are spaced or cased)."""
    chosen = mappings.get(headers)
    if chosen is None:
        folded = tuple(_fold(header) for header in headers)
        chosen = next((fields for key, fields in mappings.items() if tuple(map(_fold, key)) == folded), None)
    if chosen is None:
        return None
    fields = [field if field in FIELDS else "" for field in chosen][: len(headers)]
    return tuple(fields + [""] * (len(headers) - len(fields)))


def _cells(mapping: tuple[str, ...], cells: list[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for field, cell in zip(mapping, cells, strict=False):
        if field:  # a line break in a cell as a note keeps it: one kind, whatever wrote the file
            found.setdefault(field, []).append(cell.replace("\r\n", "\n").replace("\r", "\n").strip())
    return found


def _address_columns(headers: Sequence[str], mapping: Sequence[str]) -> list[tuple[int, str, str, str]]:
    """(column, kind of address, its group, part) of each column mapped to "address"; a part
    "type" where Google's `Address 1 - Type` says whose the address is ("Home", "Work")."""
    found = []
    for column, (header, field) in enumerate(zip(headers, mapping, strict=False)):
        name = _fold(header)
        numbered = re.fullmatch(r"address (\d+) - (.+)", name)
        if numbered and numbered[2] in ("type", "label"):  # Google's legacy and 2024 headers
            found.append((column, "address", f"address{numbered[1]}", "type"))
        elif field == "address":
            kind = next((kind for kind, pattern in ADDRESS_KINDS if re.search(pattern, name)), "address")
            group = f"{kind}{numbered[1] if numbered else ''}"
            part = next((part for part, pattern in ADDRESS_PARTS if re.search(pattern, name)), "street")
            found.append((column, kind, group, part))
    return found


def _addresses(columns: list[tuple[int, str, str, str]], cells: list[str]) -> list[tuple[str, str]]:
    """Each group's address on one line: Google's formatted one, or else its parts in the order
    `values.address` writes them. A part that an address of several lines in the same group
    holds is left out (Outlook's `Home Address` beside its `Home Street`, from Google)."""
    groups: dict[str, tuple[str, dict[str, list[str]]]] = {}
    for column, kind, group, part in columns:
        cell = cells[column].strip() if column < len(cells) else ""
        if cell:
            groups.setdefault(group, (kind, {}))[1].setdefault(part, []).append(cell)
    found = []
    for by_header, parts in groups.values():
        kind = _address_kind(_fold(" ".join(parts.pop("type", []))), by_header)
        if not parts.keys() - {"country", "region"}:
            continue  # a country alone (Outlook's "Land/Region" beside no address) is no address
        if "formatted" in parts:
            found.append((kind, values.address(street=parts["formatted"])))
            continue
        whole = [cell.casefold() for cells in parts.values() for cell in cells if "\n" in cell]
        kept = {
            part: [cell for cell in cells if "\n" in cell or not any(cell.casefold() in w for w in whole)]
            for part, cells in parts.items()
        }
        one = {part: " ".join(kept.get(part, [])) for part in ("box", "code", "city", "region", "country")}
        found.append((kind, values.address(street=kept.get("street", []), **one)))
    return [(kind, line) for kind, line in found if line]


def _address_kind(said: str, by_header: str) -> str:
    """Whose address the file's own word says it is ("Home", "Work"), else what its header says."""
    return next((kind for kind, pattern in ADDRESS_KINDS if said and re.search(pattern, said)), by_header)


def _record(
    file: str, line: int, found: dict[str, list[str]], how_met: str, *, addresses: list[tuple[str, str]]
) -> Person | RowError:
    first, last = values.without_titles(_first(found, "first_name")), _first(found, "last_name")
    if not (first or last):
        first, last = values.split_full_name(_first(found, "full_name"))
    emails = values.emails(_split(found.get("email", [])))
    company = _first(found, "company")
    first, last = values.name_or_else(first, last, emails=emails, company=company)
    if not (first or last):
        return row_error(file, line, Reason.NO_NAME)
    return Person(
        file=file,
        line=line,
        first_name=first,
        last_name=last,
        company=company,
        position=_first(found, "position"),
        emails=emails,
        phones=values.unique(_split(found.get("phone", []))),
        birthday=_birthday(found.get("birthday", [])),
        profiles=_profiles(found),
        notes="\n".join(values.unique(found.get("notes", []))),
        labels=values.labels(_split(found.get("labels", []), also=";")),
        details=[
            *(("middle_name", middle) for middle in values.unique(found.get("middle_name", []))),
            *(("nickname", nickname) for nickname in values.unique(_split(found.get("nickname", [])))),
            *(("department", department) for department in values.unique(found.get("department", []))),
            *addresses,
            *(("unread_email", text) for text in values.unreadable_emails(_split(found.get("email", [])))),
        ],
        how_met=how_met,
        connected_on=dates.day(_first(found, "connected_on")),
    )


def _first(found: dict[str, list[str]], field: str) -> str:
    return next((" ".join(cell.split()) for cell in found.get(field, []) if cell), "")


def _split(cells: Iterable[str], *, also: str = "") -> Iterator[str]:
    for cell in cells:
        for value in cell.split(MULTI):
            yield from (value.split(also) if also else [value])


def _birthday(cells: list[str]) -> Birthday | None:
    """One date; or Thunderbird's year, month and day columns (month and day when two)."""
    for cell in cells:
        found = dates.birthday(cell)
        if found is not None:
            return found
    parts = [cell for cell in cells if re.fullmatch(r"[0-9]{0,4}", cell)]
    if len(cells) not in (2, 3) or len(parts) != len(cells) or not all(parts[-2:]):
        return None
    year = int(parts[0]) if len(parts) == 3 and parts[0] else None
    return dates.birthday_of(year, int(parts[-2]), int(parts[-1]))


def _profiles(found: dict[str, list[str]]) -> dict[str, str]:
    profiles: dict[str, str] = {}
    for field in ("linkedin", "xing", "website"):
        for value in _split(found.get(field, [])):
            profile = normalise_profile_url(value)
            if field != "website" and (profile is None or profile[0] == "website"):
                profile = profile_from_handle(field, value) or profile
            if profile is not None:
                profiles.setdefault(*profile)
    return profiles
