"""Logging and editing a touch: the user's wall-clock time in, an aware datetime out."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from contacts import rules
from contacts.models import Contact
from netzwerk.accounts.models import User
from touchpoints.kinds import Kind
from touchpoints.models import REMINDER_TEXT_MAX, Exchange, Initiator, OneOffReminder, Touchpoint

# Where the log form shows R4's warning as soon as "ask" is chosen (the form's ids are "touch-…").
ASK_WARNING_ID = "touch-ask-warning"
# Phone and server clocks disagree a little; a touch further ahead has not happened yet.
FUTURE_TOLERANCE = timedelta(minutes=5)
# The one-click buttons: the kinds most touches are.
QUICK_KINDS = [Kind.CALL, Kind.MEETING, Kind.MESSAGE, Kind.EMAIL, Kind.CARD]
TOUCH_FIELDS = [
    "kind",
    "happened_at",
    "note",
    "initiated_by",
    "exchange",
    "exchange_label",
    "promise",
    "promise_due",
    "gut_feeling",
]


class NonExistentTime(ValueError):
    """A wall-clock time the clocks skip: the hour when summer time begins."""


def aware_in(naive: datetime, zone: ZoneInfo) -> datetime:
    """`naive` read as a wall-clock time in `zone`.

    An ambiguous time (the hour the clocks go back, which happens twice) is read with fold=0:
    the first of the two, still summer time, so 02:30 on the last Sunday of October in Vienna
    is 00:30 UTC. A time that does not exist raises NonExistentTime instead of being moved.
    """
    aware = naive.replace(tzinfo=zone, fold=0)
    if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
        raise NonExistentTime(f"{naive:%Y-%m-%d %H:%M} does not exist in {zone.key}")
    return aware


def the_one_meant(when: datetime, *, shown: object, now: datetime) -> datetime:
    """`when`, read as the first of a wall-clock time the clocks pass twice (`aware_in`), made
    the one the user means: the time the form showed, if it is that one (a touch of the second
    02:30 saved unchanged keeps its time; the field shows both passes alike); the second pass
    if it came less than an hour ago (logged during it, with the time the form pre-filled: it
    happened then, not an hour before); else the first."""
    second = when.replace(fold=1)
    if second.utcoffset() == when.utcoffset():
        return when  # not a time the clocks pass twice
    if isinstance(shown, datetime) and timezone.is_aware(shown):
        local = shown.astimezone(when.tzinfo)
        if local.replace(tzinfo=None, second=0, microsecond=0) == when.replace(tzinfo=None):
            return shown
    return second if second <= now < second + timedelta(hours=1) else when


EARLIEST_YEAR = 1900


class LocalDateTimeField(forms.DateTimeField):
    """A `datetime-local` input, read and shown in the user's zone rather than the server's."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    zone = ZoneInfo("UTC")

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, datetime) and timezone.is_aware(value):
            return value.astimezone(self.zone).replace(tzinfo=None)
        return value

    def to_python(self, value: Any) -> datetime | None:
        if value in self.empty_values:
            return None
        naive = value if isinstance(value, datetime) else _parse(str(value))
        # before 1900 no touch of a contact's, and year 1 cannot even be moved into UTC
        if naive is None or naive.year < EARLIEST_YEAR:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if timezone.is_aware(naive):
            return naive
        try:
            return aware_in(naive, self.zone)
        except NonExistentTime as error:
            raise ValidationError(
                _(
                    "%(time)s does not exist in your time zone (%(zone)s): the clocks skip "
                    "that hour when summer time begins. Enter a time before or after it."
                ),
                code="non_existent",
                params={"time": f"{naive:%H:%M}", "zone": self.zone.key},
            ) from error


def _parse(text: str) -> datetime | None:
    try:
        return parse_datetime(text.strip())
    except ValueError:
        return None


def past_day_error(day: date | None, *, today: date, kept: date | None = None) -> ValidationError | None:
    """A reminder's day lies today or ahead; an overdue one being edited may keep its day."""
    if day is None or day >= today or day == kept:
        return None
    return ValidationError(_("This day has passed. Choose today or a later day."), code="past")


