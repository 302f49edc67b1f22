"""Logging, editing and deleting touches: each change and the contact's summary in one transaction.

`after_bulk_create` brings many contacts in step at once after their touches were created in bulk
(an import): the same summaries and the same R1 milestones as logging each touch here; the demo
seed computes both in memory (`milestone`) as it plans the touches.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from contacts.choices import Stage
from contacts.models import Contact, StageChange
from touchpoints.models import Touchpoint
from touchpoints.summary import (
    SUMMARIES_BATCH_SIZE,
    SUMMARY_FIELDS,
    Summary,
    refresh_summaries,
    refresh_summary,
)

# R1: the first personal touch is the milestone that ends "online contact".
MILESTONE_FROM, MILESTONE_TO = Stage.ONLINE, Stage.MET


def _locked(contact_id: int) -> Contact:
    # Serialises concurrent changes to one contact's touches, so each recomputation sees all.
    return Contact.objects.select_for_update().get(pk=contact_id)


def _check(touchpoint: Touchpoint) -> None:
    """The fields' own validation, inside the contact's lock. Not the table's check constraints:
    Django checks each with a query (and a savepoint around it), which the form already ran for
    the user, and the database enforces them on save anyway; nor the contact, the locked row."""
    touchpoint.full_clean(exclude=["contact"], validate_constraints=False)


def _after_change(contact: Contact) -> None:
    refresh_summary(contact)
    if contact.first_personal_touch_at is not None and contact.stage == MILESTONE_FROM:
        contact.move_to_stage(
            MILESTONE_TO, cause=StageChange.Cause.FIRST_PERSONAL_TOUCH, now=contact.first_personal_touch_at
        )


def milestone(contact_id: int, stage: str, summary: Summary) -> StageChange | None:
    """R1 for touches written in bulk: the stage change (unsaved) that `_after_change` records
    when a contact at `stage` gets touches with this `summary`, or None. The caller moves the
    contact to its `to_stage`."""
    if stage != MILESTONE_FROM or summary.first_personal_touch_at is None:
        return None
    return StageChange(
        contact_id=contact_id,
        from_stage=MILESTONE_FROM,
        to_stage=MILESTONE_TO,
        cause=StageChange.Cause.FIRST_PERSONAL_TOUCH,
        changed_at=summary.first_personal_touch_at,
    )


def log_touch(contact: Contact, *, kind: str, happened_at: datetime, **fields: Any) -> Touchpoint:
    with transaction.atomic():
        locked = _locked(contact.pk)
        touchpoint = Touchpoint(contact=locked, kind=kind, happened_at=happened_at, **fields)
        _check(touchpoint)
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
        _check(touchpoint)
        touchpoint.save()
        _after_change(locked)
    return touchpoint


def delete_touch(touchpoint: Touchpoint) -> None:
    with transaction.atomic():
        locked = _locked(touchpoint.contact_id)
        touchpoint.delete()
        _after_change(locked)


def take_back(touchpoint: Touchpoint) -> None:
    """Undo a touch just logged: deleted as `delete_touch` does, and if it was the contact's first
    personal touch, its R1 milestone goes with it (the stage as before, the history entry gone).

    A plain delete keeps the milestone: a meeting that happened stays met even if its record is
    removed later; a touch taken back a moment after the click never happened."""
    with transaction.atomic():
        locked = _locked(touchpoint.contact_id)
        happened_at = touchpoint.happened_at
        touchpoint.delete()
        _after_change(locked)
        if locked.first_personal_touch_at is not None or locked.stage != MILESTONE_TO:
            return
        milestone = locked.stage_changes.filter(
            cause=StageChange.Cause.FIRST_PERSONAL_TOUCH, to_stage=MILESTONE_TO, changed_at=happened_at
        ).first()
        if milestone is not None:
            locked.stage = milestone.from_stage
            locked.save(update_fields=["stage", "updated_at"])
            milestone.delete()


def _lock_all(contact_ids: list[int]) -> None:
    """Lock many contacts' rows, in id order so that two bulk changes cannot deadlock."""
    for start in range(0, len(contact_ids), SUMMARIES_BATCH_SIZE):
        list(
            Contact.objects.select_for_update()
            .filter(pk__in=contact_ids[start : start + SUMMARIES_BATCH_SIZE])
            .order_by("pk")
            .values_list("pk", flat=True)
        )


