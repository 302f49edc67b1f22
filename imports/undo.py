"""Taking an import back in one transaction: what it created is deleted, what it changed on
existing contacts restored from the values kept at commit.

What cannot be undone is said, not forced: a contact the import created on which the user has
logged a touch since, or to which a later import added, stays (with everything on it), and a
field of a changed contact that the user edited since keeps the user's value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.dateparse import parse_datetime

from contacts.models import KEY_FIELDS, Contact, ContactEmail, ContactPhone, Tag
from imports.commit import RESTORED_FIELDS
from imports.models import Import, ImportedContact
from touchpoints import ledger
from touchpoints.models import Touchpoint


class NotUndoable(Exception):
    """Only a committed import can be undone, and only once."""


@dataclass
class Undone:
    deleted: int = 0
    restored: int = 0
    # contacts kept: created by the import, touched or added to by a later import since
    kept: list[int] = field(default_factory=list)
    # contacts with fields the user changed since, left as the user made them
    edited: list[int] = field(default_factory=list)


def _imported_touches(upload: Import) -> Any:
    return ImportedContact.touches.through.objects.filter(importedcontact__upload=upload).values(
        "touchpoint_id"
    )


def undo(upload_id: int, *, now: datetime) -> Undone:
    with transaction.atomic():
        upload = Import.objects.select_for_update().get(pk=upload_id)
        if upload.status != Import.Status.COMMITTED:
            raise NotUndoable(upload.status)
        result = Undone(kept=[c.pk for c in kept_on_undo(upload)])
        created = ImportedContact.objects.filter(upload=upload, created=True).exclude(
            contact_id__in=result.kept
        )
        result.deleted = created.count()
        Contact.objects.filter(pk__in=created.values("contact_id")).delete()
        changed = list(
            ImportedContact.objects.filter(upload=upload, created=False).prefetch_related(
                "emails", "phones", "tags", "touches"
            )
        )
        _take_back_additions(changed)
        result.restored, result.edited = _restore(changed)
        _drop_unused_tags(upload)
        upload.status = Import.Status.UNDONE
        upload.undone_at = now
        upload.report = {
            **upload.report,
            "undo": {
                "deleted": result.deleted,
                "restored": result.restored,
                "kept": result.kept,
                "edited": result.edited,
            },
        }
        upload.save(update_fields=["status", "undone_at", "report"])
    return result


def deleted_on_undo(upload: Import, *, kept: list[Contact]) -> QuerySet[Contact]:
    """The contacts undo would delete: those the import created, but for the kept ones."""
    created = ImportedContact.objects.filter(upload=upload, created=True).values("contact_id")
    return (
        Contact.objects.filter(pk__in=created)
        .exclude(pk__in=[c.pk for c in kept])
        .order_by("last_name", "first_name", "pk")
    )


def kept_on_undo(upload: Import) -> list[Contact]:
    """The contacts the import created that undo keeps: the user has logged a touch since, or
    a later import (not undone) added to them; deleting them would take that away too."""
    imported = set(_imported_touches(upload).values_list("touchpoint_id", flat=True))
    created = ImportedContact.objects.filter(upload=upload, created=True).values("contact_id")
    touched = Touchpoint.objects.filter(contact_id__in=created).values_list("contact_id", "pk")
    kept = {contact_id for contact_id, pk in touched if pk not in imported}
    kept.update(
        ImportedContact.objects.filter(
            contact_id__in=created, created=False, upload__status=Import.Status.COMMITTED
        )
        .exclude(upload=upload)
        .values_list("contact_id", flat=True)
    )
    return list(Contact.objects.filter(pk__in=kept).order_by("last_name", "first_name", "pk"))


def changed_on_undo(upload: Import) -> int:
    """The contacts the import changed (or created, merged since into another) that undo
    takes its additions and values back from."""
    return ImportedContact.objects.filter(upload=upload, created=False).count()


def _take_back_additions(changed: list[ImportedContact]) -> None:
    ContactEmail.objects.filter(pk__in=[e.pk for r in changed for e in r.emails.all()]).delete()
    ContactPhone.objects.filter(pk__in=[p.pk for r in changed for p in r.phones.all()]).delete()
    Contact.tags.through.objects.filter(
        pk__in=[
            link.pk
            for r in changed
            for link in Contact.tags.through.objects.filter(contact_id=r.contact_id, tag__in=r.tags.all())
        ]
    ).delete()
    ledger.delete_in_bulk([t.pk for r in changed for t in r.touches.all()])


def _restore(changed: list[ImportedContact]) -> tuple[int, list[int]]:
    """Each changed contact's fields as before, where they still hold the import's value; the
    last change's moment too, so the contact reads as if the import had not happened."""
    restored, edited = 0, []
    contacts = Contact.objects.in_bulk([r.contact_id for r in changed if r.before])
    for record in changed:
        contact = contacts.get(record.contact_id)
        if contact is None:
            continue
        values, changed_since = {}, False
        for name in RESTORED_FIELDS:
            if name == "updated_at":
                continue
            now, after = getattr(contact, name), _value(name, record.after.get(name))
            if now == after:
                values[name] = _value(name, record.before[name])
                continue
            changed_since = True
            if _value(name, record.before.get(name)) != after:
                edited.append(contact.pk)  # a value the import wrote, since changed by the user
        if not changed_since:
            values["updated_at"] = _value("updated_at", record.before["updated_at"])
        for name, value in values.items():
            setattr(contact, name, value)
        contact.fill_keys()
        Contact.objects.filter(pk=contact.pk).update(
            **values, **{key: getattr(contact, key) for key in KEY_FIELDS}
        )
        restored += 1
    return restored, sorted(set(edited))


def _value(name: str, stored: Any) -> Any:
    return parse_datetime(stored) if name in ("created_at", "updated_at") and stored else stored


def _drop_unused_tags(upload: Import) -> None:
    Tag.objects.filter(pk__in=upload.created_tags.values("tag_id"), contacts__isnull=True).delete()
