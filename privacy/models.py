"""What privacy keeps of its own: the deletion ledger (`Erasure`) and the exports a worker prepares.

An export of a user's data is prepared by a worker (privacy.jobs) and downloaded once ready.

The ZIP is kept in the database, in chunks (as imports keep uploads): the worker writes it and the
web serves it with no shared disk between them. It goes RETAIN_EXPORTS_HOURS after it is ready.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ExportState(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("being prepared")
    READY = "ready", _("ready")
    FAILED = "failed", _("failed")


# The states of an export still to be finished: one at a time per user.
OPEN_STATES = [ExportState.QUEUED, ExportState.RUNNING]


class ExportJobQuerySet(models.QuerySet["ExportJob"]):
    def for_owner(self, user: object) -> Self:
        return self.filter(owner=user)

    def open(self) -> Self:
        return self.filter(state__in=OPEN_STATES)

    def counted_since(self, moment: datetime) -> Self:
        """The exports asked for since `moment` that count against the daily limit: a failed one
        was not the user's doing, so it does not."""
        return self.filter(created_at__gt=moment).exclude(state=ExportState.FAILED)


class ExportJob(models.Model):
    State = ExportState

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exports")
    state = models.CharField(max_length=10, choices=ExportState.choices, default=ExportState.QUEUED)
    # Per cent of the models written, for the progress bar.
    progress = models.PositiveSmallIntegerField(default=0)
    # The download's file name, from the day the user asked for it in their time zone.
    filename = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField()
    # The claim of the worker preparing it (privacy.jobs.claim): a second task finds it taken.
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True, default="")
    attempts = models.PositiveSmallIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[ExportJobQuerySet] = ExportJobQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="exportjob_owner_created")]
        constraints = [
            # One export at a time per user: a second request while one is open fails here.
            models.UniqueConstraint(
                fields=["owner"], condition=Q(state__in=OPEN_STATES), name="exportjob_one_open_per_owner"
            ),
            models.CheckConstraint(condition=Q(state__in=ExportState.values), name="exportjob_state_valid"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="exportjob_progress_percent"),
            models.CheckConstraint(
                condition=~Q(state=ExportState.READY) | Q(expires_at__isnull=False),
                name="exportjob_ready_expires",
            ),
        ]

    def __str__(self) -> str:
        return f"export {self.pk} ({self.state})"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def is_downloadable(self, *, now: datetime) -> bool:
        return self.state == ExportState.READY and self.expires_at is not None and now < self.expires_at


class ExportChunk(models.Model):
    """A piece of a prepared ZIP, in order: neither side holds the file whole."""

    job = models.ForeignKey(ExportJob, on_delete=models.CASCADE, related_name="chunks")
    number = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "number"], name="exportchunk_one_per_number"),
        ]

    def __str__(self) -> str:
        return f"chunk {self.number} of export {self.job_id}"


class Erasure(models.Model):
    """An erased account, as the deletion ledger keeps it: the account's id and the moment.

    Nothing personal: no address, no name. The id is enough, because a restored dump brings an
    account back under its old primary key; and it identifies nobody once the account's rows are
    gone (a hash of it, as docs once proposed, would hide nothing: the ids are a short sequence
    anyone can hash). An id can be handed out again after a restore rewinds the sequence, so the
    ledger erases an account only if it joined before the erasure (privacy.erasure.reapply): a
    newcomer who got an erased account's id joined after it.

    Kept for good: it is what makes a deletion outlive a restore of an older backup.
    """

    user_pk = models.BigIntegerField()
    erased_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # The ledger is copied between the database and its file (privacy.ledger.sync): the
            # same erasure is one row however often it is copied. Its index also serves
            # reapply's lookup by account id.
            models.UniqueConstraint(fields=["user_pk", "erased_at"], name="privacy_erasure_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_pk} ({self.erased_at.isoformat()})"
