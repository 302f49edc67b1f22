"""The contact: a person in a user's network, with what the rules read stored on its row."""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Q, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from contacts.choices import Channel, Circle, ProspectStatus, Sorting, Stage
from contacts.folding import fold_loose
from contacts.keys import PROFILE_FIELDS, profile_key
from contacts.models.history import StageChange
from contacts.models.organisation import Organisation, OwnedQuerySet, Tag
from contacts.models.reach import ContactEmail, ContactPhone
from contacts.moments import (
    ACTIVE,
    CADENCE_REFERENCE,
    ONLINE_REFERENCE,
    PROSPECT_REFERENCE,
    WAITING_TO_BE_SORTED,
    cadence_rank,
)

if TYPE_CHECKING:
    from netzwerk.accounts.models import User

# What search reads, folded, besides e-mail addresses and tags; and the keys made of it.
SEARCHED_FIELDS = ("first_name", "last_name", "company", "position")
KEY_FIELDS = ("name_key", "search_text")
# A search text written as a phone number is ("+43 664 123", "(030) 12-34"), with at least so many digits.
PHONE_TEXT = re.compile(r"[+\d\s()/.-]+")
PHONE_DIGITS_SEARCHED = 4
NAME_KEY_LENGTH = 250


class ContactQuerySet(OwnedQuerySet["Contact"]):
    def active(self) -> ContactQuerySet:
        return self.filter(archived_at__isnull=True)

    def archived(self) -> ContactQuerySet:
        return self.filter(archived_at__isnull=False)

    def strong_ties(self) -> ContactQuerySet:
        return self.filter(circle=Circle.STRONG)

    def in_circle(self, circle: str) -> ContactQuerySet:
        return self.filter(circle=circle)

    def at_stage(self, stage: str) -> ContactQuerySet:
        return self.filter(stage=stage)

    def with_prospect_status(self, status: str) -> ContactQuerySet:
        return self.filter(prospect_status=status)

    def unsorted(self) -> ContactQuerySet:
        """R1, R10: imported contacts waiting to be sorted (see `WAITING_TO_BE_SORTED`)."""
        return self.filter(WAITING_TO_BE_SORTED)

    def sorted_as(self, choice: str) -> ContactQuerySet:
        return self.filter(sorting=choice)

    def key_positions(self) -> ContactQuerySet:
        return self.filter(key_position=True)

    def tagged(self, tag: Tag) -> ContactQuerySet:
        return self.filter(tags=tag)

    def search(self, text: str, *, owner: User) -> ContactQuerySet:
        """Every word in the name, company, position, a tag or an e-mail address; or, for a text
        of digits as a number is written ("0664 123 4567", "+43 664"), the digits in a phone
        number (after a leading 0: stored numbers have their country code). Names, company and
        position are compared folded (contacts.folding.fold_loose): "schroder", "Schroeder" and
        "Schröder" find the same person. Subqueries keep one row per contact; the tags are the
        `owner`'s (PostgreSQL otherwise read every user's tags for each search)."""
        query = Q()
        for word in text.replace("\x00", " ").split():  # PostgreSQL takes no NUL in a string
            tags = Tag.objects.filter(owner=owner, contacts=OuterRef("pk"), name__icontains=word)
            query &= (
                Q(search_text__contains=fold_loose(word))
                | Exists(ContactEmail.objects.filter(contact=OuterRef("pk"), address__icontains=word))
                | Exists(tags)
            )
        # "+43 (0)664 …" as signatures write it; "0664 …" without its 0 (stored: "+43664…")
        number = re.sub(r"\D", "", text.replace("(0)", "")).lstrip("0")
        if PHONE_TEXT.fullmatch(text.strip()) and len(number) >= PHONE_DIGITS_SEARCHED:
            query |= Q(Exists(ContactPhone.objects.filter(contact=OuterRef("pk"), number__contains=number)))
        return self.filter(query)

    def by_name(self) -> ContactQuerySet:
        return self.order_by("last_name", "first_name", "pk")

    def by_prospect_progress(self) -> ContactQuerySet:
        """R6: open prospects first, the furthest along first; then everyone else by name."""
        progress = Case(When(prospect_status=ProspectStatus.PROSPECT, then=F("prospect_touches")), default=-1)
        return self.alias(progress=progress).order_by("-progress", "last_name", "first_name", "pk")

    def with_cadence_rank(self, owner: User, *, now: datetime) -> ContactQuerySet:
        """0 green, 1 yellow, 2 red (`cadence_rank`): contacts.rules.cadence, to filter and sort
        a whole list."""
        return self.annotate(cadence_rank=cadence_rank([owner], now=now))

    # The two below need with_cadence_rank() first; django-stubs cannot follow its annotations.
    # A contact waiting to be sorted has no cadence the list could call red or green: no cadence
    # filter finds it, and the most overdue come before all of them.
    def in_cadence_rank(self, rank: int) -> ContactQuerySet:
        return self.filter(cadence_rank=rank).exclude(WAITING_TO_BE_SORTED)  # type: ignore[misc]

    def most_overdue_first(self) -> ContactQuerySet:
        waiting = Case(When(WAITING_TO_BE_SORTED, then=1), default=0)
        return self.alias(waiting=waiting).order_by("waiting", "-cadence_rank", "cadence_reference", "pk")  # type: ignore[misc]

    def demotion_candidates(self) -> ContactQuerySet:
        """R2 swap-out order: longest since a personal touch first (never before all).

        contacts.rules.swap_out_order breaks ties by strength, which is not stored.
        """
        return self.strong_ties().order_by(
            models.F("last_personal_touch_at").asc(nulls_first=True), "created_at", "pk"
        )


