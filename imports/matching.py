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
from collections.abc import Iterable
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


@dataclass
class _Person:
    """A row, or several folded into one, with its evidence."""

    rows: list[int]
    data: dict[str, Any]

    def evidence(self) -> set[tuple[str, str]]:
        found = {("email", e) for e in self.data.get("emails", [])}
        found |= {("phone", p) for p in self.data.get("phones", [])}
        profiles = self.data.get("profiles", {})
        found |= {("profile", profiles[k]) for k in IDENTIFYING_PROFILES if profiles.get(k)}
        return found

    @property
    def name_key(self) -> str:
        return fold_loose(f"{self.data.get('first_name', '')} {self.data.get('last_name', '')}")


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


def _name_words(data: dict[str, Any]) -> set[str]:
    return set(fold_loose(f"{data.get('first_name', '')} {data.get('last_name', '')}").split())


def contradicts(one: dict[str, Any], other: dict[str, Any]) -> bool:
    """Whether two descriptions are surely two people, whatever else they share: names with
    no word in common (a company's switchboard number or info@ address is shared by many),
    two different LinkedIn or XING profiles, or two different birthdays."""
    names, other_names = _name_words(one), _name_words(other)
    if names and other_names and not names & other_names:
        return True
    for key in IDENTIFYING_PROFILES:
        a, b = one.get("profiles", {}).get(key), other.get("profiles", {}).get(key)
        if a and b and a != b:
            return True
    a, b = one.get("birthday"), other.get("birthday")
    return bool(a and b and a[:2] != b[:2])


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


def fold_upload(rows: Iterable[tuple[int, dict[str, Any]]]) -> list[_Person]:
    """The upload's rows as people: rows sharing certain evidence, or an uncontradicted
    name, are one person (in the order of their first row)."""
    people: list[_Person] = []
    by_key: dict[tuple[str, str], _Person] = {}
    by_name: dict[str, list[_Person]] = defaultdict(list)
    for row_id, data in rows:
        person = _Person([row_id], data)
        found = [
            by_key[key]
            for key in person.evidence()
            if key in by_key and not contradicts(by_key[key].data, data)
        ]
        target = found[0] if found else None
        if target is None and person.name_key:
            target = next((p for p in by_name[person.name_key] if not contradicts(p.data, data)), None)
        if target is None:
            people.append(person)
            target = person
        else:
            target.rows.append(row_id)
            target.data = merge_data(target.data, data)
        for key in target.evidence():
            by_key.setdefault(key, target)
        if person.name_key and target not in by_name[person.name_key]:
            by_name[person.name_key].append(target)
    return people


@dataclass
class _Existing:
    """The owner's contacts by their evidence, read in four queries."""

    contacts: dict[int, Contact] = field(default_factory=dict)
    emails: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    phones: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    by_key: dict[tuple[str, str], set[int]] = field(default_factory=lambda: defaultdict(set))
    by_name: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))

    @classmethod
    def of(cls, owner_id: int) -> _Existing:
        existing = cls()
        for contact in Contact.objects.filter(owner_id=owner_id):
            existing.contacts[contact.pk] = contact
            existing.by_name[fold_loose(contact.name)].add(contact.pk)
            for key, url in profiles_of(contact).items():
                if key in IDENTIFYING_PROFILES:
                    existing.by_key["profile", url].add(contact.pk)
        for contact_id, address in ContactEmail.objects.filter(contact__owner_id=owner_id).values_list(
            "contact_id", "address"
        ):
            existing.emails[contact_id].append(address.lower())
            existing.by_key["email", address.lower()].add(contact_id)
        for contact_id, number in ContactPhone.objects.filter(contact__owner_id=owner_id).values_list(
            "contact_id", "number"
        ):
            existing.phones[contact_id].append(number)
            existing.by_key["phone", number].add(contact_id)
        return existing

    def described(self, contact_id: int) -> dict[str, Any]:
        contact = self.contacts[contact_id]
        return {
            "first_name": contact.first_name,
            "last_name": contact.last_name,
            "profiles": profiles_of(contact),
            "birthday": _birthday(contact),
        }

    def match(self, person: _Person) -> tuple[Contact | None, str]:
        certain: dict[int, str] = {}
        for kind, value in sorted(person.evidence()):
            for contact_id in self.by_key.get((kind, value), ()):
                if not contradicts(self.described(contact_id), person.data):
                    certain.setdefault(contact_id, kind)
        if certain:
            contact_id = min(certain)
            return self.contacts[contact_id], certain[contact_id]
        named = [
            self.contacts[pk]
            for pk in self.by_name.get(person.name_key, ())
            if not contradicts(self.described(pk), person.data)
        ]
        if len(named) == 1 and person.name_key:
            return named[0], "name"
        return None, ""


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


def match_rows(upload: Import) -> None:
    """Fold the upload's people and match each; the rows say what committing would do."""
    region = upload.owner.phone_region
    rows = ImportRow.objects.filter(upload=upload).exclude(status=RowStatus.ERROR)
    normalised = {row_id: normalise(data, region=region) for row_id, data in rows.values_list("pk", "data")}
    people = fold_upload(normalised.items())
    existing = _Existing.of(upload.owner_id)
    days = staged_days(upload)
    logged = logged_days(upload.owner_id, upload.owner.zone)
    updated: list[ImportRow] = []
    for person in people:
        first, *others = person.rows
        contact, evidence = existing.match(person)
        row = ImportRow(
            pk=first, data=normalised[first], folded_into=None, contact=contact, evidence=evidence
        )
        row.status = RowStatus.MATCH if contact else RowStatus.NEW
        row.adds, row.conflicts = changes(contact, person.data, existing) if contact else ({}, {})
        row.touches = len(touch_days(person.rows, contact, days, logged))
        updated.append(row)
        for pk in others:
            updated.append(
                ImportRow(
                    pk=pk,
                    data=normalised[pk],
                    status=RowStatus.DUPLICATE,
                    folded_into_id=first,
                    contact=None,
                    evidence="",
                    adds={},
                    conflicts={},
                    touches=0,
                )
            )
    ImportRow.objects.bulk_update(
        updated,
        ["data", "status", "folded_into", "contact", "evidence", "adds", "conflicts", "touches"],
        batch_size=500,
    )


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
