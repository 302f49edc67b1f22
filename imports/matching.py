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

from contacts.folding import fold
from contacts.keys import PROFILE_FIELDS
from contacts.models import Contact, ContactEmail, ContactPhone
from imports import details
from imports.folding import CHUNK, Identity, chunks, fold_upload, upsert
from imports.models import Import, ImportKey, ImportRow, RowStatus, StagedTouch
from imports.sources.records import PROFILE_KEYS
from imports.sources.urls import normalise_profile_url
from touchpoints.kinds import Kind
from touchpoints.models import Touchpoint

SCALARS = ("first_name", "last_name", "company", "position")


def merge_data(first: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """Two descriptions of one person as one: lists joined, blanks filled, the first kept."""
    merged = dict(first)
    for name in ("emails", "phones", "labels", "invalid_phones"):
        merged[name] = list(dict.fromkeys([*first.get(name, []), *other.get(name, [])]))
    pairs = [tuple(detail) for detail in (*first.get("details", []), *other.get("details", []))]
    merged["details"] = [list(detail) for detail in dict.fromkeys(pairs)]
    for name in (*SCALARS, "how_met", "birthday", "connected_on"):
        if not merged.get(name) and other.get(name):
            merged[name] = other[name]
    merged["profiles"] = {**other.get("profiles", {}), **first.get("profiles", {})}
    notes = [first.get("notes", ""), other.get("notes", "")]
    merged["notes"] = "\n\n".join(dict.fromkeys(n for n in notes if n))
    if first.get("connected_on") and other.get("connected_on"):
        merged["connected_on"] = min(first["connected_on"], other["connected_on"])
    return merged


# What matching and the preview's changes read of the owner's contacts.
MATCHED_FIELDS = (
    *SCALARS,
    "birthday_day",
    "birthday_month",
    "birthday_year",
    "how_met",
    "notes",
    "created_at",
    *PROFILE_FIELDS.values(),
    "website",
)


@dataclass
class _Existing:
    """The owner's contacts by their evidence, read in four queries."""

    contacts: dict[int, Contact] = field(default_factory=dict)
    identities: dict[int, Identity] = field(default_factory=dict)
    emails: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    phones: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    tags: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
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
        for contact_id, tag in Contact.tags.through.objects.filter(contact__owner_id=owner_id).values_list(
            "contact_id", "tag__name"
        ):
            existing.tags[contact_id].add(tag.casefold())
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
    # what commit would write again, it leaves out: importing the same file twice adds nothing
    unread = [raw for raw in data.get("invalid_phones", []) if f"☎ {raw}" not in contact.notes]
    if unread:
        adds["invalid_phones"] = unread
    if kept := details.missing(data.get("details", []), contact.notes):
        adds["details"] = kept
    labels = [
        label
        for label in data.get("labels", [])
        if label.strip()[:50].casefold() not in existing.tags[contact.pk]
    ]
    if labels:
        adds["labels"] = labels
    connected = data.get("connected_on")
    if connected and connected < contact.created_at.date().isoformat():
        adds["connected_on"] = connected
    return adds, conflicts


def _differs(name: str, now: Any, imported: Any) -> bool:
    if name == "birthday":
        return bool(list(now[:2]) != list(imported[:2]) or (now[2] and imported[2] and now[2] != imported[2]))
    return fold(str(now)) != fold(str(imported))


def match_rows(upload: Import) -> None:
    """Fold the upload's people (imports.folding), then match each person to a contact, a chunk
    of people at a time; the rows say what committing would do. Only the rows that differ from
    a plain new person are written back."""
    fold_upload(upload)
    existing = _Existing.of(upload.owner_id)
    days = staged_days(upload)
    logged = logged_days(upload.owner_id, upload.owner.zone)
    people = ImportRow.objects.filter(upload=upload, status=RowStatus.NEW).order_by("pk")
    for chunk in chunks(people.values_list("pk", flat=True).iterator(chunk_size=CHUNK)):
        keys: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for person, kind, value in ImportKey.objects.filter(person_id__in=chunk).values_list(
            "person_id", "kind", "value"
        ):
            keys[person].append((kind, value))
        rows: dict[int, list[int]] = {pk: [pk] for pk in chunk}
        for first, pk in ImportRow.objects.filter(folded_into_id__in=chunk).values_list(
            "folded_into_id", "pk"
        ):
            rows[first].append(pk)
        outcome: dict[int, dict[str, Any]] = {}
        for pk in chunk:
            contact, evidence = existing.match(Identity.from_keys(keys[pk]))
            touches = len(touch_days(rows[pk], contact, days, logged))
            if contact is not None:
                outcome[pk] = {"status": RowStatus.MATCH, "contact": contact, "evidence": evidence}
            if touches:
                outcome.setdefault(pk, {})["touches"] = touches
        matched = [pk for pk in chunk if "contact" in outcome.get(pk, {})]
        for pk, data in zip(matched, _merged([rows[pk] for pk in matched]), strict=True):
            outcome[pk]["adds"], outcome[pk]["conflicts"] = changes(outcome[pk]["contact"], data, existing)
        _write(outcome)


WRITTEN = ["status", "contact", "evidence", "adds", "conflicts", "touches"]


def _merged(people: list[list[int]]) -> list[dict[str, Any]]:
    """Each person's data, its rows merged (the first row's values first)."""
    data = dict(
        ImportRow.objects.filter(pk__in=[pk for rows in people for pk in rows]).values_list("pk", "data")
    )
    found = []
    for rows in people:
        merged = data[rows[0]]
        for pk in rows[1:]:
            merged = merge_data(merged, data[pk])
        found.append(merged)
    return found


def _write(outcome: dict[int, dict[str, Any]]) -> None:
    rows = ImportRow.objects.in_bulk(list(outcome))
    for pk, row in rows.items():
        for name, value in outcome[pk].items():
            setattr(row, name, value)
    upsert(list(rows.values()), WRITTEN)


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
    """The days on which a contact of the owner already has a message touch (or a mass mail,
    as a message to many is logged): importing the same messages again adds none."""
    return {
        (contact_id, happened_at.astimezone(zone).date())
        for contact_id, happened_at in Touchpoint.objects.filter(
            contact__owner_id=owner_id, kind__in=(Kind.MESSAGE, Kind.MASS_MAIL)
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
