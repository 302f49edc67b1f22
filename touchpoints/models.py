"""The ledger of every contact with a person (touchpoints)."""

from __future__ import annotations

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
            # the contact's timeline and its summary (touchpoints/summary.py)
            models.Index(fields=["contact", "-happened_at"], name="touchpoint_contact_when"),
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

    @property
    def is_personal(self) -> bool:
        return KINDS[self.kind].personal

    @property
    def qualifies(self) -> bool:
        return KINDS[self.kind].qualifies

    @property
    def has_open_promise(self) -> bool:
        return bool(self.promise) and self.promise_kept_at is None
