"""What a contact has been through: its moves between stages (R5), and the pairs its owner said
are two people."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from contacts.choices import Stage
from contacts.models.organisation import OwnedQuerySet

if TYPE_CHECKING:
    from contacts.models.contact import Contact


class DistinctPairQuerySet(OwnedQuerySet["DistinctPair"]):
    def pairs(self) -> set[tuple[int, int]]:
        return set(self.values_list("first_id", "second_id"))


class DistinctPair(models.Model):
    """Two contacts their owner said are not the same person: never again a duplicate candidate
    (imports.duplicates) nor a warning on save (contacts.evidence). Stored with the lower pk first."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    first = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[DistinctPairQuerySet] = DistinctPairQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("pair of different people")
        verbose_name_plural = _("pairs of different people")
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="distinctpair_once"),
            models.CheckConstraint(condition=Q(first__lt=F("second")), name="distinctpair_lower_pk_first"),
        ]

    def __str__(self) -> str:
        return f"{self.first_id} ≠ {self.second_id}"

    @classmethod
    def keep_apart(cls, first: Contact, second: Contact) -> None:
        """Record that `first` and `second` (the same owner's) are two people; once per pair,
        also when two requests ask at once (the unique constraint decides)."""
        if first.owner_id != second.owner_id or first.pk == second.pk:
            raise ValueError("a pair is two contacts of one owner")
        low, high = sorted((first, second), key=lambda contact: contact.pk)
        cls.objects.bulk_create([cls(owner_id=low.owner_id, first=low, second=high)], ignore_conflicts=True)


class StageChange(models.Model):
    """R5: every move between stages, with its date and cause: trust grows, it is not declared."""

    class Cause(models.TextChoices):
        CREATED = "created", _("Added")
        EDITED = "edited", _("Changed by you")
        FIRST_PERSONAL_TOUCH = "first_personal_touch", _("First personal touch")
        JOINED_STRONG_TIES = "joined_strong_ties", _("Joined the strong ties")
        DEMOTED = "demoted", _("Left the strong ties")
        ARCHIVED = "archived", _("Archived")
        BROUGHT_IN_LINE = "brought_in_line", _("Brought in line with the method")

    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(_("from"), max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("to"), max_length=20, choices=Stage.choices)
    cause = models.CharField(_("cause"), max_length=30, choices=Cause.choices)
    changed_at = models.DateTimeField(_("changed"))

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["contact", "-changed_at"], name="stagechange_contact_when")]
        constraints = [
            models.CheckConstraint(condition=~Q(from_stage=models.F("to_stage")), name="stagechange_moves"),
        ]

    def __str__(self) -> str:
        return f"{self.from_stage or '—'} → {self.to_stage}"
