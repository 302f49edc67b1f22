"""R1, R10: the sort page, one imported contact at a time.

An import leaves its new contacts waiting to be sorted (contacts.moments.WAITING_TO_BE_SORTED).
The sort page shows them one by one with what the import brought (company, position, where
from, connected since, the messages and the last one) and takes one decision each: the choices
of contacts.sorting, or a strong tie through contacts.roster (the cap holds there, and the
stage stays where it is: trust is not declared, R5).

The order is the freshest connection first: R1 asks that online contacts be followed up
promptly, and the recent ones are those the user still remembers. A contact skipped for now is
passed by a cursor (the contact the page comes after), never stored: reloading the page without
it starts again from the top.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from contacts import evidence, roster, sorting
from contacts.choices import Sorting
from contacts.models import Contact, ContactQuerySet
from imports.models import ImportedContact
from netzwerk.accounts.models import User
from touchpoints.kinds import Kind
from touchpoints.models import Touchpoint

# The page's choice that is not a Sorting: a strong tie, made by the roster alone.
STRONG_TIE = "strong"


@dataclass(frozen=True)
class Choice:
    value: str
    label: StrOrPromise
    key: str  # the laptop's key for it, shown on the button


# In the order the method asks the question: meet, win, keep up, hold close; or let go.
CHOICES = tuple(
    Choice(value, label, str(key))
    for key, (value, label) in enumerate(
        (
            (Sorting.PURSUE, Sorting.PURSUE.label),
            (Sorting.PROSPECT, Sorting.PROSPECT.label),
            (Sorting.REGULAR, Sorting.REGULAR.label),
            (STRONG_TIE, _("Strong tie")),
            (Sorting.LOOSE, Sorting.LOOSE.label),
            (Sorting.ARCHIVE, Sorting.ARCHIVE.label),
        ),
        start=1,
    )
)
VALUES = frozenset(choice.value for choice in CHOICES)


@dataclass(frozen=True)
class Card:
    """The contact to decide now, with its messages (`message_count`, `last_message_at`,
    `last_message_note`, `last_message_by`) and `imported_at`; how many wait, this one
    included; and the owner's contacts sharing an e-mail, phone or profile with it (merge
    before sorting)."""

    contact: Contact
    left: int
    twins: list[Contact] = field(default_factory=list)

    @property
    def can_join(self) -> bool:
        """Whether "strong tie" is a choice (R5: only once met in person; the roster would refuse)."""
        return roster.has_met(self.contact)

    @property
    def connected_since(self) -> datetime | None:
        """The day the import gave as the connection's (LinkedIn's "Connected On": the contact
        is dated to it); None when it is the day of the import itself, which says nothing."""
        contact = self.contact
        imported_at = getattr(contact, "imported_at", None)
        if imported_at is None or contact.created_at.date() >= imported_at.date():
            return None
        return contact.created_at


def _card(owner: User, contact: Contact) -> Card:
    twins = list(dict.fromkeys(twin.contact for twin in evidence.twins_of(contact)))
    return Card(contact=contact, left=waiting(owner).count(), twins=twins)


def waiting(owner: User) -> ContactQuerySet:
    return Contact.objects.for_owner(owner).unsorted()


def next_card(owner: User, *, after: int | None = None) -> Card | None:
    """The first waiting contact (after the contact `after` in the page's order, if given, and
    from the top again past the last); None when nothing waits. Two queries, whatever the size."""
    contact = _with_messages(_after(waiting(owner), owner, after)).first()
    if contact is None and after is not None:
        contact = _with_messages(waiting(owner)).first()
    if contact is None:
        return None
    return _card(owner, contact)


def card_of(owner: User, pk: int) -> Card | None:
    """The card of the owner's waiting contact `pk` (shown again when the roster refused it)."""
    contact = _with_messages(waiting(owner).filter(pk=pk)).first()
    return None if contact is None else _card(owner, contact)


