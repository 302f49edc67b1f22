"""Merging two contacts of one owner into one: a field-by-field choice, and everything of both.

`merge` runs in one transaction with the owner's row locked (as contacts.roster does): the
chosen values go to the survivor, every row that points at the merged contact moves to the
survivor (or is dropped, with the reason, where the survivor already has its equal), the merged
contact's old values are kept as a `MergedContact` in the survivor's history, the merged contact
is deleted, the survivor saved through the roster (two strong ties become one; the cap is never
passed) and its summary recomputed by the ledger.

`RELATIONS` names every relation that can point at a contact, with how a merge treats it;
tests/imports/test_merge.py walks the models and fails while one is not named here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower

from contacts import roster
from contacts.models import Circle, Contact, ContactEmail, ContactPhone, DistinctPair, Stage, StageChange
from imports.commit import PROFILE_FIELDS
from imports.models import ImportedContact, ImportRow, MergedContact
from netzwerk.accounts.models import AccessLog, User
from reminders.due import item_key
from reminders.models import ReminderState
from touchpoints import ledger
from touchpoints.models import OneOffReminder
from touchpoints.summary import SUMMARY_FIELDS

Choice = Literal["survivor", "merged", "both"]

# The fields a user chooses between, in groups that only make sense together (a strong-tie stage
# needs the strong circle, an archived contact is no strong tie; a prospect's dates go with its
# status). Group name -> the Contact fields it sets.
FIELD_GROUPS: dict[str, tuple[str, ...]] = {
    "first_name": ("first_name",),
    "last_name": ("last_name",),
    "company": ("company",),
    "position": ("position",),
    "key_position": ("key_position",),
    "birthday": ("birthday_day", "birthday_month", "birthday_year"),
    "how_met": ("how_met",),
    "met_at": ("met_at",),
    "introduced_by": ("introduced_by",),
    "circle": ("circle", "stage", "archived_at"),
    "prospect": ("prospect_status", "prospect_since", "prospect_outcome_at"),
    "sorting": ("sorting", "sorted_at"),
    "linkedin_url": ("linkedin_url",),
    "xing_url": ("xing_url",),
    "facebook_url": ("facebook_url",),
    "x_url": ("x_url",),
    "instagram_url": ("instagram_url",),
    "website": ("website",),
    "notes": ("notes",),
}
# Contact's fields nobody chooses, and why (the test checks each field is in one of the two).
NOT_CHOSEN: dict[str, str] = {
    "id": "the survivor's own",
    "owner": "one owner for both",
    "created_at": "the earlier of the two: the relationship is as old as its first record",
    "updated_at": "set by the save",
    "name_key": "kept by Contact.fill_keys on save",
    "search_text": "kept by Contact.fill_keys on save",
    "tags": "united",
    "organisations": "united",
    **dict.fromkeys(SUMMARY_FIELDS, "the summary, recomputed by touchpoints.ledger.refresh from both"),
}
# Groups whose two values can both be kept: the notes, one after the other.
JOINABLE = frozenset({"notes"})
CIRCLE_RANK = {Circle.STRONG: 2, Circle.REGULAR: 1, Circle.LOOSE: 0}


class MergeRefused(Exception):
    """The two cannot become one as asked (the same contact, or a choice leaving no name)."""


@dataclass
class _Merge:
    """One merge under way: the two contacts (locked), and what each had before rows moved."""

    owner: User
    survivor: Contact
    merged: Contact
    now: datetime
    # the merged contact's e-mails and phones that move (the others the survivor has already)
    moved_emails: list[int] = field(default_factory=list)
    moved_phones: list[int] = field(default_factory=list)


# ---------------------------------------------------------------- choosing


def group_values(contact: Contact, group: str) -> tuple[Any, ...]:
    return tuple(
        getattr(contact, f"{name}_id" if name in ("met_at", "introduced_by") else name)
        for name in FIELD_GROUPS[group]
    )


def differing_groups(first: Contact, second: Contact) -> list[str]:
    return [group for group in FIELD_GROUPS if group_values(first, group) != group_values(second, group)]


def _is_empty(values: tuple[Any, ...]) -> bool:
    return all(value in (None, "", False) for value in values)


def default_choice(survivor: Contact, merged: Contact, group: str) -> Choice:
    """The value a merge takes unless told otherwise: the one that is set; of a circle, the
    stronger, then the further stage (a merge never quietly demotes a strong tie or forgets a
    meeting); of notes, both; else the
    survivor's (the user chose which contact stays: its spelling is not quietly replaced)."""
    mine, theirs = group_values(survivor, group), group_values(merged, group)
    if mine == theirs or _is_empty(theirs):
        return "survivor"
    if _is_empty(mine):
        return "merged"
    if group in JOINABLE:
        return "both"
    if group == "circle":  # the stronger circle, then the further stage: trust that grew stays
        rank = {
            c: (CIRCLE_RANK[Circle(c.circle)], Stage.values.index(c.stage), c.archived_at is None)
            for c in (survivor, merged)
        }
        if rank[survivor] != rank[merged]:
            return "survivor" if rank[survivor] > rank[merged] else "merged"
    return "survivor"


