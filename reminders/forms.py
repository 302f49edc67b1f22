from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from reminders.birthdays import Gesture
from reminders.due import SNOOZE_DAYS
from reminders.models import Reminder
from touchpoints.kinds import Kind

# The items that belong to one contact (a promise belongs to its touch, the review to the user).
CONTACT_ITEMS = [Reminder.CADENCE, Reminder.BIRTHDAY, Reminder.PROSPECT, Reminder.ONLINE_ONLY]
OCCASION = re.compile(rf"^\d{{4}}-\d{{2}}-\d{{2}}:({'|'.join(Gesture.values)})$")


class ItemActionForm(forms.Form):
    """Snooze an item for a few days, or mark it done (and log a touch with it)."""

    # The item's form has one button per choice: a log kind means done, days mean snooze.
    action = forms.ChoiceField(required=False, choices=[("snooze", _("Snooze")), ("done", _("Done"))])
    days = forms.TypedChoiceField(coerce=int, required=False, choices=[(days, days) for days in SNOOZE_DAYS])
    log = forms.ChoiceField(required=False, choices=[("", "-"), *Kind.choices])
    kind = forms.ChoiceField(required=False, choices=[(kind.value, kind.label) for kind in CONTACT_ITEMS])
    occasion = forms.CharField(required=False, max_length=40)

    def __init__(self, *args: Any, contact_item: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].required = contact_item

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("action"):
            if data.get("days"):
                data["action"] = "snooze"
            elif data.get("log"):
                data["action"] = "done"
            else:
                self.add_error("action", _("Choose what to do."))
        if data.get("action") == "snooze" and not data.get("days"):
            self.add_error("days", _("Choose how long to snooze."))
        if data.get("kind") == Reminder.BIRTHDAY and not OCCASION.match(data.get("occasion") or ""):
            self.add_error("occasion", _("This birthday reminder is not valid."))
        if data.get("kind") != Reminder.BIRTHDAY:
            data["occasion"] = ""
        return data
