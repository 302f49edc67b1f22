"""Who is who: the upload's people folded into one per person, each matched to a contact.

Certain evidence is a shared e-mail, phone (E.164) or LinkedIn/XING profile; likely evidence the
same folded name (`contacts.folding.fold_loose`) where nothing contradicts it (two different
LinkedIn profiles or birthdays are two people). Rows of the upload sharing evidence become one
person: the first row stands for it, the others are DUPLICATE, folded into it. Each person then
matches the contact with certain evidence, or the one contact of that name; several contacts of
one name match none (the next issue's duplicates page sorts them out).

For a match, what committing would change is worked out field by field: what the contact lacks
is added (`adds`), a field both have with different values is a conflict the user picks (the
contact's value by default).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError

from contacts.folding import fold, fold_loose
from contacts.models import Contact, ContactEmail, ContactPhone, normalise_phone
from imports.models import Import, ImportRow, RowStatus, StagedTouch
from imports.sources.records import PROFILE_KEYS
from imports.sources.urls import normalise_profile_url
from touchpoints.kinds import Kind
from touchpoints.models import Touchpoint

# Profiles that name one person: two different ones are two people.
IDENTIFYING_PROFILES = ("linkedin", "xing")
SCALARS = ("first_name", "last_name", "company", "position")


@dataclass(slots=True, frozen=True)
class Identity:
    """What tells one person from another, in little memory: a row's (or a contact's) certain
    evidence, its name, and what would contradict a match (profiles, birthday)."""

    evidence: frozenset[tuple[str, str]]
    names: frozenset[str]
    name_key: str
    profiles: tuple[str, str]  # LinkedIn, XING
    birthday: tuple[int, int] | None

    @classmethod
    def of(cls, data: dict[str, Any]) -> Identity:
        profiles = data.get("profiles", {})
        found = {("email", e) for e in data.get("emails", [])}
        found |= {("phone", p) for p in data.get("phones", [])}
        found |= {("profile", profiles[k]) for k in IDENTIFYING_PROFILES if profiles.get(k)}
        name_key = fold_loose(f"{data.get('first_name', '')} {data.get('last_name', '')}")
        birthday = data.get("birthday")
        return cls(
            evidence=frozenset(found),
            names=frozenset(name_key.split()),
            name_key=name_key,
            profiles=(profiles.get("linkedin", ""), profiles.get("xing", "")),
            birthday=(birthday[0], birthday[1]) if birthday else None,
        )

    def joined(self, other: Identity) -> Identity:
        """One person's identity from two of its rows: evidence of both, the first's name."""
        return Identity(
            evidence=self.evidence | other.evidence,
            names=self.names,
            name_key=self.name_key,
            profiles=(self.profiles[0] or other.profiles[0], self.profiles[1] or other.profiles[1]),
            birthday=self.birthday or other.birthday,
        )

    def contradicts(self, other: Identity, *, by_name: bool = False) -> bool:
        """Surely two people: names with no word in common (a company's switchboard number or
        info@ address is shared by many), or two different LinkedIn or XING profiles; for a
        match by name alone also two different birthdays (with a shared e-mail, phone or
        profile a different birthday is a typo to settle in the preview, not another person)."""
        if self.names and other.names and not self.names & other.names:
            return True
        for mine, theirs in zip(self.profiles, other.profiles, strict=True):
            if mine and theirs and mine != theirs:
                return True
        return by_name and bool(self.birthday and other.birthday and self.birthday != other.birthday)


@dataclass(slots=True)
class _Person:
    """A row, or several folded into one."""

    rows: list[int]
    identity: Identity


def merge_data(first: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """Two descriptions of one person as one: lists joined, blanks filled, the first kept."""
    merged = dict(first)
    for name in ("emails", "phones", "labels", "invalid_phones"):
        merged[name] = list(dict.fromkeys([*first.get(name, []), *other.get(name, [])]))
    for name in (*SCALARS, "how_met", "birthday", "connected_on"):
        if not merged.get(name) and other.get(name):
            merged[name] = other[name]
    merged["profiles"] = {**other.get("profiles", {}), **first.get("profiles", {})}
    notes = [first.get("notes", ""), other.get("notes", "")]
    merged["notes"] = "\n\n".join(dict.fromkeys(n for n in notes if n))
    if first.get("connected_on") and other.get("connected_on"):
        merged["connected_on"] = min(first["connected_on"], other["connected_on"])
    return merged


def normalise(data: dict[str, Any], *, region: str) -> dict[str, Any]:
    """Phones to E.164 (the user's region for numbers without a country code); a number that
    cannot be read is kept as text, never dropped."""
    phones, invalid = [], list(data.get("invalid_phones", []))
    for raw in data.get("phones", []):
        try:
            phones.append(normalise_phone(raw, region=region))
        except ValidationError:
            invalid.append(raw)
    return {**data, "phones": list(dict.fromkeys(phones)), "invalid_phones": invalid}


class _Folding:
    """The upload's rows as people, a row at a time: rows sharing certain evidence, or an
    uncontradicted name, are one person (in the order of their first row)."""

    def __init__(self) -> None:
        self.people: list[_Person] = []
        self.by_key: dict[tuple[str, str], _Person] = {}
        self.by_name: dict[str, list[_Person]] = defaultdict(list)

    def add(self, row_id: int, identity: Identity) -> None:
        target = next(
            (
                self.by_key[key]
                for key in identity.evidence
                if key in self.by_key and not self.by_key[key].identity.contradicts(identity)
            ),
            None,
        )
        if target is None and identity.name_key:
            named = self.by_name[identity.name_key]
            target = next((p for p in named if not p.identity.contradicts(identity, by_name=True)), None)
        if target is None:
            target = _Person([row_id], identity)
            self.people.append(target)
        else:
            target.rows.append(row_id)
            target.identity = target.identity.joined(identity)
        for key in identity.evidence:
            self.by_key.setdefault(key, target)
        if identity.name_key and target not in self.by_name[identity.name_key]:
            self.by_name[identity.name_key].append(target)


# What matching and the preview's changes read of the owner's contacts.
MATCHED_FIELDS = (
    *SCALARS,
    "birthday_day",
    "birthday_month",
    "birthday_year",
    "how_met",
    "notes",
    "created_at",
    "linkedin_url",
    "xing_url",
    "facebook_url",
    "x_url",
    "instagram_url",
    "website",
)


@dataclass
class _Existing:
    """The owner's contacts by their evidence, read in three queries."""

    contacts: dict[int, Contact] = field(default_factory=dict)
    identities: dict[int, Identity] = field(default_factory=dict)
    emails: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    phones: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    by_key: dict[tuple[str, str], set[int]] = field(default_factory=lambda: defaultdict(set))
    by_name: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))

    @classmethod
    def of(cls, owner_id: int) -> _Existing:
        existing = cls()
        for contact_id, address in ContactEmail.objects.filter(contact__owner_id=owner_id).values_list(
            "contact_id", "address"
        ):
            existing.emails[contact_id].append(address.lower())
        for contact_id, number in ContactPhone.objects.filter(contact__owner_id=owner_id).values_list(
            "contact_id", "number"
        ):
            existing.phones[contact_id].append(number)
        for contact in Contact.objects.filter(owner_id=owner_id).only(*MATCHED_FIELDS):
            identity = Identity.of(
                {
                    "first_name": contact.first_name,
                    "last_name": contact.last_name,
                    "emails": existing.emails[contact.pk],
                    "phones": existing.phones[contact.pk],
                    "profiles": profiles_of(contact),
                    "birthday": _birthday(contact),
                }
            )
            existing.contacts[contact.pk] = contact
            existing.identities[contact.pk] = identity
            existing.by_name[identity.name_key].add(contact.pk)
            for key in identity.evidence:
                existing.by_key[key].add(contact.pk)
        return existing

    def match(self, identity: Identity) -> tuple[Contact | None, str]:
        """The contact with certain evidence (the oldest, if several), else the one contact of
        that name; nothing where the name is shared by several."""
        certain = sorted(
            (contact_id, kind)
            for kind, value in identity.evidence
            for contact_id in self.by_key.get((kind, value), ())
            if not self.identities[contact_id].contradicts(identity)
        )
        if certain:
            contact_id, kind = certain[0]
            return self.contacts[contact_id], kind
        named = []
        for contact_id in self.by_name.get(identity.name_key, ()) if identity.name_key else ():
            if not self.identities[contact_id].contradicts(identity, by_name=True):
                named.append(contact_id)
                if len(named) > 1:
                    return None, ""
        return (self.contacts[named[0]], "name") if named else (None, "")