def one_side_empty(first: Contact, second: Contact, group: str) -> bool:
    """Only one of the two has a value: there is nothing to choose, the merge takes it."""
    return _is_empty(group_values(first, group)) != _is_empty(group_values(second, group))


def default_survivor(first: Contact, second: Contact) -> Contact:
    """The contact added first survives (its address and history are the older), unless the
    user picks the other."""
    return min(first, second, key=lambda contact: (contact.created_at, contact.pk))


def _apply_choices(merge: _Merge, choices: Mapping[str, Choice]) -> None:
    survivor, merged = merge.survivor, merge.merged
    unknown = [g for g, c in choices.items() if g not in FIELD_GROUPS or (c == "both" and g not in JOINABLE)]
    if unknown:
        raise MergeRefused(f"no such choice: {unknown}")
    for group, names in FIELD_GROUPS.items():
        choice = choices.get(group) or default_choice(survivor, merged, group)
        if choice == "both" and group in JOINABLE:
            joined = "\n\n".join(part for part in (survivor.notes.strip(), merged.notes.strip()) if part)
            survivor.notes = joined
        elif choice == "merged":
            for name in names:
                attname = f"{name}_id" if name in ("met_at", "introduced_by") else name
                setattr(survivor, attname, getattr(merged, attname))
    if survivor.introduced_by_id in (survivor.pk, merged.pk):
        survivor.introduced_by_id = None  # nobody introduces themselves
    survivor.created_at = min(survivor.created_at, merged.created_at)
    if not survivor.name:
        raise MergeRefused("the merged contact would have no name")


# ---------------------------------------------------------------- moving what points at a contact


def _move_introduced(merge: _Merge) -> None:
    Contact.objects.filter(introduced_by=merge.merged).exclude(pk=merge.survivor.pk).update(
        introduced_by=merge.survivor
    )


def _move_tags(merge: _Merge) -> None:
    through = Contact.tags.through
    have = through.objects.filter(contact=merge.survivor).values("tag_id")
    through.objects.filter(contact=merge.merged).exclude(tag_id__in=have).update(contact=merge.survivor)


def _move_organisations(merge: _Merge) -> None:
    through = Contact.organisations.through
    have = through.objects.filter(contact=merge.survivor).values("organisation_id")
    through.objects.filter(contact=merge.merged).exclude(organisation_id__in=have).update(
        contact=merge.survivor
    )


def _move_emails(merge: _Merge) -> None:
    ContactEmail.objects.filter(pk__in=merge.moved_emails).update(contact=merge.survivor)


def _move_phones(merge: _Merge) -> None:
    ContactPhone.objects.filter(pk__in=merge.moved_phones).update(contact=merge.survivor)


def _move_stage_changes(merge: _Merge) -> None:
    StageChange.objects.filter(contact=merge.merged).update(contact=merge.survivor)


def _move_touches(merge: _Merge) -> None:
    ledger.move_touches(merge.merged, merge.survivor)


def _move_one_off_reminders(merge: _Merge) -> None:
    """Each stays open or done as it was; its snooze follows (`_move_reminder_states`)."""
    OneOffReminder.objects.filter(contact=merge.merged).update(contact=merge.survivor)


def _move_reminder_states(merge: _Merge) -> None:
    """A state's key names its contact (reminders.due.item_key): renamed for the survivor. Where
    the survivor has a state for the same item, the one changed last stays."""
    for state in ReminderState.objects.filter(contact=merge.merged).order_by("pk"):
        if state.touchpoint_id is None:
            kind, _pk, *occasion = state.key.split(":", 2)
            state.key = item_key(kind, contact=merge.survivor.pk, occasion=occasion[0] if occasion else "")
        twin = ReminderState.objects.filter(owner=merge.owner, key=state.key).exclude(pk=state.pk).first()
        if twin is not None and twin.updated_at >= state.updated_at:
            state.delete()
            continue
        if twin is not None:
            twin.delete()
        ReminderState.objects.filter(pk=state.pk).update(key=state.key, contact=merge.survivor)