def _reference(expression: Case, label: StrOrPromise) -> models.GeneratedField:
    return models.GeneratedField(
        expression=expression,
        output_field=models.DateTimeField(label, null=True),
        db_persist=True,
        editable=False,
    )


STRONG_TIE_STAGE_ERROR = _("The strong-tie stage belongs to contacts in the strong-tie circle.")


class Contact(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contacts")
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    company = models.CharField(_("company"), max_length=200, blank=True)
    position = models.CharField(_("position"), max_length=200, blank=True)
    key_position = models.BooleanField(
        _("key position"), default=False, help_text=_("Decision maker or gatekeeper.")
    )

    birthday_day = models.PositiveSmallIntegerField(_("birthday (day)"), null=True, blank=True)
    birthday_month = models.PositiveSmallIntegerField(_("birthday (month)"), null=True, blank=True)
    birthday_year = models.PositiveSmallIntegerField(_("birthday (year)"), null=True, blank=True)

    how_met = models.CharField(_("how we met"), max_length=20, choices=Channel.choices, blank=True)
    met_at = models.ForeignKey(
        Organisation,
        verbose_name=_("met at"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts_met",
    )
    introduced_by = models.ForeignKey(
        "self",
        verbose_name=_("introduced by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="introduced",
    )
    organisations = models.ManyToManyField(
        Organisation, verbose_name=_("member of"), blank=True, related_name="members"
    )

    circle = models.CharField(_("circle"), max_length=10, choices=Circle.choices, default=Circle.LOOSE)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.ONLINE)
    prospect_status = models.CharField(
        _("prospect status"),
        max_length=10,
        choices=ProspectStatus.choices,
        default=ProspectStatus.NONE,
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="contacts")
    notes = models.TextField(_("notes"), blank=True)

    linkedin_url = models.URLField(_("LinkedIn"), blank=True)
    xing_url = models.URLField(_("XING"), blank=True)
    facebook_url = models.URLField(_("Facebook"), blank=True)
    x_url = models.URLField(_("X"), blank=True)
    instagram_url = models.URLField(_("Instagram"), blank=True)
    website = models.URLField(_("website"), blank=True)

    # R6: when the contact became a prospect; touches from then on count towards the target.
    prospect_since = models.DateTimeField(_("prospect since"), null=True, blank=True, editable=False)

    # The summary of the contact's touchpoints, kept in step by touchpoints/summary.py in the
    # transaction that changes a touchpoint. The roster's swap-out order reads last_touch_at.
    first_touch_at = models.DateTimeField(_("first touch"), null=True, blank=True, editable=False)
    last_touch_at = models.DateTimeField(_("last touch"), null=True, blank=True, editable=False)
    first_personal_touch_at = models.DateTimeField(
        _("first personal touch"), null=True, blank=True, editable=False
    )
    last_personal_touch_at = models.DateTimeField(
        _("last personal touch"), null=True, blank=True, editable=False
    )
    prospect_touches = models.PositiveIntegerField(_("touches as a prospect"), default=0, editable=False)
    prospect_outcome_at = models.DateTimeField(_("prospect decided"), null=True, blank=True, editable=False)
    touch_count = models.PositiveIntegerField(_("touches"), default=0, editable=False)
    personal_touch_count = models.PositiveIntegerField(_("personal touches"), default=0, editable=False)
    their_touch_count = models.PositiveIntegerField(_("touches they began"), default=0, editable=False)
    gives = models.PositiveIntegerField(_("given"), default=0, editable=False)
    asks = models.PositiveIntegerField(_("asked"), default=0, editable=False)
    open_promises = models.PositiveIntegerField(_("open promises"), default=0, editable=False)
    kept_promises = models.PositiveIntegerField(_("kept promises"), default=0, editable=False)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True, editable=False)
    # R1, R10: an imported contact waits unsorted; once sorted, its rules count from `sorted_at`
    # (a connection from 2018 is not overdue the day it is sorted). contacts.sorting sets both.
    sorting = models.CharField(
        _("sorted as"), max_length=10, choices=Sorting.choices, blank=True, default="", editable=False
    )
    sorted_at = models.DateTimeField(_("sorted"), null=True, blank=True, editable=False)
    # contacts.folding.fold_loose of the name, and of everything searched but e-mails and tags:
    # kept by `fill_keys` on every save (and by the few bulk writers), read by search and by the
    # duplicate candidates.
    name_key = models.CharField(max_length=NAME_KEY_LENGTH, blank=True, default="", editable=False)
    search_text = models.TextField(blank=True, default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The moments the rules count from (see CADENCE_REFERENCE and the others above the class).
    cadence_reference = _reference(CADENCE_REFERENCE, _("cadence counts from"))
    prospect_reference = _reference(PROSPECT_REFERENCE, _("next prospect touch counts from"))
    online_reference = _reference(ONLINE_REFERENCE, _("online window counts from"))

    objects: ClassVar[ContactQuerySet] = ContactQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [
            # contact list ordering and the roster count (contacts/roster.py)
            models.Index(fields=["owner", "last_name", "first_name"], name="contact_owner_name"),
            models.Index(fields=["owner", "circle"], name="contact_owner_circle"),
            # the owner's last change: whether Today's cached lists still hold (reminders/due.py)
            models.Index(fields=["owner", "updated_at"], name="contact_owner_updated"),
            # the imported contacts waiting to be sorted: Today's count and the list's filter
            models.Index(fields=["owner"], condition=Q(sorting="unsorted"), name="contact_owner_unsorted"),
            # namesakes: the duplicate candidates found by name
            models.Index(fields=["owner", "name_key"], name="contact_owner_name_key"),
            # Today's sections and the coach's counts: a range per circle, prospects, online-only
            models.Index(
                fields=["owner", "circle", "cadence_reference"], condition=ACTIVE, name="contact_cadence_due"
            ),
            models.Index(
                fields=["owner", "prospect_reference"],
                condition=Q(prospect_reference__isnull=False, archived_at__isnull=True),
                name="contact_prospect_due",
            ),
            models.Index(
                fields=["owner", "online_reference"],
                condition=Q(online_reference__isnull=False),
                name="contact_online_due",
            ),
            # Today's promises (contacts with one open) and birthdays ahead
            models.Index(
                fields=["owner"],
                condition=Q(open_promises__gt=0, archived_at__isnull=True),
                name="contact_open_promises",
            ),
            models.Index(
                fields=["owner", "birthday_month", "birthday_day"],
                condition=Q(birthday_month__isnull=False),
                name="contact_owner_birthday",
            ),
            # the same profile: duplicate candidates and the warning on save (contacts.keys)
            *(
                models.Index(
                    "owner", profile_key(field), name=f"contact_{key}_key", condition=~Q(**{field: ""})
                )
                for key, field in PROFILE_FIELDS.items()
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(first_name="", last_name=""),
                name="contact_has_a_name",
                violation_error_message=_("A contact needs a first or a last name."),
            ),
            models.CheckConstraint(condition=Q(circle__in=Circle.values), name="contact_circle_valid"),
            models.CheckConstraint(condition=Q(stage__in=Stage.values), name="contact_stage_valid"),
            models.CheckConstraint(condition=Q(sorting__in=Sorting.values), name="contact_sorting_valid"),
            models.CheckConstraint(
                condition=Q(prospect_status__in=ProspectStatus.values),
                name="contact_prospect_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(stage=Stage.STRONG_TIE) | Q(circle=Circle.STRONG),
                name="contact_strong_tie_stage_in_strong_circle",
                violation_error_message=STRONG_TIE_STAGE_ERROR,
            ),
            models.CheckConstraint(
                condition=~Q(circle=Circle.STRONG) | Q(archived_at__isnull=True),
                name="contact_archived_is_not_strong_tie",
                violation_error_message=_("An archived contact cannot be a strong tie."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(birthday_day__isnull=True, birthday_month__isnull=True, birthday_year__isnull=True)
                    | Q(birthday_month__in=[1, 3, 5, 7, 8, 10, 12], birthday_day__range=(1, 31))
                    | Q(birthday_month__in=[4, 6, 9, 11], birthday_day__range=(1, 30))
                    | Q(birthday_month=2, birthday_day__range=(1, 29))
                ),
                name="contact_birthday_valid_day_and_month",
                violation_error_message=_("This month has no such day."),
            ),
            models.CheckConstraint(
                condition=Q(birthday_year__isnull=True) | Q(birthday_year__range=(1900, 2100)),
                name="contact_birthday_year_plausible",
                violation_error_message=_("Enter a year between 1900 and this year."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.fill_keys()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) & set(SEARCHED_FIELDS):
            kwargs["update_fields"] = {*update_fields, *KEY_FIELDS}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("contacts:detail", args=[self.pk])

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def fill_keys(self) -> None:
        """The folded name and search text from the fields they are made of; a writer that
        bypasses `save` (bulk_create, update) calls it, or writes KEY_FIELDS itself."""
        self.name_key = fold_loose(self.name)[:NAME_KEY_LENGTH]
        self.search_text = fold_loose(" ".join(getattr(self, name) for name in SEARCHED_FIELDS))

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def is_strong_tie(self) -> bool:
        return self.circle == Circle.STRONG

    @property
    def waits_to_be_sorted(self) -> bool:
        """`WAITING_TO_BE_SORTED` for this contact (contacts.rules asks here)."""
        return self.sorting == Sorting.UNSORTED and self.circle != Circle.STRONG

    @property
    def has_birthday(self) -> bool:
        return self.birthday_day is not None and self.birthday_month is not None

    @property
    def birthday_date(self) -> date | None:
        """The birthday as a date for display; 2000 (a leap year) stands in for an unknown year."""
        if self.birthday_day is None or self.birthday_month is None:
            return None
        return date(self.birthday_year or 2000, self.birthday_month, self.birthday_day)

    @property
    def social_profiles(self) -> list[tuple[str, str]]:
        profiles = [
            ("LinkedIn", self.linkedin_url),
            ("XING", self.xing_url),
            ("Facebook", self.facebook_url),
            ("X", self.x_url),
            ("Instagram", self.instagram_url),
            (str(_("Website")), self.website),
        ]
        return [(label, url) for label, url in profiles if url]

    def archive(self, *, now: datetime) -> StageChange | None:
        """Archived contacts leave the roster: a strong tie is demoted on the way out (the stage
        history's entry for that is returned, for an undo)."""
        change = None
        if self.stage == Stage.STRONG_TIE:
            change = self.move_to_stage(Stage.RELATIONSHIP, cause=StageChange.Cause.ARCHIVED, now=now)
        self.archived_at = now
        if self.circle == Circle.STRONG:
            self.circle = Circle.REGULAR
        self.save(update_fields=["archived_at", "circle", "updated_at"])
        return change

    def follow_prospect_status(self, previous: str | None, *, now: datetime) -> None:
        """R6: touches count from the day a contact becomes a prospect; the outcome is dated.

        No touch lies in the future, so a new prospect has made no prospect touches yet.
        """
        if self.prospect_status == previous:
            return
        if self.prospect_status == ProspectStatus.PROSPECT:
            self.prospect_since, self.prospect_touches, self.prospect_outcome_at = now, 0, None
        elif self.prospect_status == ProspectStatus.NONE:
            self.prospect_since, self.prospect_touches, self.prospect_outcome_at = None, 0, None
        else:
            self.prospect_outcome_at = now

    def decide_prospect(self, outcome: str, *, now: datetime) -> None:
        """R6: a prospect became a customer, or not now; the decision is dated."""
        if self.prospect_status != ProspectStatus.PROSPECT:
            raise ValueError(f"{self!r} is not a prospect")
        if outcome not in (ProspectStatus.CUSTOMER, ProspectStatus.NOT_NOW):
            raise ValueError(f"{outcome!r} is not an outcome")
        self.prospect_status = outcome
        self.follow_prospect_status(ProspectStatus.PROSPECT, now=now)
        self.save(update_fields=["prospect_status", "prospect_outcome_at", "updated_at"])

    def take_back_decision(self, outcome: str, *, decided_at: datetime, now: datetime) -> None:
        """Undo `decide_prospect` a moment later: a prospect again, its touches counted as before
        (`prospect_since` is kept). Refused (ValueError) unless the contact still has the
        `outcome` decided at `decided_at`: an undo works once, and never on a later decision."""
        if outcome not in (ProspectStatus.CUSTOMER, ProspectStatus.NOT_NOW):
            raise ValueError(f"{outcome!r} is not an outcome")
        undone = Contact.objects.filter(
            pk=self.pk, prospect_status=outcome, prospect_outcome_at=decided_at
        ).update(prospect_status=ProspectStatus.PROSPECT, prospect_outcome_at=None, updated_at=now)
        if not undone:
            raise ValueError(f"{self!r} no longer has the outcome {outcome!r} of {decided_at}")
        self.refresh_from_db(fields=["prospect_status", "prospect_outcome_at", "updated_at"])

    def move_to_stage(self, stage: str, *, cause: str, now: datetime) -> StageChange | None:
        """R5: change the stage and record when and why (the record, None when nothing moved)."""
        if stage == self.stage:
            return None
        change = StageChange.objects.create(
            contact=self, from_stage=self.stage, to_stage=stage, cause=cause, changed_at=now
        )
        self.stage = stage
        self.save(update_fields=["stage", "updated_at"])
        return change

    def unarchive(self) -> None:
        self.archived_at = None
        self.save(update_fields=["archived_at", "updated_at"])

    def clean(self) -> None:
        super().clean()
        self.clean_birthday()
        if self.stage == Stage.STRONG_TIE and self.circle != Circle.STRONG:
            raise ValidationError({"stage": STRONG_TIE_STAGE_ERROR})

    def clean_birthday(self) -> None:
        day, month, year = self.birthday_day, self.birthday_month, self.birthday_year
        if day is None and month is None and year is None:
            return
        if day is None or month is None:
            raise ValidationError({"birthday_day": _("A birthday needs a day and a month.")})
        if not 1 <= month <= 12:
            raise ValidationError({"birthday_month": _("Enter a month from 1 to 12.")})
        # 2000 is a leap year: 29 February is allowed when the year is unknown.
        longest = calendar.monthrange(year or 2000, month)[1]
        if not 1 <= day <= longest:
            raise ValidationError({"birthday_day": _("This month has no such day.")})
        if year is None:
            return
        today = timezone.localdate()
        if not 1900 <= year <= today.year:
            raise ValidationError(
                {"birthday_year": _("Enter a year between 1900 and %(year)s.") % {"year": today.year}}
            )
        if date(year, month, day) > today:
            raise ValidationError({"birthday_day": _("A birthday cannot be in the future.")})
