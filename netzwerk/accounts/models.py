"""The user: e-mail login, time zone, language, digest and roster preferences."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_stubs_ext import StrOrPromise

# What `User.next_digest_at` is worked out from.
DIGEST_SETTINGS = frozenset({"time_zone", "digest_frequency", "digest_hour"})
# R2: more than 40-60 strong ties cannot be actively maintained.
STRONG_TIE_CAP_MIN = 40
STRONG_TIE_CAP_MAX = 60
STRONG_TIE_WARN_FROM = 40


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **fields)


# Cadence intervals (R7), in days: at least one, at most two years.
CADENCE_DAYS_MAX = 730


def _cadence_days(label: StrOrPromise, default: int) -> models.PositiveSmallIntegerField[int, int]:
    return models.PositiveSmallIntegerField(
        label, default=default, validators=[MinValueValidator(1), MaxValueValidator(CADENCE_DAYS_MAX)]
    )


# Birthday gestures (R8) are due at most this many days ahead.
LEAD_DAYS_MAX = 60


def _lead_days(label: StrOrPromise, default: int) -> models.PositiveSmallIntegerField[int, int]:
    return models.PositiveSmallIntegerField(
        label, default=default, validators=[MaxValueValidator(LEAD_DAYS_MAX)]
    )


class User(AbstractUser):
    class Language(models.TextChoices):
        GERMAN = "de", _("German")
        ENGLISH = "en", _("English")

    class DigestFrequency(models.TextChoices):
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly (Mondays)")
        OFF = "off", _("Off")

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mail address"), unique=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Berlin", validators=[validate_time_zone]
    )
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.GERMAN
    )
    digest_frequency = models.CharField(
        _("digest"), max_length=8, choices=DigestFrequency.choices, default=DigestFrequency.DAILY
    )
    digest_hour = models.PositiveSmallIntegerField(
        _("digest hour"),
        default=7,
        validators=[MaxValueValidator(23)],
        help_text=_("Local hour at which the digest is sent."),
    )
    # When the next digest is due (reminders.digest_schedule): set by the sweep; empty until it
    # has worked it out, and emptied by `save` when a setting it depends on changes.
    next_digest_at = models.DateTimeField(
        _("next digest"), null=True, blank=True, editable=False, db_index=True
    )
    strong_tie_cap = models.PositiveSmallIntegerField(
        _("strong-tie cap"),
        default=STRONG_TIE_CAP_MAX,
        validators=[MinValueValidator(STRONG_TIE_CAP_MIN), MaxValueValidator(STRONG_TIE_CAP_MAX)],
        help_text=_("At most this many strong ties (40-60); your coach may set it."),
    )

    # The method's rules, as each user's settings (a coach may set the cadences later).
    online_window_days = models.PositiveSmallIntegerField(
        _("online-only window (days)"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("Days after a first online contact by which to arrange a call or meeting."),
    )
    prospect_target = models.PositiveSmallIntegerField(
        _("touches before a prospect decides"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_("About seven touches before a prospect becomes a customer."),
    )
    prospect_interval_days = models.PositiveSmallIntegerField(
        _("days between a prospect's touches"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(180)],
    )
    cadence_strong_ideal = _cadence_days(_("strong ties: ideal interval (days)"), 30)
    cadence_strong_max = _cadence_days(_("strong ties: maximum interval (days)"), 45)
    cadence_regular_ideal = _cadence_days(_("regular: ideal interval (days)"), 90)
    cadence_regular_max = _cadence_days(_("regular: maximum interval (days)"), 120)
    cadence_loose_ideal = _cadence_days(_("loose: ideal interval (days)"), 180)
    cadence_loose_max = _cadence_days(_("loose: maximum interval (days)"), 365)

    # R8: how many days before a birthday each gesture is due (0: on the day).
    birthday_gift_days = _lead_days(_("order a gift (days before)"), 10)
    birthday_card_days = _lead_days(_("post a card (days before)"), 5)
    birthday_call_days = _lead_days(_("call (days before)"), 0)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(strong_tie_cap__gte=STRONG_TIE_CAP_MIN)
                & models.Q(strong_tie_cap__lte=STRONG_TIE_CAP_MAX),
                name="user_strong_tie_cap_40_to_60",
            ),
            models.CheckConstraint(condition=models.Q(digest_hour__lte=23), name="user_digest_hour_0_to_23"),
            *[
                models.CheckConstraint(
                    condition=models.Q(**{f"cadence_{circle}_ideal__gte": 1})
                    & models.Q(**{f"cadence_{circle}_ideal__lt": models.F(f"cadence_{circle}_max")}),
                    name=f"user_cadence_{circle}_ideal_below_max",
                )
                for circle in ("strong", "regular", "loose")
            ],
        ]

    def __str__(self) -> str:
        return self.email

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Saving when the digest comes (or the whole user) empties `next_digest_at`: the next
        sweep works it out afresh, and sends today's digest if it is due and not sent yet."""
        update_fields = kwargs.get("update_fields")
        if update_fields is None:
            self.next_digest_at = None
        elif DIGEST_SETTINGS & set(update_fields):
            self.next_digest_at = None
            kwargs["update_fields"] = {*update_fields, "next_digest_at"}
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email

    def cadence(self, circle: str) -> tuple[int, int]:
        """(ideal, maximum) days between touches for a circle (R7)."""
        return getattr(self, f"cadence_{circle}_ideal"), getattr(self, f"cadence_{circle}_max")

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def phone_region(self) -> str:
        """Where a phone number without a country code is read as local: the time zone's country."""
        return PHONE_REGIONS.get(self.time_zone, "DE")

    def local_date(self, moment: datetime) -> date:
        """The user's calendar day at `moment`: reminders, promises and charts go by it."""
        return moment.astimezone(self.zone).date()