def _move_distinct_pairs(merge: _Merge) -> None:
    """Whom the merged contact was kept apart from, the survivor is (they are one person); the
    pair of the two themselves goes. Either side of a pair may be the merged contact: one call
    moves both (the registry lists each side; the second call finds nothing left)."""
    pairs = DistinctPair.objects.filter(Q(first=merge.merged) | Q(second=merge.merged))
    others = {pair.second_id if pair.first_id == merge.merged.pk else pair.first_id for pair in pairs}
    pairs.delete()
    survivor = merge.survivor.pk
    DistinctPair.objects.bulk_create(
        [
            DistinctPair(owner=merge.owner, first_id=min(survivor, other), second_id=max(survivor, other))
            for other in sorted(others - {survivor})
        ],
        ignore_conflicts=True,
    )


def _move_access_log(merge: _Merge) -> None:
    AccessLog.objects.filter(client=merge.owner, what="contact", object_id=merge.merged.pk).update(
        object_id=merge.survivor.pk
    )


def _move_import_rows(merge: _Merge) -> None:
    ImportRow.objects.filter(contact=merge.merged).update(contact=merge.survivor)


def _move_merges(merge: _Merge) -> None:
    MergedContact.objects.filter(survivor=merge.merged).update(survivor=merge.survivor)


def _move_import_records(merge: _Merge) -> None:
    """What undo needs, for one contact that was two (imports.undo).

    An import that created only one of the two created no longer the whole survivor: its record
    becomes a change (no fields to restore), keeping the e-mails, phones, tags and touches the
    import itself brought (recorded at commit), so undo takes back those and nothing another
    import or the user added, and never deletes the survivor. An import that created both still
    created the survivor. Two records of one import become one.
    """
    records = ImportedContact.objects.filter(contact__in=[merge.survivor, merge.merged])
    by_upload: dict[int, list[ImportedContact]] = {}
    for record in records.prefetch_related("emails", "phones", "tags", "touches").order_by("pk"):
        by_upload.setdefault(record.upload_id, []).append(record)
    for pair in by_upload.values():
        kept = next((r for r in pair if r.contact_id == merge.survivor.pk), pair[0])
        created_both = len(pair) == 2 and all(r.created for r in pair)
        for record in pair:
            if record is not kept:
                _add_details(kept, _details(record))
                record.delete()
        kept.contact = merge.survivor
        if kept.created and not created_both:
            kept.created, kept.before, kept.after = False, {}, {}
        kept.save(update_fields=["contact", "created", "before", "after"])


def _details(record: ImportedContact) -> dict[str, list[int]]:
    return {
        name: [item.pk for item in getattr(record, name).all()]
        for name in ("emails", "phones", "tags", "touches")
    }


def _add_details(record: ImportedContact, details: Mapping[str, list[int]]) -> None:
    for name, ids in details.items():
        # e-mails and phones the survivor had already were dropped, and with them their links
        existing = getattr(record, name).model.objects.filter(pk__in=ids)
        getattr(record, name).add(*existing)


# Every relation that points at a contact: "app.Model.field" -> how a merge moves its rows, or
# a `Dropped` reason. Found by tests/imports/test_merge.py among the models' relations, plus
# the pointers that are not foreign keys (listed by hand below them).
@dataclass(frozen=True)
class Dropped:
    reason: str


RELATIONS: dict[str, Callable[[_Merge], None] | Dropped] = {
    "contacts.Contact.introduced_by": _move_introduced,
    "contacts.Contact_tags.contact": _move_tags,
    "contacts.Contact_organisations.contact": _move_organisations,
    "contacts.ContactEmail.contact": _move_emails,
    "contacts.ContactPhone.contact": _move_phones,
    "contacts.StageChange.contact": _move_stage_changes,
    "contacts.DistinctPair.first": _move_distinct_pairs,
    "contacts.DistinctPair.second": _move_distinct_pairs,
    "touchpoints.Touchpoint.contact": _move_touches,
    "touchpoints.OneOffReminder.contact": _move_one_off_reminders,
    "reminders.ReminderState.contact": _move_reminder_states,
    "imports.ImportRow.contact": _move_import_rows,
    "imports.ImportedContact.contact": _move_import_records,
    "imports.MergedContact.survivor": _move_merges,
}
# Pointers to a contact that are ids, not foreign keys (the walk cannot find them).
ID_POINTERS: dict[str, Callable[[_Merge], None] | Dropped] = {
    "accounts.AccessLog.object_id": _move_access_log,
    "admin.LogEntry.object_id": Dropped(
        "Staff's record of what they did in the admin, naming the object as it was then; it "
        "stays with the merged contact's id, as it does for a deleted contact."
    ),
}


