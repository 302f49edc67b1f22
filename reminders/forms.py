from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from netzwerk.accounts.models import User
from reminders import clearing
from reminders.birthdays import Gesture
from reminders.clearing import OUTCOMES
from reminders.items import SNOOZE_DAYS
from reminders.models import GOAL_MEETINGS_MAX, GOAL_NOTE_MAX_LENGTH, ItemKind
from reminders.review import Goals
from touchpoints.kinds import Kind

# The items that belong to one contact (a promise belongs to its touch, the review to the user).
CONTACT_ITEMS = [ItemKind.CADENCE, ItemKind.BIRTHDAY, ItemKind.PROSPECT, ItemKind.ONLINE_ONLY]
OCCASION = re.compile(rf"^\d{{4}}-\d{{2}}-\d{{2}}:({'|'.join(Gesture.values)})$")


class ItemActionForm(forms.Form):
    """Snooze an item for a few days, mark it done (and log a touch with it), log the touch that
    clears it (reminders/clearing.py), or record a prospect's outcome (R6)."""

    # The item's form has one button per choice: a log kind means done (or the clearing touch),
    # days mean snooze, an outcome decides the prospect.
    action = forms.ChoiceField(
        required=False, choices=[("snooze", _("Snooze")), ("done", _("Done")), ("decide", _("Decide"))]
    )
    days = forms.TypedChoiceField(coerce=int, required=False, choices=[(days, days) for days in SNOOZE_DAYS])
    log = forms.ChoiceField(required=False, choices=[("", "-"), *Kind.choices])
    outcome = forms.ChoiceField(
        required=False, choices=[(outcome.value, outcome.label) for outcome in OUTCOMES]
    )
    kind = forms.ChoiceField(required=False, choices=[(kind.value, kind.label) for kind in CONTACT_ITEMS])
    occasion = forms.CharField(required=False, max_length=40)

    def __init__(self, *args: Any, contact_item: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].required = contact_item

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("action"):
            data["action"] = _pressed(data)
            if not data["action"]:
                self.add_error("action", _("Choose what to do."))
        if data.get("action") == "snooze" and not data.get("days"):
            self.add_error("days", _("Choose how long to snooze."))
        self._clean_clearing(data)
        if data.get("kind") == ItemKind.BIRTHDAY and not OCCASION.match(data.get("occasion") or ""):
            self.add_error("occasion", _("This birthday reminder is not valid."))
        if data.get("kind") != ItemKind.BIRTHDAY:
            data["occasion"] = ""
        return data

    def _clean_clearing(self, data: dict[str, Any]) -> None:
        """Only a touch that counts clears some items (no done without one); only a prospect
        item records an outcome, and only with one."""
        kind, action, log = data.get("kind"), data.get("action"), data.get("log")
        if kind and action == "done" and clearing.only_a_touch_clears(ItemKind(kind)):
            if not log:
                self.add_error("log", _("Log the touch you had: that takes it off the list."))
            elif not clearing.counts_for(ItemKind(kind), log):
                self.add_error("log", _("This touch does not count here."))
        if action == "decide" and (kind != ItemKind.PROSPECT or not data.get("outcome")):
            self.add_error("outcome", _("Choose customer or not now."))


def _pressed(data: dict[str, Any]) -> str:
    """The action the button pressed stands for, by the name it sends."""
    if data.get("days"):
        return "snooze"
    if data.get("outcome"):
        return "decide"
    return "done" if data.get("log") else ""


class ReviewGoalsForm(forms.Form):
    """R10: the goals for the next quarter, set as the review is recorded; each may stay blank."""

    goal_meetings = forms.IntegerField(
        label=_("Online contacts to meet in person"),
        help_text=_("People you know only online whom you want to call or meet by the next review."),
        required=False,
        min_value=0,
        max_value=GOAL_MEETINGS_MAX,
    )
    goal_key_positions = forms.IntegerField(
        label=_("Strong ties in key positions"),
        help_text=_("How many of your strong ties should hold a key position at the next review."),
        required=False,
        min_value=0,
    )
    goal_note = forms.CharField(
        label=_("Note for the next quarter"),
        help_text=_("What you want to focus on, in a sentence or two."),
        required=False,
        max_length=GOAL_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, owner: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cap = owner.strong_tie_cap
        self.fields["goal_key_positions"].widget.attrs["max"] = self.cap

    def clean_goal_key_positions(self) -> int | None:
        """No more strong ties in key positions than strong ties: the cap bounds the goal."""
        goal: int | None = self.cleaned_data.get("goal_key_positions")
        if goal is not None and goal > self.cap:
            raise forms.ValidationError(
                _(
                    "You can have at most %(cap)d strong ties (your cap), so no more of them in key positions."
                ),
                params={"cap": self.cap},
            )
        return goal

    def goals(self) -> Goals:
        data = self.cleaned_data
        return Goals(
            meetings=data["goal_meetings"], key_positions=data["goal_key_positions"], note=data["goal_note"]
        )