# The countries of the time zones the users are in (the rest read numbers as German).
PHONE_REGIONS = {
    "Europe/Berlin": "DE",
    "Europe/Busingen": "DE",
    "Europe/Vienna": "AT",
    "Europe/Zurich": "CH",
    "Europe/Vaduz": "LI",
    "Europe/Luxembourg": "LU",
    "Europe/Brussels": "BE",
    "Europe/Amsterdam": "NL",
    "Europe/Paris": "FR",
    "Europe/Rome": "IT",
    "Europe/Madrid": "ES",
    "Europe/London": "GB",
    "Europe/Dublin": "IE",
    "Europe/Warsaw": "PL",
    "Europe/Prague": "CZ",
    "Europe/Copenhagen": "DK",
    "Europe/Stockholm": "SE",
    "Europe/Oslo": "NO",
    "Europe/Helsinki": "FI",
    "America/New_York": "US",
    "America/Chicago": "US",
    "America/Denver": "US",
    "America/Los_Angeles": "US",
}


# ---------------------------------------------------------------- COACHES
# Coaches are staff users in this group; the coach admin opens only to them (and only with MFA).
COACHES_GROUP = "coaches"


def is_coach(user: Any) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.groups.filter(name=COACHES_GROUP).exists()
    )


class Sharing(models.TextChoices):
    """What a client lets their coach see, each level including the one before."""

    HEALTH = "health", _("Network health only")
    NAMES = "names", _("Also contact names")
    NOTES = "notes", _("Also notes and touchpoint notes")

    def includes(self, level: str) -> bool:
        """Whether sharing at this level shows what `level` does (each includes those before)."""
        order = list(Sharing)
        return order.index(self) >= order.index(Sharing(level))


class Side(models.TextChoices):
    CLIENT = "client", _("client")
    COACH = "coach", _("coach")


class CoachLinkQuerySet(models.QuerySet["CoachLink"]):
    def active(self) -> CoachLinkQuerySet:
        """Accepted and not ended: the only links that give a coach access."""
        return self.filter(accepted_at__isnull=False, ended_at__isnull=True)

    def for_coach(self, coach: User) -> CoachLinkQuerySet:
        return self.active().filter(coach=coach)


