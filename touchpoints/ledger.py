"""Logging, editing and deleting touches: each change and the contact's summary in one transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from contacts.models import Contact, Stage, StageChange
from touchpoints.models import Touchpoint
from touchpoints.summary import refresh_summary


def _locked(contact_id: int) -> Contact:
    # Serialises concurrent changes to one contact's touches, so each recomputation sees all.
    return Contact.objects.select_for_update().get(pk=contact_id)


def _after_change(contact: Contact) -> None:
    refresh_summary(contact)
    # R1: the first personal touch is the milestone that ends "online contact".
    if contact.first_personal_touch_at is not None and contact.stage == Stage.ONLINE:
        contact.move_to_stage(
            Stage.MET, cause=StageChange.Cause.FIRST_PERSONAL_TOUCH, now=contact.first_personal_touch_at
        )


def log_touch(contact: Contact, *, kind: str, happened_at: datetime, **fields: Any) -> Touchpoint:
    with transaction.atomic():
        locked = _locked(contact.pk)
        touchpoint = Touchpoint(contact=locked, kind=kind, happened_at=happened_at, **fields)
        touchpoint.full_clean()
        touchpoint.save()
        _after_change(locked)
    return touchpoint


def edit_touch(touchpoint: Touchpoint, **changes: Any) -> Touchpoint:
    if {"contact", "contact_id"} & changes.keys():
        raise ValueError("a touchpoint stays with its contact; delete it and log a new one")
    with transaction.atomic():
        locked = _locked(touchpoint.contact_id)
        for name, value in changes.items():
            setattr(touchpoint, name, value)
        touchpoint.full_clean()
        touchpoint.save()
        _after_change(locked)
    return touchpoint


def delete_touch(touchpoint: Touchpoint) -> None:
    with transaction.atomic():
        locked = _locked(touchpoint.contact_id)
        touchpoint.delete()
        _after_change(locked)
