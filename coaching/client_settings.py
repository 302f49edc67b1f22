"""What a coach sets for a client: the cap (R2, 40–60) and the cadences (R7), and the client told.

One code path for the client page and the admin's change form: the columns saved alone, the
change written to the client's access log, and an e-mail to the client saying what changed.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from coaching.models import Client
from contacts import roster
from netzwerk.accounts import coaching as links
from netzwerk.accounts.forms import CADENCE_FIELDS, check_cadences
from netzwerk.accounts.models import AccessLog, User
from netzwerk.forms import bounded_formfield

SETTINGS_FIELDS = ["strong_tie_cap", *CADENCE_FIELDS]


class ClientSettingsForm(forms.ModelForm[Client]):
    """The cap (R2, 40–60) and the cadences (R7): what a coach sets for a client."""

    class Meta:
        model = Client
        fields = SETTINGS_FIELDS
        formfield_callback = bounded_formfield
        # The model's help text speaks to the client ("your coach may set it"); this form's reader is the coach.
        help_texts = {"strong_tie_cap": _("At most this many strong ties for this client (40–60).")}

    def clean_strong_tie_cap(self) -> int:
        cap: int = self.cleaned_data["strong_tie_cap"]
        try:
            # inside the caller's transaction: the owner stays locked until the cap is saved
            roster.check_new_cap(self.instance.pk, cap)
        except roster.CapBelowRoster as below:
            raise ValidationError(
                _(
                    "The client has %(count)d strong ties now: they must demote some before the cap can go below that."
                ),
                params={"count": below.strong_ties},
            ) from below
        return cap

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_cadences(self, data)
        return data

    def changes(self) -> list[tuple[str, int, int]]:
        """(field, before, after) of each setting the form changes."""
        return [
            (name, self.initial[name], self.cleaned_data[name])
            for name in SETTINGS_FIELDS
            if self.initial.get(name) != self.cleaned_data.get(name)
        ]


def save_settings(form: ClientSettingsForm, *, coach: User) -> list[tuple[str, int, int]]:
    """Save a valid form's settings, log the change and tell the client (after the commit);
    the same values again change nothing, log nothing and send nothing. Returns the changes."""
    client = form.instance
    changes = form.changes()
    if not changes:
        return changes
    # These columns only: the client may be changing their own settings at the same moment.
    client.save(update_fields=SETTINGS_FIELDS)
    links.record(coach, [client.pk], "settings", action=AccessLog.Action.CHANGE)
    transaction.on_commit(lambda: mail_changes(client, coach=coach, changes=changes))
    return changes


def mail_changes(client: User, *, coach: User, changes: list[tuple[str, int, int]]) -> None:
    fields = {field.name: field.verbose_name for field in User._meta.fields}
    context = {
        "coach": coach.display_name,
        "changes": [(fields[name], before, after) for name, before, after in changes],
        "url": settings.SITE_URL + reverse("accounts:access_log"),
    }
    links.mail_user(client, "coaching/email/settings-changed.txt", context, client.language)
