"""Merging two contacts in the browser: both side by side, a choice for each field that differs,
which one stays; then imports.merge does it. The duplicates page links here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.forms.boundfield import BoundWidget
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_stubs_ext import StrOrPromise

from contacts import roster
from contacts.forms import NOT_MET_ERROR
from contacts.models import Contact
from imports import merge
from netzwerk.accounts.models import User
from netzwerk.http import AuthenticatedHttpRequest

GROUP_LABELS: dict[str, StrOrPromise] = {
    "birthday": gettext_lazy("Birthday"),
    "circle": gettext_lazy("Circle and stage"),
    "prospect": gettext_lazy("Prospect status"),
    "sorting": gettext_lazy("Sorted as"),
}


def group_label(group: str) -> StrOrPromise:
    if group in GROUP_LABELS:
        return GROUP_LABELS[group]
    field = Contact._meta.get_field(group)
    return capfirst(getattr(field, "verbose_name", group))


def shown(contact: Contact, group: str) -> str:
    """A group's value as the page shows it; "—" for none."""
    text: str
    if group == "key_position":
        text = _("Yes") if contact.key_position else _("No")
    elif group == "birthday":
        day = contact.birthday_date
        text = date_format(day, "DATE_FORMAT" if contact.birthday_year else "MONTH_DAY_FORMAT") if day else ""
    elif group in ("met_at", "introduced_by"):
        related = getattr(contact, group)
        text = str(related) if related else ""
    elif group == "circle":
        parts = [contact.get_circle_display(), contact.get_stage_display()]
        text = " · ".join(str(part) for part in [*parts, *([_("archived")] if contact.is_archived else [])])
    elif group == "prospect":
        text = str(contact.get_prospect_status_display())
    elif group == "sorting":
        text = str(contact.get_sorting_display())
    elif group == "how_met":
        text = str(contact.get_how_met_display()) if contact.how_met else ""
    else:
        text = str(getattr(contact, group))
    return text or "—"


class MergeForm(forms.Form):
    """Which contact stays, and for each differing field whose value (the contacts' pks)."""

    def __init__(self, data: Any, *, first: Contact, second: Contact) -> None:
        super().__init__(data)
        self.pair = {first.pk: first, second.pk: second}
        kept = merge.default_survivor(first, second)
        self.fields["survivor"] = forms.TypedChoiceField(
            label=_("Which one stays?"),
            choices=[(c.pk, c.name) for c in (first, second)],
            coerce=int,
            initial=kept.pk,
            widget=forms.RadioSelect,
        )
        other = second if kept is first else first
        differing = merge.differing_groups(first, second)
        # where only one has a value there is nothing to choose: the merge takes it
        self.automatic = [g for g in differing if merge.one_side_empty(first, second, g)]
        self.groups = [g for g in differing if g not in self.automatic]
        for group in self.groups:
            choices = [(str(c.pk), shown(c, group)) for c in (first, second)]
            if group in merge.JOINABLE:
                choices.append(("both", _("Keep both")))
            picked = merge.default_choice(kept, other, group)
            initial = "both" if picked == "both" else str((kept if picked == "survivor" else other).pk)
            self.fields[f"pick_{group}"] = forms.ChoiceField(
                label=group_label(group), choices=choices, initial=initial, widget=forms.RadioSelect
            )
        self.fields["confirm"] = forms.BooleanField(
            label=_("I understand: the other contact is deleted once everything of it has moved."),
        )

    def survivor_and_merged(self) -> tuple[Contact, Contact]:
        survivor = self.pair[self.cleaned_data["survivor"]]
        (merged,) = (c for pk, c in self.pair.items() if pk != survivor.pk)
        return survivor, merged

    def choices(self) -> dict[str, merge.Choice]:
        survivor, merged = self.survivor_and_merged()
        picked: dict[str, merge.Choice] = {
            group: merge.default_choice(survivor, merged, group) for group in self.automatic
        }
        for group in self.groups:
            value = self.cleaned_data[f"pick_{group}"]
            picked[group] = (
                "both" if value == "both" else "survivor" if value == str(survivor.pk) else "merged"
            )
        return picked

    def survivor_radios(self) -> list[tuple[BoundWidget, Contact]]:
        return list(zip(self["survivor"], self.pair.values(), strict=True))

    def pick_fields(self) -> list[forms.BoundField]:
        return [self[f"pick_{group}"] for group in self.groups]


def _pair(owner: User, first: int, second: int) -> tuple[Contact, Contact]:
    """Both contacts, the owner's own, with what the page shows; else 404."""
    if first == second:
        raise Http404
    found = (
        Contact.objects.for_owner(owner)
        .filter(pk__in=[first, second])
        .select_related("met_at", "introduced_by")
        .prefetch_related("emails", "phones", "tags", "organisations")
        .annotate(
            touch_rows=Count("touchpoints", distinct=True), history_rows=Count("stage_changes", distinct=True)
        )
        .in_bulk()
    )
    if len(found) != 2:
        raise Http404
    return found[first], found[second]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def contact_merge(request: AuthenticatedHttpRequest, first: int, second: int) -> HttpResponse:
    one, other = _pair(request.user, first, second)
    form = MergeForm(request.POST if request.method == "POST" else None, first=one, second=other)
    if form.is_valid():
        survivor, merged = form.survivor_and_merged()
        try:
            merge.merge(request.user, survivor, merged, form.choices(), now=timezone.now())
        except merge.MergeRefused:
            form.add_error(None, _("These two cannot become one like this: a contact needs a name."))
        except roster.RosterFull:
            form.add_error(None, _("Your strong-tie roster is full. Demote someone first."))
        except roster.NotMetYet:
            form.add_error(None, NOT_MET_ERROR)
        else:
            message = _("%(merged)s was merged into %(survivor)s.")
            messages.success(request, message % {"merged": merged.name, "survivor": survivor.name})
            return redirect(survivor)
    return render(request, "imports/contact_merge.html", {"form": form, "pair": (one, other)})