def log_in_bulk(touchpoints: list[Touchpoint], *, batch_size: int = 500) -> list[Touchpoint]:
    """Log many touches at once (an import): their contacts locked in id order, the touches
    written, and each contact's summary and R1 milestone brought in step, as `log_touch` does."""
    contact_ids = sorted({touchpoint.contact_id for touchpoint in touchpoints})
    with transaction.atomic():
        _lock_all(contact_ids)
        created = Touchpoint.objects.bulk_create(touchpoints, batch_size=batch_size)
        after_bulk_create(contact_ids)
    return created


def delete_in_bulk(touchpoint_ids: Iterable[int]) -> int:
    """Delete many touches at once (an import undone), their contacts' summaries recomputed in
    the same transaction with the contacts locked, as `delete_touch` does for one."""
    ids = list(touchpoint_ids)
    with transaction.atomic():
        contact_ids = sorted(set(Touchpoint.objects.filter(pk__in=ids).values_list("contact_id", flat=True)))
        _lock_all(contact_ids)
        deleted, _per_model = Touchpoint.objects.filter(pk__in=ids).delete()
        refresh_summaries(contact_ids)
    return deleted


def move_touches(source: Contact, target: Contact) -> int:
    """Give all of `source`'s touches to `target` (a merge of two contacts), both locked in id order.

    Leaves the target's summary to `refresh`, which the caller runs in the same transaction once
    the target holds its final fields (its prospect date decides which touches count).
    """
    if source.owner_id != target.owner_id:
        raise ValueError("touches move only between contacts of one owner")
    with transaction.atomic():
        _lock_all(sorted({source.pk, target.pk}))
        return Touchpoint.objects.filter(contact=source).update(contact=target)


def refresh(contact: Contact) -> None:
    """Recompute `contact`'s summary and its R1 milestone from its touches, the row locked."""
    with transaction.atomic():
        locked = _locked(contact.pk)
        _after_change(locked)
        for name in (*SUMMARY_FIELDS, "stage", "updated_at"):
            setattr(contact, name, getattr(locked, name))


def after_bulk_create(contact_ids: Iterable[int]) -> tuple[int, int]:
    """Summaries and R1 milestones for contacts whose touches were created in bulk.

    The result equals logging each touch with `log_touch`: every summary recomputed, and each
    online contact with a personal touch moved to "met in person", dated by that first touch.
    Runs in the caller's transaction without locks, for contacts nobody else is changing.
    Returns (summaries refreshed, contacts that reached the milestone).
    """
    ids = list(dict.fromkeys(contact_ids))
    refreshed = refresh_summaries(ids)
    reached = 0
    for start in range(0, len(ids), SUMMARIES_BATCH_SIZE):
        milestones = list(
            Contact.objects.filter(
                pk__in=ids[start : start + SUMMARIES_BATCH_SIZE],
                stage=MILESTONE_FROM,
                first_personal_touch_at__isnull=False,
            ).values_list("pk", "first_personal_touch_at")
        )
        StageChange.objects.bulk_create(
            StageChange(
                contact_id=pk,
                from_stage=MILESTONE_FROM,
                to_stage=MILESTONE_TO,
                cause=StageChange.Cause.FIRST_PERSONAL_TOUCH,
                changed_at=first_personal_touch_at,
            )
            for pk, first_personal_touch_at in milestones
            if first_personal_touch_at is not None  # always: the query asks for it
        )
        Contact.objects.filter(pk__in=[pk for pk, _ in milestones]).update(
            stage=MILESTONE_TO, updated_at=timezone.now()
        )
        reached += len(milestones)
    return refreshed, reached
