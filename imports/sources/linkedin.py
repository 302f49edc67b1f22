"""LinkedIn's messages.csv (from "Get a copy of your data"), and whose export it is.

Columns: CONVERSATION ID, CONVERSATION TITLE, FROM, SENDER PROFILE URL, TO, RECIPIENT PROFILE
URLS, DATE, SUBJECT, CONTENT, FOLDER. DATE is UTC (`2023-06-11 15:33:58 UTC`). Recipients are
`;`-separated (older exports: `,`); names in TO likewise, split at commas only when that gives
as many names as there are URLs, since a name may hold a comma ("Müller, Hans").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import IO

from imports.sources import encodings
from imports.sources.csvfiles import iter_rows
from imports.sources.reasons import Reason, row_error
from imports.sources.records import Message, RowError
from imports.sources.urls import normalise_profile_url

COLUMNS = {
    "conversation": "conversation id",
    "sender_name": "from",
    "sender_url": "sender profile url",
    "recipient_names": "to",
    "recipient_urls": "recipient profile urls",
    "date": "date",
    "content": "content",
}


def read_messages(file: str, data: IO[bytes]) -> Iterator[Message | RowError]:
    """Every message of a messages.csv; a file without LinkedIn's columns gives none."""
    rows = iter_rows(file, encodings.lines(data))
    header = next((cells for _line, cells in rows if any(cell.strip() for cell in cells)), None)
    if header is None:
        return
    folded = [" ".join(cell.split()).casefold() for cell in header]
    if not {"date", "sender profile url"} <= set(folded):
        return
    columns = {key: folded.index(name) for key, name in COLUMNS.items() if name in folded}
    for line, cells in rows:
        if any(cell.strip() for cell in cells):
            yield _message(file, line, {key: _cell(cells, i) for key, i in columns.items()})


def account_holder(messages: Iterable[Message]) -> str | None:
    """The profile in every conversation (as sender or recipient): the export's owner."""
    tally = HolderTally()
    for message in messages:
        tally.add(message)
    return tally.holder()


class HolderTally:
    """Who the account holder is, counted a message at a time (the messages are not kept).

    Ranked by the conversations a profile is in, then by its messages; with one conversation
    only, both people are in all of it and the first one to write is taken.
    """

    def __init__(self) -> None:
        self.conversations: dict[str, set[str]] = {}
        self.counts: Counter[str] = Counter()

    def add(self, message: Message) -> None:
        for url in (message.sender_url, *message.recipient_urls):
            if url:
                self.conversations.setdefault(url, set()).add(message.conversation)
                self.counts[url] += 1

    def holder(self) -> str | None:
        if not self.conversations:
            return None
        # max() keeps the first of equals: dicts keep the order profiles were first seen in
        return max(self.conversations, key=lambda url: (len(self.conversations[url]), self.counts[url]))


def _cell(cells: list[str], index: int) -> str:
    return cells[index].strip() if index < len(cells) else ""


def _message(file: str, line: int, row: dict[str, str]) -> Message | RowError:
    sent_at = sent(row.get("date", ""))
    if sent_at is None:
        return row_error(file, line, Reason.MESSAGE_NO_DATE)
    recipient_urls = tuple(
        _url(url) for url in re.split(r"[;,]", row.get("recipient_urls", "")) if url.strip()
    )
    return Message(
        file=file,
        line=line,
        conversation=row.get("conversation", ""),
        sender_url=_url(row.get("sender_url", "")),
        sender_name=row.get("sender_name", ""),
        recipient_urls=recipient_urls,
        recipient_names=_names(row.get("recipient_names", ""), len(recipient_urls)),
        sent_at=sent_at,
        content=row.get("content", ""),
    )


def sent(text: str) -> datetime | None:
    """`2023-06-11 15:33:58 UTC`, also ISO with `T`, `Z` or an offset; always UTC."""
    value = re.sub(r"\s*(UTC|GMT|Z)$", "", text.strip(), flags=re.IGNORECASE)
    try:
        found = datetime.fromisoformat(value)
    except ValueError:
        return None
    if found.tzinfo is None:
        return found.replace(tzinfo=UTC)
    return found.astimezone(UTC)


def _url(raw: str) -> str:
    profile = normalise_profile_url(raw)
    return profile[1] if profile is not None else raw.strip()


def _names(text: str, urls: int) -> tuple[str, ...]:
    if not text.strip():
        return ()
    if ";" in text:
        return tuple(name.strip() for name in text.split(";") if name.strip())
    by_comma = [name.strip() for name in text.split(",") if name.strip()]
    return tuple(by_comma) if urls > 1 and len(by_comma) == urls else (text.strip(),)
