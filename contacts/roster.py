"""R2, class over mass: the strong-tie roster and its cap; R5, trust grows: only a contact met in
person can join it, and the circle and the stage tell one story.

`save_contact` is the one place that can make a strong tie. Every path (form, htmx action,
admin action, the sort page, a merge, seed_demo) saves through it, so the cap and the meeting
hold whatever the caller. Joining the strong ties moves the stage to "strong tie", leaving them
moves it back to "relationship", each with its history entry (an archived strong tie leaves
them the same way: `Contact.archive`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Count, Q

from contacts.choices import ONLINE_CHANNELS, Circle, Stage
from contacts.models import Contact, StageChange
from contacts.rules import swap_out_order
from netzwerk import bulk_copy
from netzwerk.accounts.models import STRONG_TIE_WARN_FROM, User

SWAP_SUGGESTIONS = 5


@dataclass(frozen=True)
class Roster:
    count: int
    cap: int
    key_positions: int
    # All the owner's contacts, archived too: Today shows a new account how to start while none.
    contacts: int = 0

    @property
    def is_full(self) -> bool:
        return self.count >= self.cap

    @property
    def is_warning(self) -> bool:
        return self.count >= STRONG_TIE_WARN_FROM

    @property
    def free(self) -> int:
        return max(self.cap - self.count, 0)

    @property
    def percent(self) -> int:
        return min(round(100 * self.count / self.cap), 100)


class RosterFull(Exception):
    """The owner's strong ties are at the cap; someone must be demoted first."""

    def __init__(self, roster: Roster) -> None:
        super().__init__(f"strong-tie roster is full ({roster.count}/{roster.cap})")
        self.roster = roster


class CannotPromoteArchived(Exception):
    pass


class NotMetYet(Exception):
    """R5: a strong tie grows from a personal meeting; a contact known only online cannot join.

    The way forward is to log the first meeting (touchpoints.ledger moves the stage on)."""

    def __init__(self, contact: Contact) -> None:
        super().__init__(f"{contact!r} has not been met in person yet")
        self.contact = contact


def has_met(contact: Contact) -> bool:
    """Met in person or later: the stage a strong tie may grow from. A contact first met online
    is met once a personal touch is logged (R1: that moves its stage on), so a stage typed in the
    form does not stand in for the meeting: the online-only reminder would still ask for it."""
    if contact.stage == Stage.ONLINE:
        return False
    return contact.first_personal_touch_at is not None or contact.how_met not in ONLINE_CHANNELS


def stage_for_circle(contact: Contact) -> str:
    """The stage that tells the circle's story: a strong tie is at "strong tie"; a contact that
    left the strong ties is back at "relationship"; any other stage stays."""
    if contact.circle == Circle.STRONG:
        return Stage.STRONG_TIE
    if contact.stage == Stage.STRONG_TIE:
        return Stage.RELATIONSHIP
    return contact.stage


def roster_for(user: User) -> Roster:
    counts = Contact.objects.for_owner(user).aggregate(
        count=Count("pk", filter=Q(circle=Circle.STRONG)),
        key_positions=Count("pk", filter=Q(circle=Circle.STRONG, key_position=True)),
        contacts=Count("pk"),
    )
    return Roster(
        count=counts["count"],
        cap=user.strong_tie_cap,
        key_positions=counts["key_positions"],
        contacts=counts["contacts"],
    )


def rosters_for(owners: Iterable[User]) -> dict[int, Roster]:
    """`roster_for` of many owners in one grouped query (their contacts' counts are left out)."""
    owners = list(owners)
    counts: dict[int, tuple[int, int]] = {
        owner_id: (count, key_positions)
        for owner_id, count, key_positions in Contact.objects.filter(owner__in=owners)
        .order_by()
        .values("owner")
        .annotate(
            count=Count("pk", filter=Q(circle=Circle.STRONG)),
            key_positions=Count("pk", filter=Q(circle=Circle.STRONG, key_position=True)),
        )
        .values_list("owner", "count", "key_positions")
    }
    rosters = {}
    for owner in owners:
        count, key_positions = counts.get(owner.pk, (0, 0))
        rosters[owner.pk] = Roster(count=count, cap=owner.strong_tie_cap, key_positions=key_positions)
    return rosters


