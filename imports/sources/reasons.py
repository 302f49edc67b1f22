"""Why a file or a row was not read: one code per reason, with its English text.

The readers stay free of Django: they put the English text and the code on Unreadable and
RowError. The web layer calls `describe(code, text)` for the words in the user's language; the
texts are marked with a local `gettext_noop` so that makemessages finds them here.
"""

from __future__ import annotations

from enum import StrEnum

from imports.sources.limits import (
    MAX_MESSAGES,
    MAX_ROWS,
    MAX_UPLOAD_BYTES,
    VCARD_MAX_CARD_BYTES,
    ZIP_MAX_ENTRIES,
    ZIP_MAX_TOTAL_BYTES,
)
from imports.sources.records import RowError, Unreadable


class Reason(StrEnum):
    # a file, refused as a whole
    TOO_LARGE = "too_large"
    TOO_MANY_ROWS = "too_many_rows"
    TOO_MANY_MESSAGES = "too_many_messages"
    EMPTY = "empty"
    UNKNOWN_KIND = "unknown_kind"
    NOT_TEXT = "not_text"
    NO_CARDS = "no_cards"
    NO_HEADER = "no_header"
    NO_ROWS = "no_rows"
    BROKEN_CSV = "broken_csv"
    NOT_A_ZIP = "not_a_zip"
    ZIP_TOO_MANY_FILES = "zip_too_many_files"
    ZIP_TOO_LARGE = "zip_too_large"
    ZIP_BOMB = "zip_bomb"
    ZIP_NESTED = "zip_nested"
    ZIP_ENCRYPTED = "zip_encrypted"
    ZIP_NOTHING = "zip_nothing"
    # a row or a card; the rest of the file is read
    NO_NAME = "no_name"
    CARD_UNREADABLE = "card_unreadable"
    CARD_UNCLOSED = "card_unclosed"
    CARD_TOO_LARGE = "card_too_large"
    MESSAGE_NO_DATE = "message_no_date"


def gettext_noop(text: str) -> str:
    """Marks a text for makemessages without importing Django; translated in `describe`."""
    return text


TEXTS: dict[Reason, str] = {
    Reason.TOO_LARGE: gettext_noop("The file is larger than %(max_mb)s MB."),
    Reason.TOO_MANY_ROWS: gettext_noop("The upload holds more than %(max_rows)s contacts."),
    Reason.TOO_MANY_MESSAGES: gettext_noop("The upload holds more than %(max_messages)s messages."),
    Reason.EMPTY: gettext_noop("The file is empty."),
    Reason.UNKNOWN_KIND: gettext_noop("This is not a file Netzwerk reads: choose a .csv, .vcf or .zip file."),
    Reason.NOT_TEXT: gettext_noop("The file is not a text file: it is not a CSV file or a vCard."),
    Reason.NO_CARDS: gettext_noop("The file holds no vCard (no BEGIN:VCARD … END:VCARD)."),
    Reason.NO_HEADER: gettext_noop("The CSV file has no header row naming its columns."),
    Reason.NO_ROWS: gettext_noop("The CSV file has a header but no rows."),
    Reason.BROKEN_CSV: gettext_noop(
        "The CSV file is broken here (a quote not closed, a cell far too long, too many columns)."
    ),
    Reason.NOT_A_ZIP: gettext_noop("The file is not a ZIP archive that can be opened."),
    Reason.ZIP_TOO_MANY_FILES: gettext_noop("The ZIP archive holds more than %(zip_entries)s files."),
    Reason.ZIP_TOO_LARGE: gettext_noop("The ZIP archive unpacks to more than %(zip_mb)s MB."),
    Reason.ZIP_BOMB: gettext_noop(
        "A file in the ZIP archive is compressed suspiciously well; it was not unpacked."
    ),
    Reason.ZIP_NESTED: gettext_noop(
        "The ZIP archive holds another archive: unpack it and upload the files inside."
    ),
    Reason.ZIP_ENCRYPTED: gettext_noop("The ZIP archive is protected by a password."),
    Reason.ZIP_NOTHING: gettext_noop(
        "The ZIP archive holds no contacts: no .vcf or .csv file, no LinkedIn Connections.csv."
    ),
    Reason.NO_NAME: gettext_noop("This row has no name, no e-mail address and no company."),
    Reason.CARD_UNREADABLE: gettext_noop("This card could not be read."),
    Reason.CARD_UNCLOSED: gettext_noop("This card does not end (END:VCARD is missing)."),
    Reason.CARD_TOO_LARGE: gettext_noop("This card is too large to be one person's (over %(card_kb)s KB)."),
    Reason.MESSAGE_NO_DATE: gettext_noop("This message has no date that can be read."),
}


def _params(*, grouped: bool) -> dict[str, str]:
    def number(value: int) -> str:
        return f"{value:,}" if grouped else str(value)

    return {
        "max_mb": str(MAX_UPLOAD_BYTES // 1_000_000),
        "max_rows": number(MAX_ROWS),
        "max_messages": number(MAX_MESSAGES),
        "zip_entries": number(ZIP_MAX_ENTRIES),
        "zip_mb": str(ZIP_MAX_TOTAL_BYTES // 1_000_000),
        "card_kb": str(VCARD_MAX_CARD_BYTES // 1_000),
    }


def english(reason: Reason) -> str:
    return TEXTS[reason] % _params(grouped=True)


def refuse(file: str, reason: Reason, *, line: int | None = None) -> Unreadable:
    return Unreadable(file, english(reason), line=line, code=reason.value)


def row_error(file: str, line: int, reason: Reason) -> RowError:
    return RowError(file=file, line=line, reason=english(reason), code=reason.value)


def describe(code: str, fallback: str = "") -> str:
    """The reason in the active language; a code not known here gives `fallback`."""
    # Imported here so that reading files never needs Django's settings.
    from django.utils.translation import gettext

    try:
        reason = Reason(code)
    except ValueError:
        return fallback
    # the limits as plain digits: German groups with "." and English with ","
    return gettext(TEXTS[reason]) % _params(grouped=False)
