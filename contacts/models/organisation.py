"""What contacts are grouped by: the organisations and events where people meet (R11), and tags;
and the owner's filter every user's rows share."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from contacts.choices import OrganisationKind

if TYPE_CHECKING:
    from netzwerk.accounts.models import User


class OwnedQuerySet[M: models.Model](models.QuerySet[M]):
    def for_owner(self, user: User) -> Self:
        return self.filter(owner=user)


class OrganisationQuerySet(OwnedQuerySet["Organisation"]):
    def annotate_counts(self) -> OrganisationQuerySet:
        return self.annotate(
            met_count=models.Count("contacts_met", distinct=True),
            member_count=models.Count("members", distinct=True),
        )


class Organisation(models.Model):
    """R11: clubs, associations, trade fairs and events cannot be replaced by platforms."""

    Kind = OrganisationKind

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organisations"
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CLUB)
    place = models.CharField(_("place"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[OrganisationQuerySet] = OrganisationQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("organisation or event")
        verbose_name_plural = _("organisations and events")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint("owner", Lower("name"), name="organisation_unique_name_per_owner"),
            models.CheckConstraint(
                condition=Q(kind__in=OrganisationKind.values), name="organisation_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("contacts:organisation_detail", args=[self.pk])


class Tag(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(_("name"), max_length=50)

    objects: ClassVar[OwnedQuerySet[Tag]] = OwnedQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint("owner", Lower("name"), name="tag_unique_name_per_owner"),
        ]

    def __str__(self) -> str:
        return self.name
