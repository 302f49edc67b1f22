"""The ledger of every contact with a person (touchpoints)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, ClassVar, Self

from django.db import models
from django.db.models import F, Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from contacts.models import Contact
from touchpoints.kinds import KINDS, Kind

if TYPE_CHECKING:
    from netzwerk.accounts.models import User


class Initiator(models.TextChoices):
    ME = "me", _("Me")
    THEM = "them", _("Them")


class Exchange(models.TextChoices):
    """R4: invest before you ask."""

    NONE = "", _("Neither")
    GIVE = "give", _("Giving")
    ASK = "ask", _("Asking")


# R3: a touch with a promise, and one whose promise is not kept yet (summary, record, lists).
PROMISED = ~Q(promise="")
OPEN_PROMISE = PROMISED & Q(promise_kept_at__isnull=True)
KEPT_PROMISE = PROMISED & Q(promise_kept_at__isnull=False)


class TouchpointQuerySet(models.QuerySet["Touchpoint"]):
    def for_owner(self, user: User) -> Self:
        return self.filter(contact__owner=user)

    def for_contact(self, contact: Contact) -> Self:
        return self.filter(contact=contact)

    def open_promises(self) -> Self:
        """R3: promises not yet kept, the earliest due first (those without a date last)."""
        return self.filter(OPEN_PROMISE).order_by(F("promise_due").asc(nulls_last=True), "happened_at", "pk")


class Touchpoint(models.Model):
    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.CASCADE, related_name="touchpoints"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    happened_at = models.DateTimeField(_("when"))
    note = models.TextField(_("note"), blank=True)
    initiated_by = models.CharField(
        _("initiated by"), max_length=4, choices=Initiator.choices, default=Initiator.ME
    )
    exchange = models.CharField(_("give or ask"), max_length=4, choices=Exchange.choices, blank=True)
    exchange_label = models.CharField(
        _("what was given or asked"),
        max_length=100,
        blank=True,
        help_text=_("An introduction, a recommendation, help, a gift, a favour."),
    )
    promise = models.CharField(_("promise"), max_length=200, blank=True)
    promise_due = models.DateField(_("promised by"), null=True, blank=True)
    promise_kept_at = models.DateTimeField(_("promise kept"), null=True, blank=True)
    gut_feeling = models.CharField(
        _("gut feeling"),
        max_length=300,
        blank=True,
        help_text=_("After a first personal meeting: how did it feel?"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[TouchpointQuerySet] = TouchpointQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("touchpoint")
        verbose_name_plural = _("touchpoints")
        ordering = ["-happened_at", "-pk"]
        indexes = [
            # the contact's timeline and its summary (touchpoints/summary.py); with the kind, the
            # coach overview's weekly mix (touchpoints/mix.py) reads the index alone (a key column,
            # not INCLUDE, which SQLite in development would not take)
            models.Index(fields=["contact", "-happened_at", "kind"], name="touchpoint_contact_when_kind"),
            # open promises by due date (reminders: Today, the digest and the calendar feed)
            models.Index(
                fields=["contact", "promise_due"], condition=OPEN_PROMISE, name="touchpoint_open_promise"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="touchpoint_kind_valid"),
            models.CheckConstraint(
                condition=Q(exchange__in=["", "give", "ask"]), name="touchpoint_exchange_valid"
            ),
            models.CheckConstraint(
                condition=Q(promise_due__isnull=True) | ~Q(promise=""),
                name="touchpoint_due_date_needs_a_promise",
            ),
        ]

    def __str__(self) -> str:
        """The kind and the day, the owner's calendar day (not the server's or the reader's)."""
        day = self.contact.owner.local_date(self.happened_at)
        return f"{self.get_kind_display()} · {date_format(day, 'SHORT_DATE_FORMAT')}"

    def get_kind_display(self) -> str:  # type: ignore[no-redef]  # Django keeps one defined here
        """The kind's label, as Django's own method gives it: that one builds a dictionary of every
        choice (translating each label) on each call, and a timeline asks three times a row."""
        return str(Kind(self.kind).label) if self.kind in Kind.values else self.kind

    @property
    def is_personal(self) -> bool:
        return KINDS[self.kind].personal

    @property
    def qualifies(self) -> bool:
        return KINDS[self.kind].qualifies

    @property
    def has_open_promise(self) -> bool:
        return bool(self.promise) and self.promise_kept_at is None

    @property
    def has_kept_promise(self) -> bool:
        return bool(self.promise) and self.promise_kept_at is not None


# A one-off reminder's text: one line on Today, in the digest and as a calendar entry's title.
REMINDER_TEXT_MAX = 200
# Open one-off reminders (reminders: Today, the digest, the calendar feed; the contact page).
OPEN_REMINDER = Q(done_at__isnull=True)


class OneOffReminderQuerySet(models.QuerySet["OneOffReminder"]):
    def for_owner(self, user: User) -> Self:
        return self.filter(contact__owner=user)

    def for_contact(self, contact: Contact) -> Self:
        return self.filter(contact=contact)

    def open(self) -> Self:
        """Not done yet, the earliest due first."""
        return self.filter(OPEN_REMINDER).order_by("due_on", "pk")


class OneOffReminder(models.Model):
    """ "Call Anna on 15 January": a day and a short text about one contact, done once.

    It lives here, next to the promises, because the touch log form sets one ("remind me on …
    about …") and touchpoints sits below reminders (DESIGN.md); reminders/one_offs.py puts the
    open ones on Today, in the digest and in the calendar feed. Unlike a cadence, a one-off is
    simply done; its snooze is a reminders.ReminderState like every other item's.
    """

    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.CASCADE, related_name="one_off_reminders"
    )
    due_on = models.DateField(_("remind me on"))
    text = models.CharField(
        _("what about"),
        max_length=REMINDER_TEXT_MAX,
        help_text=_("A few words, e.g. “Call about the offer”."),
    )
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[OneOffReminderQuerySet] = OneOffReminderQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["due_on", "pk"]
        indexes = [
            # open reminders by day (reminders/one_offs.py: Today, the digest; the contact page)
            models.Index(fields=["contact", "due_on"], condition=OPEN_REMINDER, name="oneoffreminder_open"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="oneoffreminder_text_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.due_on:%Y-%m-%d} {self.text}"

    def mark_done(self, *, now: datetime) -> None:
        self.done_at = now
        self.save(update_fields=["done_at", "updated_at"])


def touch_version(touch: Touchpoint) -> str:
    """What an undo offered for a touch just logged signs, to take back that touch and not one
    edited since (`netzwerk.undo.posted`)."""
    return touch.updated_at.isoformat()