def profiles_of(contact: Contact) -> dict[str, str]:
    """The contact's profile URLs, normalised as the readers normalise them."""
    found = {}
    for key in PROFILE_KEYS:
        value = getattr(contact, "website" if key == "website" else f"{key}_url")
        normalised = normalise_profile_url(value) if value else None
        if normalised is not None:
            found[key] = normalised[1] if normalised[0] == key else value
        elif value:
            found[key] = value
    return found


def _birthday(contact: Contact) -> list[int | None] | None:
    if contact.birthday_day is None or contact.birthday_month is None:
        return None
    return [contact.birthday_day, contact.birthday_month, contact.birthday_year]


def changes(
    contact: Contact, data: dict[str, Any], existing: _Existing
) -> tuple[dict[str, Any], dict[str, Any]]:
    """What the import would add to `contact`, and the conflicts for the user to pick."""
    adds: dict[str, Any] = {}
    conflicts: dict[str, Any] = {}
    current: dict[str, Any] = {name: getattr(contact, name) for name in SCALARS}
    current["birthday"] = _birthday(contact)
    current.update({f"profile:{k}": v for k, v in profiles_of(contact).items()})
    imported: dict[str, Any] = {name: data.get(name) or "" for name in SCALARS}
    imported["birthday"] = data.get("birthday")
    imported.update({f"profile:{k}": v for k, v in data.get("profiles", {}).items()})
    for name, value in imported.items():
        if not value:
            continue
        now = current.get(name)
        if not now:
            adds[name] = value
        elif _differs(name, now, value):
            conflicts[name] = [now, value]
    if not contact.how_met and data.get("how_met"):
        adds["how_met"] = data["how_met"]
    notes = data.get("notes", "")
    if notes and fold(notes) not in fold(contact.notes):
        adds["notes"] = notes
    for name, have in (("emails", existing.emails[contact.pk]), ("phones", existing.phones[contact.pk])):
        new = [value for value in data.get(name, []) if value not in have]
        if new:
            adds[name] = new
    if data.get("invalid_phones"):
        adds["invalid_phones"] = data["invalid_phones"]
    if data.get("labels"):
        adds["labels"] = data["labels"]
    connected = data.get("connected_on")
    if connected and connected < contact.created_at.date().isoformat():
        adds["connected_on"] = connected
    return adds, conflicts


