from __future__ import annotations

import functools
import zoneinfo
from pathlib import Path
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from netzwerk.accounts.models import Sharing, Side, User
from netzwerk.forms import bounded_formfield

# The zones our users live in first, then every other canonical Area/City zone.
PREFERRED_ZONES = ["Europe/Berlin", "Europe/Vienna", "Europe/Zurich"]
AREAS = ("Africa", "America", "Antarctica", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific")


@functools.cache
def canonical_zones() -> frozenset[str]:
    """IANA's Area/City zones of every country (its zone.tab): no aliases ("US/Eastern",
    "Europe/Belfast"), no "Etc/GMT+5". Without the table, the Area/… zones there are."""
    available = zoneinfo.available_timezones()
    for directory in zoneinfo.TZPATH:
        table = Path(directory) / "zone.tab"
        if table.is_file():
            rows = (line.split("\t") for line in table.read_text().splitlines() if line[:1] not in ("", "#"))
            return frozenset(row[2] for row in rows if len(row) > 2) & available
    return frozenset(zone for zone in available if zone.split("/")[0] in AREAS)


def time_zone_choices() -> list[tuple[str, str]]:
    others = sorted(canonical_zones() - set(PREFERRED_ZONES))
    return [(zone, zone.replace("_", " ")) for zone in [*PREFERRED_ZONES, *others]]


CIRCLES = ("strong", "regular", "loose")
CADENCE_FIELDS = [f"cadence_{circle}_{bound}" for circle in CIRCLES for bound in ("ideal", "max")]
# The method's rules as the user sets them (R1, R6, R7); shown in their own section.
METHOD_FIELDS = [
    "online_window_days",
    "prospect_target",
    "prospect_interval_days",
    *CADENCE_FIELDS,
    "birthday_gift_days",
    "birthday_card_days",
    "birthday_call_days",
]


def check_cadences(form: forms.BaseForm, data: dict[str, Any]) -> None:
    """R7: each circle's maximum interval is longer than its ideal one (the user's settings and
    the coach's form alike)."""
    for circle in CIRCLES:
        ideal, maximum = data.get(f"cadence_{circle}_ideal"), data.get(f"cadence_{circle}_max")
        if ideal is not None and maximum is not None and ideal >= maximum:
            form.add_error(
                f"cadence_{circle}_max", _("The maximum interval must be longer than the ideal one.")
            )


def check_birthday_leads(form: forms.BaseForm, data: dict[str, Any]) -> None:
    """R8: the gestures come in their order before a birthday: the gift first, then the card,
    then the call (each due until the next one's day)."""
    gift, card, call = (data.get(f"birthday_{name}_days") for name in ("gift", "card", "call"))
    if gift is not None and card is not None and card > gift:
        form.add_error(
            "birthday_card_days", _("Post the card after ordering the gift: at most the gift's days.")
        )
    if card is not None and call is not None and call > card:
        form.add_error("birthday_call_days", _("Call after posting the card: at most the card's days."))


class PreferencesForm(forms.ModelForm[User]):
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices)

    class Meta:
        model = User
        fields = [
            "first_name",
            "last_name",
            "language",
            "time_zone",
            "digest_frequency",
            "digest_hour",
            *METHOD_FIELDS,
        ]
        formfield_callback = bounded_formfield
        widgets = {
            "digest_hour": forms.Select(choices=[(hour, f"{hour:02d}:00") for hour in range(24)]),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = self.instance.time_zone
        field = self.fields["time_zone"]
        if current and current not in canonical_zones() and isinstance(field, forms.ChoiceField):
            # an alias chosen before (or set by an admin) stays choosable, first
            field.choices = [(current, current.replace("_", " ")), *time_zone_choices()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_cadences(self, data)
        check_birthday_leads(self, data)
        return data

    @property
    def method_fields(self) -> list[forms.BoundField]:
        """R1 and R6: the online window and the prospect's target and interval."""
        return [self[name] for name in METHOD_FIELDS if not name.startswith(("cadence_", "birthday_"))]

    @property
    def cadence_fields(self) -> list[forms.BoundField]:
        """R7: each circle's ideal interval, then its maximum, side by side."""
        return [self[name] for name in METHOD_FIELDS if name.startswith("cadence_")]

    @property
    def birthday_fields(self) -> list[forms.BoundField]:
        """R8: how many days before a birthday to order a gift, post a card and call."""
        return [self[name] for name in METHOD_FIELDS if name.startswith("birthday_")]

    @property
    def profile_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.Meta.fields if name not in METHOD_FIELDS]


class InviteForm(forms.Form):
    """Invite a coach (anyone) or, for coaches, a client."""

    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(
        label=_("Invite them as"),
        choices=[(Side.COACH, _("my coach")), (Side.CLIENT, _("my client"))],
        initial=Side.COACH,
    )
    sharing = forms.ChoiceField(
        label=_("What your coach sees"), choices=Sharing.choices, initial=Sharing.HEALTH, required=False
    )

    def __init__(self, *args: Any, can_coach: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not can_coach:
            # Only coaches invite clients; everyone else invites a coach.
            role = self.fields["role"]
            assert isinstance(role, forms.ChoiceField)
            role.choices = [(Side.COACH, _("my coach"))]
            self.fields["role"].widget = forms.HiddenInput()


class SharingForm(forms.Form):
    sharing = forms.ChoiceField(label=_("What your coach sees"), choices=Sharing.choices)
