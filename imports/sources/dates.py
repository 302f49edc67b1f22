"""Dates as contact files write them: birthdays (often without a year) and LinkedIn's days.

Forms read: `1980-01-25`, `19800125`, with a time part (`1980-01-25T00:00:00Z`), `--01-25`,
`--0125`, `25.1.1980`, `1/25/1980` (US month first, unless the first number cannot be a month),
`1/8/18, 6:14 PM`, `22 Dec 2025`, `Dec 22, 2025` (English or German month names). A birthday's
year is dropped when it is a placeholder: Apple's 1604 (X-APPLE-OMIT-YEAR), 0000, 1900 and any
year before 1800 or only two digits long; 29 February stays without a year. Outlook's empty
`0/0/00` and `00.00.0000`, text and impossible days give None: no birthday, not an error.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from imports.sources.records import Birthday

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january", "januar", "jän", "jänner"),
            ("feb", "february", "februar"),
            ("mar", "march", "mär", "mrz", "märz"),
            ("apr", "april"),
            ("may", "mai"),
            ("jun", "june", "juni"),
            ("jul", "july", "juli"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october", "okt", "oktober"),
            ("nov", "november"),
            ("dec", "december", "dez", "dezember"),
        ],
        start=1,
    )
    for name in names
}
ISO = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})$")
NO_YEAR = re.compile(r"^--(\d{2})-?(\d{2})$")
DOTTED = re.compile(r"^(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{2}|\d{4})?$")
SLASHED = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})$")
DAY_MONTH_NAME = re.compile(r"^(\d{1,2})\.?\s+([^\W\d_]+)\.?,?\s+(\d{4})$")
MONTH_NAME_DAY = re.compile(r"^([^\W\d_]+)\.?\s+(\d{1,2}),?\s+(\d{4})$")
# (year, month, day); year None when not written, 2-digit years as written (0-99)
Parts = tuple[int | None, int, int]


def birthday(text: str, *, omit_year: str = "") -> Birthday | None:
    """A birthday, or None for a text that is not one. `omit_year`: X-APPLE-OMIT-YEAR's value."""
    parts = date_parts(text)
    if parts is None:
        return None
    year, month, day = parts
    if year is not None and str(year) == omit_year.strip():
        year = None
    return birthday_of(year, month, day)


def birthday_of(year: int | None, month: int, day: int) -> Birthday | None:
    """A birthday of these numbers, or None when there is no such day. A year no contact's can
    be is dropped, the day and month kept: a placeholder (1900, or earlier: 1604, 0000, two
    digits) or one still to come (9999), as the contact's own form and its table allow."""
    if year is not None and not 1900 < year <= datetime.now(UTC).year:
        year = None
    try:
        date(year or 2000, month, day)  # 2000: a leap year, for 29 February without a year
    except ValueError:
        return None
    return Birthday(day=day, month=month, year=year)


def day(text: str) -> date | None:
    """A day with its year (LinkedIn's Connected On); 2-digit years are 20xx."""
    parts = date_parts(text)
    if parts is None:
        return None
    year, month, day_ = parts
    if year is None:
        return None
    try:
        return date(year + 2000 if year < 100 else year, month, day_)
    except ValueError:
        return None


def date_parts(text: str) -> Parts | None:
    value = _without_time(text.strip())
    if not value:
        return None
    for read in (_iso, _no_year, _dotted, _slashed, _month_name):
        parts = read(value)
        if parts is not None:
            return _real(parts)
    return None


def _without_time(value: str) -> str:
    value = re.split(r"[T ,]\s*\d{1,2}:\d{2}", value, maxsplit=1)[0]
    return re.sub(r"T\d{2,6}(?:Z|[+-]\d{2,4})?$", "", value).strip().rstrip(",")


def _real(parts: Parts) -> Parts | None:
    _year, month, day_ = parts
    if not (1 <= month <= 12 and 1 <= day_ <= 31):
        return None  # also Outlook's empty 0/0/00 and 00.00.0000
    return parts


def _iso(value: str) -> Parts | None:
    found = ISO.match(value)
    return (int(found[1]), int(found[2]), int(found[3])) if found else None


def _no_year(value: str) -> Parts | None:
    found = NO_YEAR.match(value)
    return (None, int(found[1]), int(found[2])) if found else None


def _dotted(value: str) -> Parts | None:
    found = DOTTED.match(value)
    if not found:
        return None
    return (int(found[3]) if found[3] else None), int(found[2]), int(found[1])


def _slashed(value: str) -> Parts | None:
    found = SLASHED.match(value)
    if not found:
        return None
    first, second, year = int(found[1]), int(found[2]), int(found[3])
    if first > 12 >= second:
        return year, second, first  # 25/1/1980 cannot be US, read it as day first
    return year, first, second


def _month_name(value: str) -> Parts | None:
    found = DAY_MONTH_NAME.match(value)
    if found and found[2].lower() in MONTHS:
        return int(found[3]), MONTHS[found[2].lower()], int(found[1])
    found = MONTH_NAME_DAY.match(value)
    if found and found[1].lower() in MONTHS:
        return int(found[3]), MONTHS[found[1].lower()], int(found[2])
    return None