# ---------------------------------------------------------------- the merge


def merge(
    owner: User, survivor: Contact, merged: Contact, choices: Mapping[str, Choice], *, now: datetime
) -> MergedContact:
    """Merge `merged` into `survivor` (both the owner's): see the module's docstring.

    Raises Contact.DoesNotExist for a contact that is not the owner's, MergeRefused for one
    contact twice or a choice that leaves no name, roster.RosterFull never in practice (one of
    the two held the strong place the survivor takes) but by the roster's own check.
    """
    if survivor.pk == merged.pk:
        raise MergeRefused("a contact cannot be merged with itself")
    with transaction.atomic():
        User.objects.select_for_update().only("pk").get(pk=owner.pk)
        locked = Contact.objects.for_owner(owner).select_for_update().filter(pk__in=[survivor.pk, merged.pk])
        contacts = {contact.pk: contact for contact in locked.order_by("pk")}
        if len(contacts) != 2:
            raise Contact.DoesNotExist("both contacts must be the owner's")
        work = _Merge(owner=owner, survivor=contacts[survivor.pk], merged=contacts[merged.pk], now=now)
        record = MergedContact(
            survivor=work.survivor, name=work.merged.name, values=snapshot(work.merged), merged_at=now
        )
        stored_stage = work.survivor.stage
        _apply_choices(work, choices)
        _note_details(work)
        for move in RELATIONS.values():
            if not isinstance(move, Dropped):
                move(work)
        for move in ID_POINTERS.values():
            if not isinstance(move, Dropped):
                move(work)
        work.merged.delete()
        _save_survivor(work, stored_stage)
        record.save()
        ledger.refresh(work.survivor)
    survivor.refresh_from_db()
    return record


def _save_survivor(merge: _Merge, stored_stage: str) -> None:
    """Through the roster, after the merged contact left it: two strong ties become one."""
    survivor = merge.survivor
    if survivor.stage != stored_stage:
        StageChange.objects.create(
            contact=survivor,
            from_stage=stored_stage,
            to_stage=survivor.stage,
            cause=roster.cause_of_edit(stored_stage, survivor),
            changed_at=merge.now,
        )
    if survivor.circle != Circle.STRONG and survivor.stage == Stage.STRONG_TIE:
        raise MergeRefused("a strong-tie stage needs the strong circle")  # the groups prevent it
    roster.save_contact(survivor, now=merge.now)


def _note_details(merge: _Merge) -> None:
    """Before rows move: the merged contact's e-mails (in any case) and phones the survivor
    does not have already; those move, the others go with the merged contact."""
    survivor, merged = merge.survivor.pk, merge.merged.pk
    emails = ContactEmail.objects.annotate(folded=Lower("address"))
    have = set(emails.filter(contact_id=survivor).values_list("folded", flat=True))
    merge.moved_emails = [
        pk
        for pk, folded in emails.filter(contact_id=merged).values_list("pk", "folded")
        if folded not in have
    ]
    numbers = set(ContactPhone.objects.filter(contact_id=survivor).values_list("number", flat=True))
    merge.moved_phones = [
        pk
        for pk, number in ContactPhone.objects.filter(contact_id=merged).values_list("pk", "number")
        if number not in numbers
    ]


def snapshot(contact: Contact) -> dict[str, Any]:
    """The merged contact as it was, in MERGED_VALUE_LABELS' keys (texts a page can show)."""
    texts = ("first_name", "last_name", "company", "position", "notes", *PROFILE_FIELDS.values())
    values: dict[str, Any] = {name: getattr(contact, name) for name in texts}
    values |= {
        "emails": [email.address for email in contact.emails.all()],
        "phones": [phone.display for phone in contact.phones.all()],
        "tags": [tag.name for tag in contact.tags.all()],
        "organisations": [organisation.name for organisation in contact.organisations.all()],
        "birthday": _birthday(contact),
        "how_met": str(contact.get_how_met_display()) if contact.how_met else "",
        "met_at": contact.met_at.name if contact.met_at else "",
        "introduced_by": contact.introduced_by.name if contact.introduced_by else "",
        "circle": str(contact.get_circle_display()),
        "stage": str(contact.get_stage_display()),
        "prospect_status": str(contact.get_prospect_status_display())
        if contact.prospect_status != "none"
        else "",
        "created_at": contact.created_at.isoformat(),
    }
    return values


def _birthday(contact: Contact) -> str:
    if contact.birthday_day is None or contact.birthday_month is None:
        return ""
    day = f"{contact.birthday_day}.{contact.birthday_month}."
    return f"{day}{contact.birthday_year}" if contact.birthday_year else day