def _differs(name: str, now: Any, imported: Any) -> bool:
    if name == "birthday":
        return bool(list(now[:2]) != list(imported[:2]) or (now[2] and imported[2] and now[2] != imported[2]))
    return fold(str(now)) != fold(str(imported))


# Rows read and written per query while matching.
CHUNK = 1000
WRITTEN = ["data", "status", "folded_into", "contact", "evidence", "adds", "conflicts", "touches"]


def match_rows(upload: Import) -> None:
    """Fold the upload's people and match each; the rows say what committing would do.

    Memory holds each row's `Identity`, not its data: the data is read again only for the
    people who match a contact (what would change) or who stand for several rows, and only
    the rows that differ from a plain new person are written back.
    """
    folding = _fold(upload)
    existing = _Existing.of(upload.owner_id)
    days = staged_days(upload)
    logged = logged_days(upload.owner_id, upload.owner.zone)
    outcome: dict[int, dict[str, Any]] = {}
    matched: list[tuple[_Person, Contact]] = []
    for person in folding.people:
        first, *others = person.rows
        contact, evidence = existing.match(person.identity)
        touches = len(touch_days(person.rows, contact, days, logged))
        if contact is not None:
            matched.append((person, contact))
            outcome[first] = {"status": RowStatus.MATCH, "contact": contact, "evidence": evidence}
        if touches:
            outcome.setdefault(first, {})["touches"] = touches
        for pk in others:
            outcome[pk] = {"status": RowStatus.DUPLICATE, "folded_into_id": first}
    for (person, contact), data in zip(matched, _merged(p for p, _c in matched), strict=True):
        outcome[person.rows[0]]["adds"], outcome[person.rows[0]]["conflicts"] = changes(
            contact, data, existing
        )
    _write(outcome)


