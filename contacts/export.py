"""The contact list as a CSV file for spreadsheets (Excel, LibreOffice, Numbers, Google Sheets).

UTF-8 with a byte order mark, or Excel reads "Müller" as "MÃ¼ller". German Excel splits a line
on the list separator of the system's region, a semicolon, and would put a comma-separated line
into one cell: the file has semicolons when the user reads German, commas otherwise. Every cell
is safe against spreadsheet formula injection (`spreadsheet_safe`). Lines are written as the
rows come from the database, a few hundred at a time, so a big network never sits in memory.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from datetime import date

from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from contacts.models import Contact

BOM = "\ufeff"
# A cell starting with one of these is a formula to Excel, LibreOffice or Google Sheets (OWASP,
# "CSV Injection"): "=HYPERLINK(...)" in a contact's notes must stay text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ROWS_PER_CHUNK = 200


def spreadsheet_safe(value: str) -> str:
    """The cell as text a spreadsheet shows and never runs: a formula's start gets a `'` first."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def _birthday(contact: Contact) -> str:
    """In the reader's format: 28.11.1970 or 11/28/1970, and "28. November" without a year."""
    if contact.birthday_day is None or contact.birthday_month is None:
        return ""
    if contact.birthday_year is None:
        return date_format(date(2000, contact.birthday_month, contact.birthday_day), "MONTH_DAY_FORMAT")
    return date_format(
        date(contact.birthday_year, contact.birthday_month, contact.birthday_day), "SHORT_DATE_FORMAT"
    )


def _joined(values: Iterable[str]) -> str:
    return ", ".join(values)


COLUMNS: list[tuple[StrOrPromise, Callable[[Contact], str]]] = [
    (_("First name"), lambda contact: contact.first_name),
    (_("Last name"), lambda contact: contact.last_name),
    (_("Company"), lambda contact: contact.company),
    (_("Position"), lambda contact: contact.position),
    (_("E-mails"), lambda contact: _joined(email.address for email in contact.emails.all())),
    (_("Phones"), lambda contact: _joined(phone.number for phone in contact.phones.all())),
    (_("Birthday"), _birthday),
    (_("Circle"), lambda contact: contact.get_circle_display()),
    (_("Stage"), lambda contact: contact.get_stage_display()),
    (_("Tags"), lambda contact: _joined(tag.name for tag in contact.tags.all())),
    ("LinkedIn", lambda contact: contact.linkedin_url),
    ("XING", lambda contact: contact.xing_url),
    (_("Notes"), lambda contact: contact.notes),
    (_("How we met"), lambda contact: contact.get_how_met_display()),
    (_("Sorted as"), lambda contact: contact.get_sorting_display()),
]


class _Line:
    """What csv.writer writes to: it hands each line back instead of storing it."""

    def write(self, line: str) -> str:
        return line


def csv_lines(contacts: Iterable[Contact], *, language: str) -> Iterator[str]:
    """The file in chunks of lines, headings first, in `language` (the response is streamed after
    the view has returned, so the request's language is named rather than assumed active)."""
    with translation.override(language):
        writer = csv.writer(_Line(), delimiter=";" if language.startswith("de") else ",")
        chunk = [BOM, writer.writerow([spreadsheet_safe(str(label)) for label, _value in COLUMNS])]
        for contact in contacts:
            chunk.append(writer.writerow([spreadsheet_safe(value(contact)) for _label, value in COLUMNS]))
            if len(chunk) >= ROWS_PER_CHUNK:
                yield "".join(chunk)
                chunk = []
        yield "".join(chunk)
