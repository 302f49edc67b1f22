"""What Today and the digest show: the items, the sections they fall in, a user's day of them.

The sections are found in reminders/due.py; what an item offers (the touches one click logs, a
"done") is reminders/clearing.py's; `item_key` names an item for its snooze and done
(reminders/states.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext

from contacts import rules
from contacts.models import Contact, display_number
from reminders import clearing
from reminders.birthdays import GestureDue
from reminders.models import ItemKind
from touchpoints.models import OneOffReminder, Touchpoint

# Rows shown per section on Today and in the digest (the total is counted in full), and when the
# user asks for the whole section.
SHOWN = 5
SHOWN_ALL = 100
SNOOZE_DAYS = (1, 3, 7)
# R10: the roster is reviewed every quarter, the first time a quarter after joining.
REVIEW_INTERVAL = timedelta(days=91)
# The count of imported contacts waiting to be sorted, among the review section's counts.
TO_SORT = "to_sort"


@dataclass(frozen=True)
class Item:
    kind: ItemKind
    contact: Contact | None = None
    touch: Touchpoint | None = None
    gesture: GestureDue | None = None
    age: int | None = None
    ahead: int = 0
    cadence: rules.Cadence | None = None
    prospect: rules.ProspectProgress | None = None
    online: rules.OnlineOnly | None = None
    review_due: date | None = None
    # The contact's first phone (E.164) and e-mail address: Today offers a call and an e-mail.
    phone: str = ""
    email: str = ""
    one_off: OneOffReminder | None = None

    @property
    def logs(self) -> list[tuple[str, str]]:
        """The touches one click logs: the gesture's, those of its rule; none at R6's target."""
        if self.prospect is not None and self.prospect.needs_outcome:
            return []
        return clearing.log_choices(self.kind, gesture=self.gesture.kind if self.gesture else None)

    @property
    def has_done(self) -> bool:
        return not clearing.only_a_touch_clears(self.kind) and not (
            self.prospect and self.prospect.needs_outcome
        )

    @property
    def occasion(self) -> str:
        """What the key adds to the contact: the birthday and gesture, or the one-off reminder."""
        if self.one_off is not None:
            return str(self.one_off.pk)  # reminders.one_offs.state_key
        return self.gesture.occasion if self.gesture is not None else ""

    @cached_property
    def url(self) -> str:
        """The contact's page (an item is rendered twice in the digest: text and HTML)."""
        return self.contact.get_absolute_url() if self.contact is not None else ""

    @cached_property
    def meta(self) -> str:
        """The line under the item, in the language and time zone active when first read (items
        are built and rendered for one reader: the page, a digest)."""
        if self.cadence is not None and self.contact is not None:
            days, since = self.cadence.days_since, self.contact.last_touch_at
            if self.cadence.since_sorted:
                last = ngettext(
                    "sorted %(days)s day ago, no touch since",
                    "sorted %(days)s days ago, no touch since",
                    days,
                )
            elif since:
                last = ngettext("last touch %(days)s day ago", "last touch %(days)s days ago", days)
            else:
                last = ngettext(
                    "added %(days)s day ago, no touch yet", "added %(days)s days ago, no touch yet", days
                )
            last %= {"days": days}
            every = gettext("every %(ideal)s–%(maximum)s days") % {
                "ideal": self.cadence.ideal,
                "maximum": self.cadence.maximum,
            }
            return f"{self.contact.get_circle_display()} · {last} · {every}"
        if self.gesture is not None:
            day = date_format(self.gesture.celebration, "MONTH_DAY_FORMAT")
            if self.age:
                return gettext("turns %(age)s on %(day)s") % {"age": self.age, "day": day}
            return gettext("birthday on %(day)s") % {"day": day}
        if self.touch is not None and self.touch.promise_due is not None:
            return gettext("promised by %(day)s") % {
                "day": date_format(self.touch.promise_due, "DATE_FORMAT")
            }
        if self.prospect is not None:
            if self.prospect.needs_outcome or self.prospect.next_due_at is None:
                return gettext("Target reached: customer or not now? Record the outcome.")
            day = date_format(timezone.localtime(self.prospect.next_due_at), "DATE_FORMAT")
            if self.prospect.is_next_due:  # on Today it always is: say since when
                return gettext("next touch due since %(day)s") % {"day": day}
            return gettext("next touch due on %(day)s") % {"day": day}
        if self.online is not None:
            online_since = date_format(timezone.localtime(self.online.since), "DATE_FORMAT")
            return gettext("known only online since %(since)s: arrange a call or a meeting") % {
                "since": online_since
            }
        if self.review_due is not None:
            return gettext("due since %(day)s") % {"day": date_format(self.review_due, "DATE_FORMAT")}
        if self.one_off is not None:
            return self._one_off_meta(self.one_off)
        return ""

    def _one_off_meta(self, reminder: OneOffReminder) -> str:
        """Due today, since its day, or on a day ahead (a weekly digest's week) — as seen from
        the day it was built for: see `ahead`."""
        day = date_format(reminder.due_on, "DATE_FORMAT")
        if self.ahead < 0:
            return gettext("due since %(day)s") % {"day": day}
        if self.ahead > 0:
            return gettext("due on %(weekday)s, %(day)s") % {
                "weekday": date_format(reminder.due_on, "l"),
                "day": day,
            }
        return gettext("today")

    @property
    def phone_display(self) -> str:
        return display_number(self.phone) if self.phone else ""

    @property
    def when(self) -> str:
        """How far ahead a birthday is: "in 3 days", or "today"."""
        if self.ahead:
            return ngettext("in %(days)s day", "in %(days)s days", self.ahead) % {"days": self.ahead}
        return gettext("today")

    @property
    def key(self) -> str:
        """The name its snooze and done are stored under (see `_state`)."""
        return item_key(
            self.kind,
            contact=self.contact.pk if self.contact else None,
            touch=self.touch.pk if self.touch else None,
            occasion=self.occasion,
        )


@dataclass(frozen=True)
class Section:
    kind: ItemKind
    items: list[Item]
    total: int
    counts: dict[str, int] = field(default_factory=dict)
    expanded: bool = False  # all items asked for, not the first SHOWN

    @property
    def more(self) -> int:
        return self.total - len(self.items)


@dataclass(frozen=True)
class Today:
    day: date
    sections: list[Section]

    @property
    def total(self) -> int:
        return sum(section.total for section in self.sections)

    @property
    def due(self) -> list[Section]:
        return [section for section in self.sections if section.total]

    @property
    def to_sort(self) -> int:
        """Imported contacts waiting to be sorted (R10), counted with the roster review."""
        return sum(section.counts.get(TO_SORT, 0) for section in self.sections)


def item_key(kind: str, *, contact: int | None = None, touch: int | None = None, occasion: str = "") -> str:
    """`kind:contact[:occasion]`, or `promise:touch` (a promise is its touch's), or just `kind`."""
    parts = [kind, str(touch or contact or "")]
    if occasion:
        parts.append(occasion)
    return ":".join(parts)