def _fold(upload: Import) -> _Folding:
    """Each row's phones normalised (written back where they changed), and the rows folded."""
    region = upload.owner.phone_region
    folding, batch = _Folding(), []
    rows = ImportRow.objects.filter(upload=upload).exclude(status=RowStatus.ERROR).order_by("pk")
    for row_id, data in rows.values_list("pk", "data").iterator(chunk_size=CHUNK):
        clean = normalise(data, region=region)
        if clean != data:
            batch.append((row_id, clean))
        folding.add(row_id, Identity.of(clean))
        if len(batch) >= CHUNK:
            _write_data(batch)
            batch = []
    _write_data(batch)
    return folding


def _write_data(batch: list[tuple[int, dict[str, Any]]]) -> None:
    rows = ImportRow.objects.in_bulk([pk for pk, _data in batch])
    for pk, data in batch:
        rows[pk].data = data
    _upsert(list(rows.values()), ["data"])


def _upsert(rows: list[ImportRow], fields: list[str]) -> None:
    """Rows written back by primary key in one INSERT … ON CONFLICT per chunk (bulk_update's
    CASE per field and row costs seconds at ten thousand rows)."""
    if rows:
        ImportRow.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["id"], update_fields=fields, batch_size=CHUNK
        )


def _merged(people: Iterable[_Person]) -> Iterator[dict[str, Any]]:
    """Each person's data, its rows merged, read a chunk of people at a time."""
    people = list(people)
    for start in range(0, len(people), CHUNK):
        chunk = people[start : start + CHUNK]
        data = dict(
            ImportRow.objects.filter(pk__in=[pk for p in chunk for pk in p.rows]).values_list("pk", "data")
        )
        for person in chunk:
            merged = data[person.rows[0]]
            for pk in person.rows[1:]:
                merged = merge_data(merged, data[pk])
            yield merged


def _write(outcome: dict[int, dict[str, Any]]) -> None:
    """The rows that differ from a plain new person: matches, duplicates, rows with touches."""
    ids = sorted(outcome)
    for start in range(0, len(ids), CHUNK):
        rows = ImportRow.objects.in_bulk(ids[start : start + CHUNK])
        for pk, row in rows.items():
            for name, value in outcome[pk].items():
                setattr(row, name, value)
        _upsert(list(rows.values()), WRITTEN)


def staged_days(upload: Import) -> dict[int, dict[date, int]]:
    """Each row's staged touches by the owner's local day (one a day: see imports.reading)."""
    zone = upload.owner.zone
    found: dict[int, dict[date, int]] = defaultdict(dict)
    for pk, row_id, happened_at in StagedTouch.objects.filter(row__upload=upload).values_list(
        "pk", "row_id", "happened_at"
    ):
        found[row_id].setdefault(happened_at.astimezone(zone).date(), pk)
    return found


def logged_days(owner_id: int, zone: ZoneInfo) -> set[tuple[int, date]]:
    """The days on which a contact of the owner already has a message touch: importing the
    same messages again adds none."""
    return {
        (contact_id, happened_at.astimezone(zone).date())
        for contact_id, happened_at in Touchpoint.objects.filter(
            contact__owner_id=owner_id, kind=Kind.MESSAGE
        ).values_list("contact_id", "happened_at")
    }


def touch_days(
    rows: Iterable[int],
    contact: Contact | None,
    days: dict[int, dict[date, int]],
    logged: set[tuple[int, date]],
) -> dict[date, int]:
    """The staged touches a person's rows would log: one a day, none on a day already logged."""
    found: dict[date, int] = {}
    for row_id in rows:
        for day, staged in days.get(row_id, {}).items():
            if contact is not None and (contact.pk, day) in logged:
                continue
            found.setdefault(day, staged)
    return found
