"""One way to compare names however they were typed: "Schröder", "Schroeder" and "schroder".

`fold` is the one function the import's matching (and, next, search and the duplicate keys) use:
German umlauts and ß written out (ä = ae, ß = ss), other accents removed, case folded, and runs of
anything but letters and digits made one space. "Schröder" and "Schroder" then differ ("schroeder"
against "schroder"); `fold_loose` also drops the "e" of a written-out umlaut, for matching
candidates where a missed umlaut must still find the person.
"""

from __future__ import annotations

import re
import unicodedata

# Letters that Unicode does not decompose into a base letter and a mark.
_SPELLED_OUT = str.maketrans(
    {
        "ä": "ae",
        "ö": "oe",
        "ü": "ue",
        "Ä": "ae",
        "Ö": "oe",
        "Ü": "ue",
        "ß": "ss",
        "ẞ": "ss",
        "ø": "o",
        "Ø": "o",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "ı": "i",
        "þ": "th",
    }
)
_NOT_A_WORD = re.compile(r"[\W_]+")
_WRITTEN_OUT_UMLAUT = re.compile(r"(?<=[aou])e")


def fold(text: str) -> str:
    """Lower case, umlauts written out, accents removed, words separated by one space."""
    spelled = unicodedata.normalize("NFC", text).translate(_SPELLED_OUT)
    decomposed = unicodedata.normalize("NFKD", spelled)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _NOT_A_WORD.sub(" ", bare.casefold()).strip()


def fold_loose(text: str) -> str:
    """`fold`, then "ae", "oe" and "ue" as "a", "o" and "u": "Schröder" = "Schroder"."""
    return _WRITTEN_OUT_UMLAUT.sub("", fold(text))
