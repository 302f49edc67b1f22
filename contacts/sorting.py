"""R1, R10: sorting contacts, the first act of the network master plan.

An import's new contacts wait unsorted (no rule asks about them); the user decides what each is
for, one by one or hundreds at once from the contact list: pursue (meet in person soon: R1's
window starts that day), prospect (R6's touches count from that day), regular, keep loose (R1
stops asking), archive. Any of the owner's contacts may be sorted, not only the waiting ones:
the list sorts whatever the user ticked or filtered. But `sorted_at`, the moment the rules count
from at the earliest, is set only when a waiting contact is sorted: re-sorting a contact must not
make a red cadence green, since only a touch resets a cadence (R7).

Strong ties are never changed here (the cap's roster is contacts.roster's alone): among the
selection they are left as they are, whatever the choice.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Case, F, Value, When
from django.db.models.functions import Coalesce

from contacts.choices import Circle, ProspectStatus, Sorting
from contacts.models import Contact, ContactQuerySet
from netzwerk.accounts.models import User

# What a contact can be sorted as: every Sorting but "added by hand" and "not sorted yet".
CHOICES = tuple(Sorting(value) for value in Sorting.values if value not in (Sorting.NONE, Sorting.UNSORTED))
# Ids per UPDATE: well inside SQLite's limit on parameters.
BATCH = 500


def sort_contacts(owner: User, contacts: ContactQuerySet, choice: str, *, now: datetime) -> int:
    """Sort the owner's contacts among `contacts` as `choice`; returns how many were sorted.

    Contacts of other owners in `contacts` are never touched, nor are strong ties (see
    `strong_ties_among` to tell the user how many were left as they are).
    """
    if choice not in CHOICES:
        raise ValueError(f"{choice!r} is not something a contact can be sorted as")
    ids = list(contacts.filter(owner=owner).exclude(circle=Circle.STRONG).values_list("pk", flat=True))
    # Bulk UPDATEs, not contacts.roster.save_contact one by one: none of them can make a strong
    # tie (strong ties are left out, and no choice sets the strong circle), so the cap cannot
    # move. The owner's row is locked as save_contact does, so a promotion running meanwhile
    # waits for this transaction and then sees the contacts as sorted. `updated_at` moves with
    # every change, as a save would: the kept Today page is stamped by it (reminders.due).
    sorted_count = 0
    with transaction.atomic():
        User.objects.select_for_update().only("pk").get(pk=owner.pk)
        for batch in _batches(ids):
            selected = Contact.objects.filter(owner=owner, pk__in=batch).exclude(circle=Circle.STRONG)
            if choice == Sorting.PROSPECT:
                # Contact.follow_prospect_status: touches count from the day one becomes a prospect.
                selected.exclude(prospect_status=ProspectStatus.PROSPECT).update(
                    prospect_status=ProspectStatus.PROSPECT,
                    prospect_since=now,
                    prospect_touches=0,
                    prospect_outcome_at=None,
                )
            sorted_count += selected.update(**_effects(choice, now=now))
    return sorted_count


def strong_ties_among(owner: User, contacts: ContactQuerySet) -> int:
    """How many of `contacts` are the owner's strong ties, which sorting leaves as they are."""
    return contacts.filter(owner=owner).strong_ties().count()


def _effects(choice: str, *, now: datetime) -> dict[str, Any]:
    """The columns sorting as `choice` sets (all in one UPDATE, which reads the row as it was)."""
    effects: dict[str, Any] = {
        "sorting": choice,
        "sorted_at": Case(When(sorting=Sorting.UNSORTED, then=Value(now)), default=F("sorted_at")),
        "updated_at": now,
    }
    if choice == Sorting.ARCHIVE:
        # Contact.archive, for contacts that are not strong ties (an archived one keeps its date).
        effects["archived_at"] = Coalesce(F("archived_at"), Value(now))
        return effects
    # Deciding what a contact is for brings an archived one back (unarchive is all it takes).
    effects["archived_at"] = None
    if choice in (Sorting.PURSUE, Sorting.LOOSE):
        effects["circle"] = Circle.LOOSE
    elif choice == Sorting.REGULAR:
        effects["circle"] = Circle.REGULAR
    return effects


def _batches(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]
