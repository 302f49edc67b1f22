"""How much one upload may hold: the readers refuse (Unreadable) past these, never run away.

The web layer checks MAX_UPLOAD_BYTES before storing anything (imports.pipeline.check_files);
read_upload checks it again for the command line. The ZIP limits are checked from the central
directory before anything is unpacked, and again while unpacking, since a header can lie.
"""

from __future__ import annotations

MAX_UPLOAD_BYTES = 20 * 1_000_000
# People rows and cards over a whole upload (all files of a ZIP together); errors count too.
MAX_ROWS = 50_000
# LinkedIn messages, summarised in memory per person and day while reading (imports.messages).
MAX_MESSAGES = 200_000

ZIP_MAX_ENTRIES = 2_000
ZIP_MAX_TOTAL_BYTES = 100 * 1_000_000
# A ratio this high on an entry this large is a ZIP bomb; small text files may compress well.
ZIP_MAX_RATIO = 100
ZIP_RATIO_FROM_BYTES = 1_000_000
ZIP_NESTED_SUFFIXES = (".zip", ".gz", ".tgz", ".7z", ".rar", ".tar", ".bz2", ".xz", ".zst", ".jar")

# vobject needs some 170 bytes of memory per byte of a value while it parses it: a value is cut
# at this length (no note is this long), and a card this large (photos dropped) is an error.
VCARD_MAX_VALUE_CHARS = 10_000
VCARD_MAX_CARD_BYTES = 100_000
