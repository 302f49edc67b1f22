"""A network's state at a glance, as the coach overview shows it (R1, R2, R6, R7).

The same conditions as Today's sections (reminders/due.py), snoozed or not: the network's state,
not the day's to-do list. One query for any number of clients, grouped by owner.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Least

from contacts.choices import Circle
from contacts.models import Contact
from contacts.moments import ACTIVE
from netzwerk.accounts.models import User
from reminders.due import cadence_due, cadences, online_due
from reminders.querying import by_condition, per_owner


@dataclass(frozen=True)
class Health:
    strong_ties: int = 0
    red: int = 0
    yellow: int = 0
    prospects: int = 0
    prospect_touches: int = 0
    prospects_at_target: int = 0
    online_backlog: int = 0

    def prospect_progress(self, target: int) -> int | None:
        """The prospects' touches as a percentage of the target for all of them; None without."""
        if not self.prospects:
            return None
        return min(round(100 * self.prospect_touches / (self.prospects * target)), 100)


def network_health(users: Sequence[User], *, now: datetime) -> dict[int, Health]:
    """`Health` of each user's active contacts (every user is in the result, with zeros if need
    be). A prospect's touches count up to the target, so one far past it does not make up for
    another without any."""
    if not users:
        return {}
    red = per_owner(users, lambda user: cadence_due(user, now, red=True), setting=cadences)
    due = per_owner(users, lambda user: cadence_due(user, now), setting=cadences)
    prospect = Q(prospect_reference__isnull=False)
    targets = by_condition(users, lambda user: user.prospect_target)
    target: Value | Case
    if len(targets) == 1:  # one target for all, without the owners again (see per_owner)
        target = Value(next(iter(targets)), output_field=IntegerField())
    else:
        target = Case(
            *(When(owner_id__in=owners, then=Value(target)) for target, owners in targets.items()),
            output_field=IntegerField(),
        )
    at_target = per_owner(
        users,
        lambda user: Q(prospect_touches__gte=user.prospect_target),
        setting=lambda user: user.prospect_target,
    )
    rows = (
        Contact.objects.filter(ACTIVE, owner_id__in=[user.pk for user in users])
        .order_by()
        .values("owner_id")
        .annotate(
            health_strong_ties=Count("pk", filter=Q(circle=Circle.STRONG)),
            health_red=Count("pk", filter=red),
            health_yellow=Count("pk", filter=due & ~red),
            health_prospects=Count("pk", filter=prospect),
            health_prospect_touches=Sum(Least("prospect_touches", target), filter=prospect),
            health_prospects_at_target=Count("pk", filter=prospect & at_target),
            health_online_backlog=Count(
                "pk",
                filter=per_owner(
                    users, lambda user: online_due(user, now), setting=lambda user: user.online_window_days
                ),
            ),
        )
    )
    found = {user.pk: Health() for user in users}
    for row in rows:
        figures: dict[str, Any] = dict(row)
        owner = figures.pop("owner_id")
        found[owner] = Health(
            **{name.removeprefix("health_"): int(value or 0) for name, value in figures.items()}
        )
    return found