class CoachLink(models.Model):
    """A coach–client relationship: invited by one side, accepted by the other, ended by either.

    The invitee is known only by the e-mail address until they accept: then their side is set.
    Access exists only while the link is accepted and not ended (`CoachLink.objects.active()`),
    and every coach query reads it afresh, so an ended link refuses the coach's next request.
    """

    client = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="coach_links"
    )
    coach = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="client_links"
    )
    invited_by = models.CharField(_("invited by"), max_length=6, choices=Side.choices)
    email = models.EmailField(_("invited address"))
    sharing = models.CharField(
        _("what your coach sees"), max_length=6, choices=Sharing.choices, default=Sharing.HEALTH
    )
    created_at = models.DateTimeField(_("invited"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    ended_by = models.CharField(_("ended by"), max_length=6, choices=Side.choices, blank=True)

    objects: ClassVar[CoachLinkQuerySet] = CoachLinkQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("coach link")
        verbose_name_plural = _("coach links")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sharing__in=Sharing.values), name="coachlink_sharing_valid"
            ),
            # The inviter's side is always set; the invitee's once they accept.
            models.CheckConstraint(
                condition=(models.Q(invited_by=Side.CLIENT) & models.Q(client__isnull=False))
                | (models.Q(invited_by=Side.COACH) & models.Q(coach__isnull=False)),
                name="coachlink_inviter_set",
            ),
            models.CheckConstraint(
                condition=models.Q(accepted_at__isnull=True)
                | (models.Q(client__isnull=False) & models.Q(coach__isnull=False)),
                name="coachlink_accepted_has_both",
            ),
            models.UniqueConstraint(
                "client",
                "coach",
                condition=models.Q(ended_at__isnull=True),
                name="coachlink_one_open_per_pair",
            ),
        ]
        indexes = [models.Index(fields=["coach", "ended_at"], name="coachlink_coach")]

    def __str__(self) -> str:
        return f"coach link {self.pk}"

    @property
    def is_active(self) -> bool:
        return self.accepted_at is not None and self.ended_at is None

    def side_of(self, user: User) -> Side | None:
        if self.client_id == user.pk:
            return Side.CLIENT
        if self.coach_id == user.pk:
            return Side.COACH
        return None

    def other_side(self, user: User) -> User | None:
        return self.coach if self.client_id == user.pk else self.client


class AccessAction(models.TextChoices):
    VIEW = "view", _("viewed")
    CHANGE = "change", pgettext_lazy("a coach … the client's settings", "changed")
    DENIED = "denied", _("was refused")


class AccessLog(models.Model):
    """One coach read (or change, or refused attempt) of a client's data: who, whose, what, when.

    No personal content: `what` names a kind of object or page, `object_id` its key.
    """

    Action = AccessAction

    # The client's record of who looked outlives a coach's deleted account, without naming them.
    coach = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    client = models.ForeignKey(User, on_delete=models.CASCADE, related_name="access_log")
    action = models.CharField(_("action"), max_length=6, choices=AccessAction.choices)
    what = models.CharField(_("what"), max_length=40)
    object_id = models.PositiveBigIntegerField(_("object"), null=True, blank=True)
    at = models.DateTimeField(_("when"), db_default=Now())

    class Meta:
        verbose_name = _("coach access")
        verbose_name_plural = _("coach access log")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["client", "-at"], name="accesslog_client_at")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=AccessAction.values), name="accesslog_action_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.what} {self.object_id or ''}".strip()

    @property
    def label(self) -> StrOrPromise:
        return ACCESS_WHAT.get(self.what, self.what)


# What the coach site logs (`AccessLog.what`), as the client reads it.
ACCESS_WHAT: dict[str, StrOrPromise] = {
    "overview": _("the health of your network (overview)"),
    "client": _("your settings and network health"),
    "clients": _("the list of clients"),
    "settings": _("your cap or cadences"),
    "contact": _("a contact"),
    "contacts": _("contacts in a list"),
    "touchpoint": _("a touchpoint"),
    "touchpoints": _("touchpoints in a list"),
}