def swap_candidates(user: User, *, now: datetime, limit: int | None = SWAP_SUGGESTIONS) -> list[Contact]:
    """R2 swap-out suggestions: all strong ties (at most 60) in rules.swap_out_order."""
    ordered = swap_out_order(list(Contact.objects.for_owner(user).demotion_candidates()), now=now)
    return ordered[:limit]


def cause_of_edit(stored_stage: str, contact: Contact) -> str:
    """The cause of a stage a caller set (the form, a merge): a strong tie that leaves the
    roster left it; anything else was changed by the user."""
    left = stored_stage == Stage.STRONG_TIE and contact.circle != Circle.STRONG
    return StageChange.Cause.DEMOTED if left else StageChange.Cause.EDITED


def save_contact(contact: Contact, *, now: datetime) -> StageChange | None:
    """Save `contact`; if that makes it a strong tie, it must have been met in person and the
    owner's roster must have room. The stage follows the circle (`stage_for_circle`); for a
    stored contact the move is recorded (a new one's history starts with its caller's entry).

    The owner's row is locked first, so two promotions at cap - 1 run one after the other
    and the second sees the first (on SQLite the IMMEDIATE transaction mode does the same).
    Raises CannotPromoteArchived, NotMetYet, or RosterFull with the swap-out suggestions.
    Returns the stage's history entry, if the stage moved.
    """
    with transaction.atomic():
        _check_room(contact, owner=_locked_owner(contact))
        change = _follow_circle(contact, now=now)
        contact.save()
    return change


def _locked_owner(contact: Contact) -> User:
    return User.objects.select_for_update().only("pk", "strong_tie_cap").get(pk=contact.owner_id)


def _check_room(contact: Contact, *, owner: User) -> None:
    """If saving makes `contact` a strong tie: it has been met and the roster has a free slot."""
    if contact.circle == Circle.STRONG and not _is_stored_strong_tie(contact):
        check_can_join(contact)
        roster = roster_for(owner)
        if roster.is_full:
            raise RosterFull(roster)


def create_strong_ties(
    contacts: Sequence[Contact], *, overflow: str = Circle.REGULAR, meetings_follow: bool = False
) -> int:
    """New contacts meant for the strong ties, created at once (the demo seed), with the checks
    `save_contact` makes for each, in their order: the owners' rows locked (in id order), every
    contact able to join (`check_can_join`, else its exception), and each owner's roster admitting
    as many as it has room for (`rosters_for`). The others are created in the `overflow` circle,
    at "relationship", as `save_contact` leaves a refused strong tie the demo saves there.
    `meetings_follow`: the caller writes each one's first personal meeting in the same
    transaction (the demo plans one for every strong tie, and its tests hold it to that), so a
    contact first met online is not refused for the meeting its touches are yet to bring.
    Returns how many joined the strong ties.
    """
    if any(contact.pk is not None or contact.circle != Circle.STRONG for contact in contacts):
        raise ValueError("only new contacts meant for the strong ties are created here")
    owner_ids = sorted({contact.owner_id for contact in contacts})
    with transaction.atomic():
        owners = User.objects.select_for_update().filter(pk__in=owner_ids).order_by("pk")
        room = {pk: roster.free for pk, roster in rosters_for(owners.only("pk", "strong_tie_cap")).items()}
        joined = 0
        for contact in contacts:
            check_can_join(contact, meeting_follows=meetings_follow)
            if room[contact.owner_id] > 0:
                room[contact.owner_id] -= 1
                joined += 1
            else:
                contact.circle = overflow
            contact.stage = stage_for_circle(contact)
            contact.fill_keys()  # the writer bypasses Contact.save
        bulk_copy.create(Contact, contacts)
    return joined


def check_can_join(contact: Contact, *, meeting_follows: bool = False) -> None:
    """The roster's refusals that do not depend on the other strong ties (`create_strong_ties`
    on `meeting_follows`)."""
    if contact.is_archived:
        raise CannotPromoteArchived
    if contact.stage == Stage.ONLINE or not (meeting_follows or has_met(contact)):
        raise NotMetYet(contact)


def _follow_circle(contact: Contact, *, now: datetime) -> StageChange | None:
    stage = stage_for_circle(contact)
    if stage == contact.stage:
        return None
    change = None
    if contact.pk is not None:
        cause = (
            StageChange.Cause.JOINED_STRONG_TIES if stage == Stage.STRONG_TIE else StageChange.Cause.DEMOTED
        )
        change = StageChange.objects.create(
            contact=contact, from_stage=contact.stage, to_stage=stage, cause=cause, changed_at=now
        )
    contact.stage = stage
    return change


