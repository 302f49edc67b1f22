"""Committing an import: all of it in one transaction, through the contacts' and touches' own
save paths (contacts.roster, touchpoints.ledger), with what undo needs recorded beside it.

New people become loose contacts waiting to be sorted, at the online stage or, met at an event, a
club or a fair, at "met in person" (R1) (an import never makes a
strong tie: `roster.create_contacts` refuses one). A matched contact gets what it lacked and, for
each conflict, the value the user picked; its values before are kept for undo. LinkedIn message
days become `message` touches, logged through `ledger.log_in_bulk`, so each summary is right the
moment the transaction commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from django.db import transaction
from django.utils import translation

from contacts import keys, roster
from contacts.choices import Circle, Sorting, starting_stage
from contacts.models import Contact, ContactEmail, ContactPhone, StageChange, Tag
from contacts.moments import day_start
from imports import details
from imports.matching import MATCHED_FIELDS, logged_days, merge_data, staged_days, touch_days
from imports.models import Import, ImportedContact, ImportedTag, ImportRow, RowStatus, StagedTouch
from netzwerk.accounts.models import User
from touchpoints import ledger
from touchpoints.models import Touchpoint

# What undo restores on a contact the import changed: every field the import may write (those
# matching compares), and the moment of the last change.
RESTORED_FIELDS = (*MATCHED_FIELDS, "updated_at")
PROFILE_FIELDS = {**keys.PROFILE_FIELDS, "website": "website"}
MAX_LENGTHS: dict[str, int] = {
    name: getattr(Contact._meta.get_field(name), "max_length", 0)
    for name in ("first_name", "last_name", "company", "position")
}


class NotCommittable(Exception):
    """The import is not waiting in its preview (committed, undone, or still reading)."""


@dataclass
class _Person:
    row: ImportRow
    rows: list[int]
    data: dict[str, Any]
    contact: Contact | None = None
    emails: list[ContactEmail] = field(default_factory=list)
    phones: list[ContactPhone] = field(default_factory=list)
    tags: list[Tag] = field(default_factory=list)
    touches: list[Touchpoint] = field(default_factory=list)
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)
    changed: bool = False


def commit(upload_id: int, *, now: datetime) -> Import:
    with transaction.atomic():
        upload = Import.objects.select_for_update().select_related("owner").get(pk=upload_id)
        if upload.status != Import.Status.PREVIEW:
            raise NotCommittable(upload.status)
        people = _people(upload)
        new = [person for person in people if person.row.status == RowStatus.NEW]
        matched = [person for person in people if person.row.status == RowStatus.MATCH]
        with translation.override(upload.owner.language):  # the notes' words (imports.details)
            _create(upload.owner, new, now=now)
            _update(upload.owner, matched, now=now)
        tags = _tags(upload, people)
        touches = _touches(upload, people)
        _record(upload, people)
        upload.status = Import.Status.COMMITTED
        upload.committed_at = now
        upload.report = {
            **upload.report,
            "created": len(new),
            "updated": sum(1 for person in matched if person.changed),
            "touches_logged": touches,
            "tags_created": tags,
        }
        upload.save(update_fields=["status", "committed_at", "report"])
        _drop_staging(upload)
    return upload


def _people(upload: Import) -> list[_Person]:
    """The included people: each first row with its included duplicates folded in."""
    rows = list(
        ImportRow.objects.filter(upload=upload, included=True).exclude(status=RowStatus.ERROR).order_by("pk")
    )
    people = {row.pk: _Person(row, [row.pk], row.data) for row in rows if row.status != RowStatus.DUPLICATE}
    for row in rows:
        person = people.get(row.folded_into_id or 0)
        if row.status == RowStatus.DUPLICATE and person is not None:
            person.rows.append(row.pk)
            person.data = merge_data(person.data, row.data)
    found = list(people.values())
    for person in found:
        if person.row.status == RowStatus.MATCH and person.row.contact_id is None:
            person.row.status = RowStatus.NEW  # the contact was deleted since the preview
    return found


def _local_midnight(day: str, owner: User) -> datetime:
    return day_start(date.fromisoformat(day), owner.zone)


def _contact_fields(data: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {name: str(data.get(name) or "")[: MAX_LENGTHS[name]] for name in MAX_LENGTHS}
    birthday = data.get("birthday")
    if birthday:
        fields["birthday_day"], fields["birthday_month"], fields["birthday_year"] = birthday
    for key, url in data.get("profiles", {}).items():
        if key in PROFILE_FIELDS and len(url) <= 200:
            fields[PROFILE_FIELDS[key]] = url
    return fields


def _notes(data: dict[str, Any]) -> str:
    """The file's notes, then what the contact has no field for (imports.details) and any phone
    number that could not be read, kept as text."""
    parts = [data.get("notes", ""), *details.lines(data.get("details", []))]
    parts += [f"☎ {raw}" for raw in data.get("invalid_phones", [])]
    return "\n".join(part for part in parts if part)


def _create(owner: User, people: list[_Person], *, now: datetime) -> None:
    for person in people:
        person.contact = Contact(
            owner=owner,
            circle=Circle.LOOSE,
            stage=starting_stage(person.data.get("how_met", "")),
            sorting=Sorting.UNSORTED,
            how_met=person.data.get("how_met", ""),
            notes=_notes(person.data),
            **_contact_fields(person.data),
        )
    created = roster.create_contacts(owner, [person.contact for person in people if person.contact])
    # created_at is set on insert; LinkedIn's "connected on" is when the contact began
    dated = []
    for person, contact in zip(people, created, strict=True):
        if person.data.get("connected_on"):
            contact.created_at = min(_local_midnight(person.data["connected_on"], owner), now)
            dated.append(contact)
    Contact.objects.bulk_update(dated, ["created_at"], batch_size=500)
    StageChange.objects.bulk_create(
        (
            StageChange(
                contact=contact,
                from_stage="",
                to_stage=contact.stage,
                cause=StageChange.Cause.CREATED,
                changed_at=contact.created_at,
            )
            for contact in created
        ),
        batch_size=500,
    )
    for person in people:
        assert person.contact is not None
        person.emails = [
            ContactEmail(contact=person.contact, address=a) for a in person.data.get("emails", [])
        ]
        person.phones = [
            ContactPhone(contact=person.contact, number=n) for n in person.data.get("phones", [])
        ]
    _add_details(people)


def _add_details(people: Iterable[_Person]) -> None:
    people = list(people)
    ContactEmail.objects.bulk_create([e for p in people for e in p.emails], batch_size=500)
    ContactPhone.objects.bulk_create([n for p in people for n in p.phones], batch_size=500)


def _update(owner: User, people: list[_Person], *, now: datetime) -> None:
    """Bring each matched contact what it lacked and the picked values; keep its values before."""
    ids = sorted(person.row.contact_id for person in people if person.row.contact_id)
    locked = {c.pk: c for c in Contact.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    for person in people:
        contact = locked[person.row.contact_id]  # type: ignore[index]
        person.contact = contact
        adds, conflicts = person.row.adds, person.row.conflicts
        picked = {
            name: conflicts[name][1]
            for name, choice in person.row.choices.items()
            if choice == "imported" and name in conflicts
        }
        values = {**{k: v for k, v in adds.items() if k not in _LISTS}, **picked}
        snapshot = {name: getattr(contact, name) for name in RESTORED_FIELDS}
        changed = _apply(contact, values, adds, owner=owner)
        person.emails = [ContactEmail(contact=contact, address=a) for a in adds.get("emails", [])]
        person.phones = [ContactPhone(contact=contact, number=n) for n in adds.get("phones", [])]
        if changed:
            roster.save_contact(contact, now=now)
        elif person.emails or person.phones:
            # a new phone or e-mail is a change too: Today, kept until its contacts change, offers them
            contact.save(update_fields=["updated_at"])
        person.changed = bool(changed or person.emails or person.phones)
        person.before = {name: _json(value) for name, value in snapshot.items()}
        person.after = {name: _json(getattr(contact, name)) for name in RESTORED_FIELDS}
    _add_details(people)


_LISTS = frozenset({"emails", "phones", "labels", "invalid_phones", "connected_on", "notes", "details"})


def _apply(contact: Contact, values: dict[str, Any], adds: dict[str, Any], *, owner: User) -> bool:
    fields = _contact_fields(
        {
            **{name: values[name] for name in MAX_LENGTHS if name in values},
            "birthday": values.get("birthday"),
            "profiles": {k.split(":", 1)[1]: v for k, v in values.items() if k.startswith("profile:")},
        }
    )
    # _contact_fields gives every name field ("" when absent): only those the import brings
    fields = {name: value for name, value in fields.items() if name not in MAX_LENGTHS or name in values}
    if values.get("how_met"):
        fields["how_met"] = values["how_met"]
    notes = _notes({name: adds[name] for name in ("notes", "details", "invalid_phones") if name in adds})
    if notes:
        fields["notes"] = f"{contact.notes}\n\n{notes}".strip()
    if adds.get("connected_on"):
        fields["created_at"] = min(_local_midnight(adds["connected_on"], owner), contact.created_at)
    for name, value in fields.items():
        setattr(contact, name, value)
    return bool(fields)


def _json(value: Any) -> Any:
    # in UTC: undo compares these with the values read back, which come in UTC
    return value.astimezone(UTC).isoformat() if isinstance(value, datetime) else value


def _tags(upload: Import, people: list[_Person]) -> int:
    """The files' labels as the owner's tags (one per name, whatever its case)."""
    names = {label.strip()[:50] for p in people for label in p.data.get("labels", []) if label.strip()}
    if not names:
        return 0
    owner = upload.owner
    existing: dict[str, Tag] = {t.name.casefold(): t for t in Tag.objects.filter(owner=owner)}
    missing = sorted({name for name in names if name.casefold() not in existing}, key=str.casefold)
    unique = list({name.casefold(): name for name in missing}.values())
    created = Tag.objects.bulk_create([Tag(owner=owner, name=name) for name in unique])
    existing.update({tag.name.casefold(): tag for tag in created})
    ImportedTag.objects.bulk_create([ImportedTag(upload=upload, tag=tag) for tag in created])
    links = []
    # only a matched contact can have tags already
    matched = [p.contact.pk for p in people if p.contact and p.row.status == RowStatus.MATCH]
    have = set(
        Contact.tags.through.objects.filter(contact_id__in=matched).values_list("contact_id", "tag_id")
    )
    for person in people:
        assert person.contact is not None
        for label in dict.fromkeys(
            label.strip()[:50].casefold() for label in person.data.get("labels", []) if label.strip()
        ):
            tag = existing[label]
            if (person.contact.pk, tag.pk) not in have:
                have.add((person.contact.pk, tag.pk))
                person.tags.append(tag)
                links.append(Contact.tags.through(contact_id=person.contact.pk, tag_id=tag.pk))
    Contact.tags.through.objects.bulk_create(links, batch_size=500)
    return len(created)


def _touches(upload: Import, people: list[_Person]) -> int:
    days = staged_days(upload)
    if not days:
        return 0
    logged = logged_days(upload.owner_id, upload.owner.zone)
    staged = {s.pk: s for s in StagedTouch.objects.filter(row__upload=upload)}
    for person in people:
        assert person.contact is not None
        matched = person.contact if person.row.status == RowStatus.MATCH else None
        for staged_id in touch_days(person.rows, matched, days, logged).values():
            touch = staged[staged_id]
            person.touches.append(
                Touchpoint(
                    contact=person.contact,
                    kind=touch.kind,
                    happened_at=touch.happened_at,
                    initiated_by=touch.initiated_by,
                    note=touch.note if upload.keep_message_text else "",
                )
            )
    return len(ledger.log_in_bulk([t for p in people for t in p.touches]))


def _record(upload: Import, people: list[_Person]) -> None:
    """What undo needs: each contact created or changed, and what was added to it."""
    kept = [p for p in people if p.row.status == RowStatus.NEW or p.changed or p.tags or p.touches]
    records = ImportedContact.objects.bulk_create(
        [
            ImportedContact(
                upload=upload,
                contact=p.contact,
                created=p.row.status == RowStatus.NEW,
                before=p.before,
                after=p.after,
            )
            for p in kept
        ],
        batch_size=500,
    )
    through = ImportedContact
    for name, attribute in (
        ("emails", "contactemail"),
        ("phones", "contactphone"),
        ("tags", "tag"),
        ("touches", "touchpoint"),
    ):
        model = getattr(through, name).through
        model.objects.bulk_create(
            [
                model(**{"importedcontact_id": record.pk, f"{attribute}_id": item.pk})
                for record, person in zip(records, kept, strict=True)
                # a created contact's too: should it live on in a merge, undo takes back what
                # this import brought and nothing else (imports.merge, imports.undo)
                for item in getattr(person, name)
            ],
            batch_size=500,
        )


def _drop_staging(upload: Import) -> None:
    """The files and the rows read from them go; the rows not imported stay for the report."""
    upload.files.all().delete()
    StagedTouch.objects.filter(row__upload=upload).delete()
    ImportRow.objects.filter(upload=upload, included=True).exclude(status=RowStatus.ERROR).delete()
