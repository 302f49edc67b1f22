from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from netzwerk.accounts.models import STRONG_TIE_CAP_MAX


class Heartbeat(models.Model):
    """Written by the beat-scheduled heartbeat task: proof that beat ticks and a worker runs."""

    name = models.CharField(max_length=50, unique=True)
    last_seen = models.DateTimeField()
    beats = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("heartbeat")

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_seen:%Y-%m-%d %H:%M:%S}"


class ItemKind(models.TextChoices):
    """The kinds of item the Today page and the digest list, in their order there."""

    CADENCE = "cadence", _("Keep in touch")
    BIRTHDAY = "birthday", _("Birthdays")
    PROMISE = "promise", _("Promises")
    ONE_OFF = "one_off", _("Reminders")  # set by the user for a day (touchpoints.OneOffReminder)
    PROSPECT = "prospect", _("Prospects")
    ONLINE_ONLY = "online_only", _("Online only")
    ROSTER_REVIEW = "roster_review", _("Roster review")


class ReminderState(models.Model):
    """Snooze or done for one due item of one user.

    `key` names the item (see reminders.items.item_key). Snoozed until a day; done follow-ups are
    snoozed for their rule's interval too, and a done birthday gesture is done for that birthday.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind.choices)
    key = models.CharField(max_length=80)
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, null=True, blank=True, related_name="reminder_states"
    )
    touchpoint = models.ForeignKey(
        "touchpoints.Touchpoint",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminder_states",
    )
    snoozed_until = models.DateField(_("snoozed until"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("reminder state")
        verbose_name_plural = _("reminder states")
        constraints = [
            models.UniqueConstraint("owner", "key", name="reminderstate_one_per_item"),
            models.CheckConstraint(condition=Q(kind__in=ItemKind.values), name="reminderstate_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.key


# R10: the goals a review sets for the next quarter, and their bounds (reminders.review checks
# the key positions against the owner's own cap; the database holds the widest bounds).
GOAL_MEETINGS_MAX = 100  # more than one a day for a quarter: not a plan anyone keeps
GOAL_KEY_POSITIONS_MAX = STRONG_TIE_CAP_MAX
GOAL_NOTE_MAX_LENGTH = 500


class RosterReview(models.Model):
    """R10: the quarterly walk through the strong ties, what came of it, and the goals for the
    next quarter (none for a review recorded before there were goals, or when left blank)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roster_reviews"
    )
    reviewed_at = models.DateTimeField(_("reviewed"))
    strong_ties = models.PositiveSmallIntegerField(_("strong ties after the review"))
    goal_meetings = models.PositiveSmallIntegerField(
        _("online contacts to meet in person"), null=True, blank=True
    )
    goal_key_positions = models.PositiveSmallIntegerField(
        _("strong ties in key positions"), null=True, blank=True
    )
    goal_note = models.CharField(_("note for the next quarter"), max_length=GOAL_NOTE_MAX_LENGTH, blank=True)

    class Meta:
        verbose_name = _("roster review")
        verbose_name_plural = _("roster reviews")
        ordering = ["-reviewed_at"]
        indexes = [models.Index(fields=["owner", "-reviewed_at"], name="rosterreview_owner_when")]
        constraints = [
            models.CheckConstraint(
                condition=Q(goal_meetings__lte=GOAL_MEETINGS_MAX), name="rosterreview_goal_meetings_max"
            ),
            models.CheckConstraint(
                condition=Q(goal_key_positions__lte=GOAL_KEY_POSITIONS_MAX),
                name="rosterreview_goal_key_positions_max",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.owner} @ {self.reviewed_at:%Y-%m-%d}"

    @property
    def has_goals(self) -> bool:
        return self.goal_meetings is not None or self.goal_key_positions is not None or bool(self.goal_note)


class DigestStatus(models.TextChoices):
    CLAIMED = "claimed", _("Claimed")
    SENT = "sent", _("Sent")
    EMPTY = "empty", _("Nothing due")
    # Not sent, and rightly: the user switched the digest off, left, or moved its hour or day.
    SKIPPED = "skipped", _("Not sent: no longer wanted")
    FAILED = "failed", _("Failed")


class DigestRun(models.Model):
    """One digest per user and local day: claimed before sending, marked after.

    The claim is a conditional update, so two sweepers never both send. A claimed run is queued
    (`queued_at` set: its task waits in the broker), or leased by a worker (`queued_at` empty), and
    `sending_at` is set, with an attempt charged, right before its message goes to the SMTP server.
    A queued run whose task was lost is queued again; a leased run left past a timeout (its worker
    died) is claimed again, later after each send that did not finish (see reminders.digest).
    """

    Status = DigestStatus

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_runs")
    local_date = models.DateField(_("local date"))
    status = models.CharField(
        _("status"), max_length=10, choices=DigestStatus.choices, default=DigestStatus.CLAIMED
    )
    claimed_at = models.DateTimeField(_("claimed"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    sending_at = models.DateTimeField(_("sending since"), null=True, blank=True)
    items = models.PositiveIntegerField(_("items"), default=0)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("digest run")
        verbose_name_plural = _("digest runs")
        ordering = ["-local_date", "owner"]
        constraints = [
            models.UniqueConstraint("owner", "local_date", name="digestrun_one_per_user_and_day"),
            models.CheckConstraint(
                condition=Q(status__in=DigestStatus.values), name="digestrun_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"#{self.pk} user {self.owner_id} {self.local_date} {self.status}"  # ids only: the admin shows it
        )


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """The secret behind a user's calendar (.ics) URL; regenerating it retires the old URL."""

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self.owner} calendar"
