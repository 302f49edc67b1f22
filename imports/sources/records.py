"""What the readers give the pipeline: people, messages, and the rows they could not read.

The readers (vCard, CSV, the LinkedIn data ZIP) know file formats and nothing of the database:
they yield these records, and imports/pipeline.py matches, previews and commits them. Values are
as found, trimmed: phones are not normalised yet (that needs the user's region), e-mails are
lower-cased and deduplicated, profile URLs are normalised (`imports.sources.urls`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


class Unreadable(Exception):
    """A file that cannot be read at all: nothing of it is imported, the reason is shown."""

    def __init__(self, file: str, reason: str, *, line: int | None = None, code: str = "") -> None:
        super().__init__(f"{file}:{line or '-'}: {reason}")
        self.file, self.reason, self.line = file, reason, line
        # imports.sources.reasons.Reason: the web layer words it in the user's language
        self.code = code


@dataclass(frozen=True)
class Birthday:
    """Day and month, the year when known (29 February allowed without one)."""

    day: int
    month: int
    year: int | None = None


# Keys of Person.profiles; each is a URLField of the contact named <key>_url, "website" as is.
PROFILE_KEYS = ("linkedin", "xing", "facebook", "x", "instagram", "website")
# Kinds of Person.details: what a contact has no field for, kept as lines of its notes
# (imports.details words them in the owner's language).
DETAIL_KINDS = (
    "middle_name",
    "nickname",
    "department",
    "address",
    "address_home",
    "address_work",
    "unread_email",
)


@dataclass
class Person:
    """One person as a file describes them. `line` is where the record starts (1-based)."""

    file: str
    line: int
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    position: str = ""
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    birthday: Birthday | None = None
    profiles: dict[str, str] = field(default_factory=dict)
    notes: str = ""
    labels: list[str] = field(default_factory=list)
    # (kind of DETAIL_KINDS, value): middle names, a nickname, a department, an address
    details: list[tuple[str, str]] = field(default_factory=list)
    # contacts.choices.Channel value: where the file comes from says how they were met
    how_met: str = ""
    connected_on: date | None = None

    @property
    def has_a_name(self) -> bool:
        return bool(self.first_name or self.last_name)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "first_name": self.first_name,
            "last_name": self.last_name,
            "company": self.company,
            "position": self.position,
            "emails": self.emails,
            "phones": self.phones,
            "birthday": None
            if self.birthday is None
            else [self.birthday.day, self.birthday.month, self.birthday.year],
            "profiles": self.profiles,
            "notes": self.notes,
            "labels": self.labels,
            "details": [list(detail) for detail in self.details],
            "how_met": self.how_met,
            "connected_on": self.connected_on.isoformat() if self.connected_on else None,
        }
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any], *, file: str, line: int) -> Person:
        birthday = data.get("birthday")
        connected_on = data.get("connected_on")
        return cls(
            file=file,
            line=line,
            first_name=data.get("first_name", ""),
            last_name=data.get("last_name", ""),
            company=data.get("company", ""),
            position=data.get("position", ""),
            emails=list(data.get("emails", [])),
            phones=list(data.get("phones", [])),
            birthday=Birthday(*birthday) if birthday else None,
            profiles=dict(data.get("profiles", {})),
            notes=data.get("notes", ""),
            labels=list(data.get("labels", [])),
            details=[(kind, value) for kind, value in data.get("details", [])],
            how_met=data.get("how_met", ""),
            connected_on=date.fromisoformat(connected_on) if connected_on else None,
        )


@dataclass(frozen=True)
class Message:
    """One LinkedIn message (messages.csv): who wrote to whom, when (UTC)."""

    file: str
    line: int
    conversation: str
    sender_url: str
    sender_name: str
    recipient_urls: tuple[str, ...]
    recipient_names: tuple[str, ...]
    sent_at: datetime
    content: str = ""


@dataclass(frozen=True)
class RowError:
    """A row that could not be read; the rest of the file still imports."""

    file: str
    line: int
    reason: str
    code: str = ""  # imports.sources.reasons.Reason, as for Unreadable


@dataclass(frozen=True)
class NeedsMapping:
    """A CSV of no known layout: the user maps its columns (suggested from the headers)."""

    file: str
    headers: tuple[str, ...]
    suggested: tuple[str, ...]  # one field name per column (see imports.sources.csvfiles.FIELDS), "" = ignore


Record = Person | Message | RowError