def _after(contacts: ContactQuerySet, owner: User, after: int | None) -> ContactQuerySet:
    """The contacts that come after the owner's contact `after` (freshest first, then by id).

    The anchor is read in the same query; another owner's id finds no anchor and so nothing
    after it (the caller starts from the top).
    """
    if after is None:
        return contacts
    anchor = Subquery(Contact.objects.filter(owner=owner, pk=after).values("created_at")[:1])
    return contacts.filter(Q(created_at__lt=anchor) | Q(created_at=anchor, pk__lt=after))


def _with_messages(contacts: ContactQuerySet) -> ContactQuerySet:
    """In the page's order, with the count of message touches (those an import logs) and the
    last one's date, note and sender."""
    messages = Touchpoint.objects.filter(contact=OuterRef("pk"), kind=Kind.MESSAGE)
    last = messages.order_by("-happened_at", "-pk")
    count = messages.order_by().values("contact").annotate(count=Count("pk")).values("count")
    created = ImportedContact.objects.filter(contact=OuterRef("pk"), created=True)
    return contacts.annotate(
        imported_at=Subquery(created.values("upload__committed_at")[:1]),
        message_count=Coalesce(Subquery(count, output_field=IntegerField()), 0),
        last_message_at=Subquery(last.values("happened_at")[:1]),
        last_message_note=Subquery(last.values("note")[:1]),
        last_message_by=Subquery(last.values("initiated_by")[:1]),
    ).order_by("-created_at", "-pk")


def decide(
    owner: User, contact: Contact, choice: str, *, now: datetime, swap_out: Contact | None = None
) -> None:
    """Sort the owner's `contact` as `choice`: anything but a strong tie through contacts.sorting.

    A strong tie is sorted as regular and then promoted through the roster (swapping `swap_out`
    out of it, if given), in one transaction: should it ever leave the roster, it is a regular
    contact, not one waiting to be sorted again. When the roster refuses (roster.RosterFull,
    roster.CannotPromoteArchived, roster.NotMetYet for a contact known only online) nothing
    changes: the contact still waits.
    """
    if choice not in VALUES:
        raise ValueError(f"{choice!r} is not a choice of the sort page")
    mine = Contact.objects.filter(owner=owner, pk=contact.pk)
    if choice != STRONG_TIE:
        sorting.sort_contacts(owner, mine, choice, now=now)
        return
    with transaction.atomic():
        sorting.sort_contacts(owner, mine, Sorting.REGULAR, now=now)
        contact.refresh_from_db()  # the roster saves the whole row: it must hold the sorting
        if swap_out is None:
            roster.promote(contact, now=now)
        else:
            roster.swap(promote_contact=contact, demote_contact=swap_out, now=now)


# What sorting one contact (contacts.sorting._effects) changes: kept before, for its undo.
SORTED_FIELDS = (
    "sorting",
    "sorted_at",
    "archived_at",
    "circle",
    "prospect_status",
    "prospect_since",
    "prospect_touches",
    "prospect_outcome_at",
)
MOMENTS = frozenset({"sorted_at", "archived_at", "prospect_since", "prospect_outcome_at"})


def before_sorting(contact: Contact) -> dict[str, Any]:
    """The contact's sorted fields as they are, as JSON (for an undo's signed token)."""
    return {
        name: value.isoformat() if isinstance(value := getattr(contact, name), datetime) else value
        for name in SORTED_FIELDS
    }


def take_back(
    owner: User, contact: Contact, before: dict[str, Any], *, decided_at: datetime, now: datetime
) -> bool:
    """Undo a decision (not a strong tie's: the roster has its own undo): the fields as they were
    (`before_sorting`), so the contact waits to be sorted again, changed now (an export's REV
    moves on). Only while it is as the decision left it (`decided_at`, its updated_at then): a
    touch logged meanwhile stays, and the answer is False."""
    values = {
        name: parse_datetime(value) if name in MOMENTS and value else value for name, value in before.items()
    }
    mine = Contact.objects.filter(owner=owner, pk=contact.pk, updated_at=decided_at)
    return bool(mine.update(**{name: values[name] for name in SORTED_FIELDS}, updated_at=now))


def label(choice: str) -> str:
    return next(str(c.label) for c in CHOICES if c.value == choice)
