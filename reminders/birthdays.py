"""Birthdays and the personal gestures that lead up to them (R8), as pure functions of a local day.

A birthday is stored as day and month, the year optional. It is celebrated on that day; a
29 February birthday on 28 February in years without one. Each gesture has a lead time in days:
order a gift ten days before, post a handwritten card five days before, call on the day (the
defaults; users set their own). The Today page, the digest and the calendar feed all ask here.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

from touchpoints.kinds import Kind

if TYPE_CHECKING:
    from netzwerk.accounts.models import User


class Gesture(models.TextChoices):
    GIFT = "gift", _("Order a gift")
    CARD = "card", _("Post a handwritten card")
    CALL = "call", _("Call to congratulate")


# The touch a done gesture logs in the same click.
GESTURE_KIND = {Gesture.GIFT: Kind.BIRTHDAY_GIFT, Gesture.CARD: Kind.CARD, Gesture.CALL: Kind.CALL}
DEFAULT_LEAD_DAYS = {Gesture.GIFT: 10, Gesture.CARD: 5, Gesture.CALL: 0}


def celebrated_on(month: int, day: int, year: int) -> date:
    """The day a birthday is celebrated in `year`: 29 February falls back to the 28th."""
    if (month, day) == (2, 29) and not calendar.isleap(year):
        return date(year, 2, 28)
    return date(year, month, day)


def next_celebration(month: int, day: int, *, today: date) -> date:
    """The first celebration on or after `today`."""
    this_year = celebrated_on(month, day, today.year)
    return this_year if this_year >= today else celebrated_on(month, day, today.year + 1)


def age_on(birth_year: int | None, celebration: date) -> int | None:
    """How old the person turns at `celebration`; unknown without a year."""
    return None if birth_year is None else celebration.year - birth_year


@dataclass(frozen=True)
class GestureDue:
    gesture: Gesture
    celebration: date

    @property
    def kind(self) -> Kind:
        return GESTURE_KIND[self.gesture]

    @property
    def occasion(self) -> str:
        """Names this gesture for this birthday: done once, done for that year only."""
        return f"{self.celebration.isoformat()}:{self.gesture}"


def gestures_due(month: int, day: int, *, today: date, lead_days: Mapping[Gesture, int]) -> list[GestureDue]:
    """The gestures due `today` for a birthday on `day`.`month`, in the order of `lead_days`.

    Each gesture is due from its lead day until the next gesture's day: with the defaults, the
    gift ten to six days ahead, the card five to one day ahead, the call on the day. A gesture
    not done in its days gives way to the next, so a birthday asks for one thing at a time.
    """
    celebration = next_celebration(month, day, today=today)
    ahead = (celebration - today).days
    return [
        GestureDue(gesture, celebration)
        for gesture, lead in lead_days.items()
        if lead >= ahead > max((other for other in lead_days.values() if other < lead), default=-1)
    ]


def birthday_days(
    *, today: date, lead_days: Mapping[Gesture, int], days_after: int = 0
) -> list[tuple[int, int]]:
    """(month, day) of every birthday with a gesture due `today` (or on one of the `days_after` days
    after it): within the longest lead time, 29 February with 28 February in common years.
    `gestures_due` then says which gestures."""
    days: set[tuple[int, int]] = set()
    for offset in range(max(lead_days.values(), default=0) + days_after + 1):
        target = today + timedelta(days=offset)
        days.add((target.month, target.day))
        if (target.month, target.day) == (2, 28) and not calendar.isleap(target.year):
            days.add((2, 29))
    return sorted(days)


def lead_days_of(user: User) -> dict[Gesture, int]:
    """The user's lead times, longest first."""
    leads = {
        Gesture.GIFT: user.birthday_gift_days,
        Gesture.CARD: user.birthday_card_days,
        Gesture.CALL: user.birthday_call_days,
    }
    return dict(sorted(leads.items(), key=lambda item: -item[1]))