def create_contacts(owner: User, contacts: list[Contact], *, batch_size: int = 500) -> list[Contact]:
    """Create many contacts at once (an import): none of them may be a strong tie, so the cap
    cannot move; the owner's row is locked as in `save_contact`, so no promotion interleaves."""
    if any(contact.circle == Circle.STRONG for contact in contacts):
        raise ValueError("contacts created in bulk never join the strong ties")
    if any(contact.owner_id != owner.pk for contact in contacts):
        raise ValueError("every contact created in bulk belongs to the owner")
    for contact in contacts:
        contact.fill_keys()  # bulk_create bypasses Contact.save
    with transaction.atomic():
        User.objects.select_for_update().only("pk").get(pk=owner.pk)
        return Contact.objects.bulk_create(contacts, batch_size=batch_size)


class CapBelowRoster(Exception):
    """A new cap below the strong ties the owner has now: they must demote first."""

    def __init__(self, strong_ties: int) -> None:
        super().__init__(f"{strong_ties} strong ties are more than the new cap")
        self.strong_ties = strong_ties


def check_new_cap(owner_id: int, cap: int) -> None:
    """Lock the owner's row, as `save_contact` does, and refuse a cap below their strong ties.

    Call it inside the transaction that saves the cap: the lock holds until it commits, so no
    promotion slips in between the count and the save.
    """
    owner = User.objects.select_for_update().only("pk").get(pk=owner_id)
    strong_ties = Contact.objects.for_owner(owner).strong_ties().count()
    if strong_ties > cap:
        raise CapBelowRoster(strong_ties)


def _is_stored_strong_tie(contact: Contact) -> bool:
    if contact.pk is None:
        return False
    return Contact.objects.filter(pk=contact.pk, circle=Circle.STRONG).exists()


def promote(contact: Contact, *, now: datetime) -> StageChange | None:
    """Make `contact` a strong tie; when refused, it keeps its circle and stage (in memory too).
    Returns the stage's history entry (none for a strong tie already)."""
    previous = contact.circle, contact.stage
    contact.circle = Circle.STRONG
    try:
        return save_contact(contact, now=now)
    except (RosterFull, CannotPromoteArchived, NotMetYet):
        contact.circle, contact.stage = previous
        raise


def demote(contact: Contact, *, now: datetime, to: str = Circle.REGULAR) -> StageChange | None:
    """A strong tie leaves the roster for `to` (its stage back to "relationship"); any other
    contact keeps its circle. Returns the stage's history entry."""
    if contact.circle != Circle.STRONG:
        return None
    contact.circle = to
    return save_contact(contact, now=now)


class MovedSince(Exception):
    """The contact's circle changed after the move an undo would take back."""


def undo_move(contact: Contact, *, circle: str, stage: str, moved_to: str, change_id: int | None) -> None:
    """Take back a promotion or demotion: the circle and stage as they were before, and the
    move's history entry gone, as if it never happened. Taking back a demotion is a promotion:
    the cap and the meeting hold as in `save_contact` (RosterFull and the others; when refused,
    the contact is unchanged, in memory too). Raises MovedSince if the circle is no longer the
    one the move left it in."""
    with transaction.atomic():
        owner = _locked_owner(contact)
        stored = Contact.objects.select_for_update().filter(pk=contact.pk).values_list("circle", flat=True)
        if stored.get() != moved_to:
            raise MovedSince
        previous = contact.circle, contact.stage
        contact.circle, contact.stage = circle, stage
        try:
            _check_room(contact, owner=owner)
        except (RosterFull, CannotPromoteArchived, NotMetYet):
            contact.circle, contact.stage = previous
            raise
        contact.save()
        if change_id is not None:
            StageChange.objects.filter(pk=change_id, contact=contact).delete()


def swap(*, promote_contact: Contact, demote_contact: Contact, now: datetime) -> None:
    """Free a slot and fill it in one transaction: either both happen or neither. A contact that
    cannot join is refused before anyone leaves (in memory too)."""
    check_can_join(promote_contact)
    with transaction.atomic():
        demote(demote_contact, now=now)
        promote(promote_contact, now=now)
