"""R10, the network master plan: the quarterly roster review beyond walking the strong ties.

Who could join the strong ties (the strongest regular contacts met in person lately, key
positions first), the goals a review sets for the next quarter, and, at the next review, those
goals against what happened since. The roster itself, its cap and the swap suggestions stay in
contacts.roster: a candidate is promoted through it like everywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from contacts import roster, rules
from contacts.choices import Circle, Stage
from contacts.models import Contact, StageChange
from contacts.moments import WAITING_TO_BE_SORTED
from netzwerk.accounts.models import User
from reminders.due import review_due_on
from reminders.items import REVIEW_INTERVAL
from reminders.models import RosterReview

PROMOTION_SUGGESTIONS = 5
# "Recent" is a quarter, the review's own interval: met in person since about the last review.
RECENT = REVIEW_INTERVAL
# The candidates the strength is worked out for: key positions and the most recently met first,
# so the few shown come from the front of this pool even in a network of thousands.
POOL = 200


@dataclass(frozen=True)
class Candidate:
    contact: Contact
    strength: int


def promotion_candidates(user: User, *, now: datetime, limit: int = PROMOTION_SUGGESTIONS) -> list[Candidate]:
    """Regular contacts with a personal touch in the last quarter, in `rules.promotion_order`:
    at most `limit`, in one query. Never one known only online (R5: a strong tie grows from
    meeting), archived, already a strong tie, or still waiting to be sorted."""
    pool = (
        Contact.objects.for_owner(user)
        .active()
        .in_circle(Circle.REGULAR)
        .exclude(stage=Stage.ONLINE)
        .exclude(WAITING_TO_BE_SORTED)
        .filter(last_personal_touch_at__gte=now - RECENT)
        .order_by("-key_position", "-last_personal_touch_at", "pk")[:POOL]
    )
    ordered = rules.promotion_order([c for c in pool if roster.has_met(c)], now=now)
    return [Candidate(c, rules.strength(c, now=now).score) for c in ordered[:limit]]


@dataclass(frozen=True)
class Goals:
    meetings: int | None = None
    key_positions: int | None = None
    note: str = ""


def record_review(user: User, *, now: datetime, goals: Goals) -> date:
    """The review is done, with the roster it left and the goals for the next quarter; returns
    the day the next one is due."""
    RosterReview.objects.create(
        owner=user,
        reviewed_at=now,
        strong_ties=roster.roster_for(user).count,
        goal_meetings=goals.meetings,
        goal_key_positions=goals.key_positions,
        goal_note=goals.note,
    )
    return review_due_on(user, now)


@dataclass(frozen=True)
class LastQuarter:
    """The last review, its goals, and what happened since: the online contacts met in person
    (the stage history) and the strong ties in key positions now."""

    review: RosterReview
    met: int
    key_positions: int

    @property
    def meetings_reached(self) -> bool:
        goal = self.review.goal_meetings
        return goal is not None and self.met >= goal

    @property
    def key_positions_reached(self) -> bool:
        goal = self.review.goal_key_positions
        return goal is not None and self.key_positions >= goal


def last_quarter(user: User, *, key_positions: int) -> LastQuarter | None:
    """The last review against today (`key_positions`: the roster's now); None before the first."""
    review = user.roster_reviews.first()
    if review is None:
        return None
    return LastQuarter(review, met=met_since(user, review.reviewed_at), key_positions=key_positions)


def met_since(user: User, since: datetime) -> int:
    """Online contacts that reached "met in person" (or later) after `since`, each once: a
    contact edited back and forth counts as the one person met."""
    moves = StageChange.objects.filter(
        contact__owner=user, from_stage=Stage.ONLINE, changed_at__gt=since
    ).exclude(to_stage=Stage.ONLINE)
    return moves.values("contact").distinct().count()
