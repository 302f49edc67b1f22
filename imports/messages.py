"""LinkedIn messages as touches: one per counterpart and local day, summarised as they are read.

A message is not kept: it is counted for the account holder (imports.sources.linkedin.
HolderTally) and folded into a day for each person in it, the holder too, since who the holder
is is known only at the end. Then the holder's own days are dropped, the others matched to the
upload's people (by LinkedIn profile, else by a unique folded name) and staged: the first
message of a day says who reached out, its texts are the touch's note if the user keeps them.
Memory holds a day per person and the texts, not the messages.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from contacts.folding import fold_loose
from imports.models import Import, ImportRow, RowStatus, StagedTouch
from imports.sources.linkedin import HolderTally
from imports.sources.records import Message
from touchpoints.kinds import Kind
from touchpoints.models import Initiator

BATCH = 500
# A message to more people than this is a broadcast (R12: a mass mail, recorded, never a touch
# that counts); to this many or fewer, a group conversation, a touch with each.
MASS_RECIPIENTS = 5
# A person in a message: their profile, or "" and their name when the export gives none.
Person = tuple[str, str]


@dataclass
class _Day:
    """A person's messages on one local day: the first one says who reached out."""

    first_at: datetime
    first_sender: str
    name: str
    texts: list[tuple[datetime, str]] = field(default_factory=list)
    direct: bool = False  # a message to few this day: a touch; only ones to many, a mass mail

    def add(self, message: Message) -> None:
        if message.sent_at < self.first_at:
            self.first_at, self.first_sender = message.sent_at, message.sender_url
        if message.content:
            self.texts.append((message.sent_at, message.content))
        self.direct = self.direct or len(message.recipient_names) <= MASS_RECIPIENTS

    def joined(self, other: _Day) -> _Day:
        first = self if self.first_at <= other.first_at else other
        return _Day(
            first.first_at,
            first.first_sender,
            first.name,
            self.texts + other.texts,
            self.direct or other.direct,
        )

    @property
    def kind(self) -> str:
        return Kind.MESSAGE if self.direct else Kind.MASS_MAIL


class MessageDays:
    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self.tally = HolderTally()
        self.days: dict[tuple[str, date], _Day] = {}

    def __bool__(self) -> bool:
        return bool(self.days)

    def add(self, message: Message) -> None:
        self.tally.add(message)
        day = message.sent_at.astimezone(self.zone).date()
        for url, name in _people(message):
            key = (url or f"name:{fold_loose(name)}", day)
            found = self.days.get(key)
            if found is None:
                found = self.days[key] = _Day(message.sent_at, message.sender_url, name)
            found.add(message)

    def stage(self, upload: Import) -> tuple[str | None, int]:
        """Stage a touch per connection and day; the account holder and how many people
        written with were not connections."""
        holder = self.tally.holder()
        by_url, by_name = _connections(upload)
        staged: dict[tuple[int, date], _Day] = {}
        strangers: set[str] = set()
        for (key, day), found in self.days.items():
            url = "" if key.startswith("name:") else key
            if url and url == holder:
                continue
            row_id = by_url.get(url) if url else None
            if row_id is None:
                row_id = by_name.get(fold_loose(found.name))
            if row_id is None:
                strangers.add(url or fold_loose(found.name))
                continue
            earlier = staged.get((row_id, day))
            staged[row_id, day] = found if earlier is None else earlier.joined(found)
        _write(staged, holder)
        return holder, len(strangers)


def _people(message: Message) -> Iterator[Person]:
    """Everyone in the message, once (a group message is a touch with each; a broadcast to more
    than MASS_RECIPIENTS a mass mail for each: `_Day.kind`)."""
    people = [(message.sender_url, message.sender_name)]
    people += list(zip(message.recipient_urls, message.recipient_names, strict=False))
    if len(message.recipient_names) > len(message.recipient_urls):
        people += [("", name) for name in message.recipient_names[len(message.recipient_urls) :]]
    seen: set[str] = set()
    for url, name in people:
        if (url or name) in seen:
            continue
        seen.add(url or name)
        yield url, name


def _connections(upload: Import) -> tuple[dict[str, int], dict[str, int]]:
    """The upload's people by LinkedIn profile and by folded name (names only when unique)."""
    by_url: dict[str, int] = {}
    by_name: dict[str, int | None] = {}
    rows = ImportRow.objects.filter(upload=upload, status=RowStatus.NEW).values_list("pk", "data")
    for row_id, data in rows.iterator(chunk_size=BATCH):
        url = data.get("profiles", {}).get("linkedin")
        if url:
            by_url.setdefault(url, row_id)
        name = fold_loose(f"{data.get('first_name', '')} {data.get('last_name', '')}")
        by_name[name] = None if name in by_name and by_name[name] != row_id else row_id
    return by_url, {name: row_id for name, row_id in by_name.items() if row_id is not None}


def _write(staged: dict[tuple[int, date], _Day], holder: str | None) -> None:
    StagedTouch.objects.bulk_create(
        (
            StagedTouch(
                row_id=row_id,
                happened_at=found.first_at,
                initiated_by=Initiator.ME if found.first_sender == holder else Initiator.THEM,
                note="\n\n".join(text for _at, text in sorted(found.texts, key=lambda text: text[0])),
                kind=found.kind,
            )
            for (row_id, _day), found in staged.items()
        ),
        batch_size=BATCH,
    )