class TouchpointForm(forms.ModelForm[Touchpoint]):
    """Every field of a touch. Left empty, `happened_at` is now; the quick buttons send no time.

    A new touch may also set a one-off reminder ("remind me on … about …"): both fields or none.
    """

    happened_at = LocalDateTimeField(label=_("When"), required=False)
    remind_on = forms.DateField(
        label=_("Remind me on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    remind_about = forms.CharField(
        label=_("Remind me about"),
        required=False,
        max_length=REMINDER_TEXT_MAX,
        help_text=_("Optional: a one-off reminder on Today, e.g. “Call about the offer”."),
    )
    ask_warning_id = ASK_WARNING_ID

    class Meta:
        model = Touchpoint
        fields = TOUCH_FIELDS
        widgets = {
            "note": forms.Textarea(attrs={"rows": 2}),
            "promise_due": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, zone: ZoneInfo, now: datetime, **kwargs: Any) -> None:
        # The panel sits on the contact page: its ids must not collide with the page's own.
        super().__init__(*args, **{"auto_id": "touch-%s", **kwargs})
        self.now = now
        self.fields["happened_at"].zone = zone  # type: ignore[attr-defined]
        self.fields["initiated_by"].required = False
        if self.initial.get("happened_at") is None:
            self.initial["happened_at"] = now
        if self.instance.contact_id is not None:
            self._warn_on_asking(self.instance.contact_id)
        if not self.offers_reminder:  # editing a touch: its reminders are on the contact page
            del self.fields["remind_on"], self.fields["remind_about"]

    @property
    def offers_reminder(self) -> bool:
        return self.instance.pk is None

    def _warn_on_asking(self, contact_id: int) -> None:
        """R4 before saving: choosing "ask" fetches the warning next to the field (htmx)."""
        self.fields["exchange"].widget.attrs.update(
            {
                "hx-get": reverse("touchpoints:ask_warning", args=[contact_id]),
                "hx-trigger": "change",
                "hx-target": f"#{ASK_WARNING_ID}",
                "hx-swap": "innerHTML",
                "aria-describedby": ASK_WARNING_ID,
            }
        )

    @property
    def warns_on_asking(self) -> bool:
        """R4: "ask" is chosen (not saved yet) for a contact never given to."""
        contact = self.instance.contact if self.instance.contact_id is not None else None
        asking = self["exchange"].value() == Exchange.ASK
        return asking and contact is not None and rules.balance(contact).warn_on_ask

    def clean_happened_at(self) -> datetime:
        when: datetime = self.cleaned_data.get("happened_at") or self.now
        shown = self.get_initial_for_field(self.fields["happened_at"], "happened_at")
        when = the_one_meant(when, shown=shown, now=self.now)
        if when > self.now + FUTURE_TOLERANCE:
            raise ValidationError(
                _("This time lies in the future. Log a touch once it has happened."), code="future"
            )
        return when

    def clean_initiated_by(self) -> str:
        return self.cleaned_data.get("initiated_by") or Initiator.ME

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # Also a database constraint; said here in words, on the field.
        due, when = cleaned.get("promise_due"), cleaned.get("happened_at")
        if due and not cleaned.get("promise"):
            self.add_error("promise_due", _("A due date needs a promise: say what you promised."))
        elif due and when and due < when.astimezone(self.fields["happened_at"].zone).date():  # type: ignore[attr-defined]
            self.add_error("promise_due", _("A promise is due on or after the day it was made."))
        if self.offers_reminder:
            self._clean_reminder(cleaned)
        return cleaned

    def _clean_reminder(self, cleaned: dict[str, Any]) -> None:
        day, about = cleaned.get("remind_on"), cleaned.get("remind_about")
        if day and not about:
            self.add_error("remind_about", _("Say what to remind you of."))
        if about and not day and "remind_on" not in self.errors:
            self.add_error("remind_on", _("Choose the day to be reminded on."))
        if (error := past_day_error(day, today=self.today)) is not None:
            self.add_error("remind_on", error)

    @property
    def today(self) -> date:
        """The user's calendar day."""
        return self.now.astimezone(self.fields["happened_at"].zone).date()  # type: ignore[attr-defined]

    def reminder_data(self) -> dict[str, Any] | None:
        """The one-off reminder to set with the touch, if one was asked for."""
        day = self.cleaned_data.get("remind_on")
        return {"due_on": day, "text": self.cleaned_data["remind_about"]} if day else None

    def touch_data(self) -> dict[str, Any]:
        """The cleaned fields, as `ledger.log_touch` and `ledger.edit_touch` take them."""
        return {name: self.cleaned_data[name] for name in TOUCH_FIELDS}

    def asks_before_giving(self, contact: Contact) -> bool:
        """R4: asking someone you have never given to is allowed, and worth a warning."""
        return self.cleaned_data["exchange"] == Exchange.ASK and rules.balance(contact).warn_on_ask


class QuickTouchForm(TouchpointForm):
    """A touch with any of the user's active contacts, picked from a search."""

    contact = forms.ModelChoiceField(
        label=_("Contact"),
        queryset=Contact.objects.none(),
        error_messages={
            "required": _("Pick a contact first."),
            "invalid_choice": _("Pick one of your contacts."),
        },
    )

    def __init__(self, *args: Any, owner: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = Contact.objects.for_owner(owner).active()  # type: ignore[attr-defined]


class OneOffReminderForm(forms.ModelForm[OneOffReminder]):
    """A one-off reminder's day and text: the day today or ahead (an overdue one being edited may
    keep its day)."""

    class Meta:
        model = OneOffReminder
        fields = ["due_on", "text"]
        widgets = {"due_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        error_messages = {
            "due_on": {"required": _("Choose the day to be reminded on.")},
            "text": {"required": _("Say what to remind you of.")},
        }

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        # The form sits on the contact page: its ids must not collide with the page's own.
        super().__init__(*args, **{"auto_id": "reminder-%s", **kwargs})
        self.today = today
        self.kept = self.instance.due_on if self.instance.pk is not None else None

    def clean_due_on(self) -> date:
        day: date = self.cleaned_data["due_on"]
        if (error := past_day_error(day, today=self.today, kept=self.kept)) is not None:
            raise error
        return day
