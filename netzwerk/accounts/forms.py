from __future__ import annotations

import zoneinfo

from django import forms
from django.utils.translation import gettext_lazy as _

from netzwerk.accounts.models import User

# The zones our users live in first, then every other IANA zone.
PREFERRED_ZONES = ["Europe/Berlin", "Europe/Vienna", "Europe/Zurich"]


def time_zone_choices() -> list[tuple[str, str]]:
    others = sorted(zoneinfo.available_timezones() - set(PREFERRED_ZONES))
    return [(zone, zone.replace("_", " ")) for zone in [*PREFERRED_ZONES, *others]]


class PreferencesForm(forms.ModelForm[User]):
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices)

    class Meta:
        model = User
        fields = ["first_name", "last_name", "language", "time_zone", "digest_frequency", "digest_hour"]
        widgets = {
            "digest_hour": forms.Select(choices=[(hour, f"{hour:02d}:00") for hour in range(24)]),
        }
