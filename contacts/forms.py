from __future__ import annotations

from datetime import datetime
from typing import Any

import phonenumbers
from django import forms
from django.db import transaction
from django.db.models import F
from django.forms import inlineformset_factory
from django.http import QueryDict
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from contacts import roster, rules, sorting
from contacts.choices import (
    IN_PERSON_CHANNELS,
    ONLINE_CHANNELS,
    Circle,
    ProspectStatus,
    Sorting,
    Stage,
    starting_stage,
)
from contacts.models import (
    PHONE_DEFAULT_REGION,
    Contact,
    ContactEmail,
    ContactPhone,
    ContactQuerySet,
    Organisation,
    StageChange,
    Tag,
    normalise_phone,
)
from contacts.rules import CadenceStatus
from netzwerk.accounts.models import User

MAX_TAGS = 20
TAG_MAX_LENGTH = Tag._meta.get_field("name").max_length or 50
NOT_MET_ERROR = _("Only someone you have met in person can be a strong tie: log your first meeting first.")
STAGE_NOT_MET_ERROR = _(
    "You know them only online so far: log your first meeting or call as a touch, and the stage moves on by itself."
)


def parse_tags(text: str) -> list[str]:
    """'Kunde, Golf ,kunde' -> ['Kunde', 'Golf']: comma separated, case-insensitively unique."""
    seen: dict[str, str] = {}
    for raw in text.split(","):
        name = " ".join(raw.split())
        if name and name.lower() not in seen:
            seen[name.lower()] = name
    return list(seen.values())


class ContactForm(forms.ModelForm[Contact]):
    tags_text = forms.CharField(
        label=_("Tags"),
        required=False,
        help_text=_("Separate tags with commas."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    class Meta:
        model = Contact
        fields = [
            "first_name",
            "last_name",
            "company",
            "position",
            "key_position",
            "circle",
            "stage",
            "prospect_status",
            "birthday_day",
            "birthday_month",
            "birthday_year",
            "how_met",
            "met_at",
            "introduced_by",
            "organisations",
            "linkedin_url",
            "xing_url",
            "facebook_url",
            "x_url",
            "instagram_url",
            "website",
            "notes",
        ]
        labels = {"birthday_day": _("Day"), "birthday_month": _("Month"), "birthday_year": _("Year")}
        widgets = {
            "birthday_day": forms.NumberInput(attrs={"min": 1, "max": 31, "inputmode": "numeric"}),
            "birthday_month": forms.Select(choices=[("", "—"), *MONTHS.items()]),
            "birthday_year": forms.NumberInput(attrs={"min": 1900, "max": 2100, "inputmode": "numeric"}),
            "notes": forms.Textarea(attrs={"rows": 4}),
            "organisations": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, owner: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.owner = owner
        self.fields["met_at"].queryset = Organisation.objects.for_owner(owner)  # type: ignore[attr-defined]
        self.fields["organisations"].queryset = Organisation.objects.for_owner(owner)  # type: ignore[attr-defined]
        others = Contact.objects.for_owner(owner).active().order_by("last_name", "first_name")
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        self.fields["introduced_by"].queryset = others  # type: ignore[attr-defined]
        if self.instance.pk:
            self.initial["tags_text"] = ", ".join(tag.name for tag in self.instance.tags.all())
        if self.instance.is_archived:
            self.fields["circle"].choices = [  # type: ignore[attr-defined]
                choice for choice in Circle.choices if choice[0] != Circle.STRONG
            ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("first_name") and not cleaned.get("last_name"):
            self.add_error("last_name", _("Enter a first or a last name."))
        self._clean_circle_and_stage(cleaned)
        return cleaned

    def _clean_circle_and_stage(self, cleaned: dict[str, Any]) -> None:
        """R1, R2, R5: a contact met at an event is at "met in person" at least; only a contact met
        in person joins the strong ties; a strong tie's stage follows its circle (contacts.roster
        moves it, with its history, when the circle changes)."""
        circle, stage = cleaned.get("circle"), cleaned.get("stage")
        if stage is None:
            return
        # met at an event, a club or a fair is met in person, whatever the stage field said
        stage = cleaned["stage"] = starting_stage(cleaned.get("how_met", ""), stage)
        was_strong = self.instance.pk is not None and self.instance.circle == Circle.STRONG
        stored = self.instance.stage if self.instance.pk is not None else None
        origin = self.instance.how_met if self.instance.pk is not None else None
        if circle == Circle.STRONG and not was_strong and not self._met(cleaned, stage):
            self.add_error("circle", NOT_MET_ERROR)
        elif (
            (stage != stored or cleaned.get("how_met", "") != origin)
            and stage in (Stage.MET, Stage.RELATIONSHIP)
            and cleaned.get("how_met", "") not in IN_PERSON_CHANNELS  # "met at a fair" says it
            and not self._met(cleaned, stage)
        ):
            # R1: the page would say "met in person" beside the online-only reminder asking for it
            self.add_error("stage", STAGE_NOT_MET_ERROR)
        elif was_strong and circle == Circle.STRONG:
            cleaned["stage"] = Stage.STRONG_TIE  # stays a strong tie: the stage stays with it
        elif was_strong and stage == Stage.STRONG_TIE:
            cleaned["stage"] = Stage.RELATIONSHIP  # leaving them, as contacts.roster.demote does

    def _met(self, cleaned: dict[str, Any], stage: str) -> bool:
        """roster.has_met for the contact as the form would save it: the stage typed does not stand
        in for the first meeting of a contact first met online (only a logged one does), nor does
        its origin changed in the same step (cleared, or an event typed, with the strong circle)."""
        how_met = cleaned.get("how_met", "")
        if self.instance.pk is not None and self.instance.how_met in ONLINE_CHANNELS:
            how_met = self.instance.how_met
        probe = Contact(
            stage=stage, how_met=how_met, first_personal_touch_at=self.instance.first_personal_touch_at
        )
        return roster.has_met(probe)

    def clean_tags_text(self) -> list[str]:
        names = parse_tags(self.cleaned_data.get("tags_text", ""))
        if len(names) > MAX_TAGS:
            raise forms.ValidationError(_("At most %(max)d tags."), params={"max": MAX_TAGS})
        if any(len(name) > TAG_MAX_LENGTH for name in names):  # not cut without a word
            raise forms.ValidationError(
                _("A tag has at most %(max)d characters."), params={"max": TAG_MAX_LENGTH}
            )
        return names

    def save_tags(self, contact: Contact) -> None:
        tags = [self._tag(name) for name in self.cleaned_data["tags_text"]]
        contact.tags.set(tags)

    def _tag(self, name: str) -> Tag:
        existing = Tag.objects.for_owner(self.owner).filter(name__iexact=name).first()
        return existing or Tag.objects.create(owner=self.owner, name=name)


class ContactPhoneForm(forms.ModelForm[ContactPhone]):
    class Meta:
        model = ContactPhone
        fields = ["number", "label"]
        help_texts = {"number": ""}
        widgets = {"number": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"})}

    def __init__(self, *args: Any, region: str = PHONE_DEFAULT_REGION, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.region = region

    def clean_number(self) -> str:
        """A number without a country code is read as one of the owner's country (the time
        zone's, `User.phone_region`), as an import reads it."""
        return normalise_phone(self.cleaned_data["number"], region=self.region)


EmailFormSet = inlineformset_factory(
    Contact, ContactEmail, fields=["address", "label"], extra=1, can_delete=True, max_num=10
)
PhoneFormSet = inlineformset_factory(
    Contact, ContactPhone, form=ContactPhoneForm, extra=1, can_delete=True, max_num=10
)


class ContactEditor:
    """The contact form with its e-mail and phone formsets, saved as one unit."""

    def __init__(self, data: Any, *, instance: Contact, owner: User) -> None:
        self.form = ContactForm(data, instance=instance, owner=owner)
        self.emails = EmailFormSet(data, instance=instance, prefix="emails")
        self.phones = PhoneFormSet(
            data, instance=instance, prefix="phones", form_kwargs={"region": owner.phone_region}
        )
        # what a number without a country code gets: +49, +43, +41, … by the owner's time zone
        self.calling_code = phonenumbers.country_code_for_region(owner.phone_region)

    def is_valid(self) -> bool:
        return all([self.form.is_valid(), self.emails.is_valid(), self.phones.is_valid()])

    def save(self, *, now: datetime) -> Contact:
        """Raises roster.RosterFull (and saves nothing) when the strong-tie cap is reached, or
        roster.NotMetYet for a contact not met in person (the form refuses that before)."""
        with transaction.atomic():
            contact = self.form.save(commit=False)
            created = contact.pk is None
            stored = Contact.objects.filter(pk=contact.pk).values("stage", "prospect_status").first()
            contact.follow_prospect_status(stored["prospect_status"] if stored else None, now=now)
            # the user's own move first; then the roster's, when the circle changes
            if stored is not None and stored["stage"] != contact.stage:
                cause = roster.cause_of_edit(stored["stage"], contact)
                _record_stage(contact, stored["stage"], cause, now=now)
            roster.save_contact(contact, now=now)
            if created:
                _record_stage(contact, "", StageChange.Cause.CREATED, now=now)
            self.form.save_m2m()
            self.form.save_tags(contact)
            for formset in (self.emails, self.phones):
                formset.instance = contact
                formset.save()
        return contact


def _record_stage(contact: Contact, from_stage: str, cause: str, *, now: datetime) -> None:
    StageChange.objects.create(
        contact=contact, from_stage=from_stage, to_stage=contact.stage, cause=cause, changed_at=now
    )


CADENCE_RANK = {CadenceStatus.GREEN: 0, CadenceStatus.YELLOW: 1, CadenceStatus.RED: 2}
SORTS = [
    ("", _("Name")),
    ("cadence", _("Most overdue first")),
    ("last_touch", _("Longest without a touch")),
    ("strength", _("Strongest first")),
    ("prospect", _("Prospect progress")),
]


SORTING_FILTERS = [
    ("", _("Sorted or not")),
    (Sorting.UNSORTED, _("Imported, to sort")),
    *((choice.value, choice.label) for choice in sorting.CHOICES),
]


class ContactFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    circle = forms.ChoiceField(
        label=_("Circle"), required=False, choices=[("", _("All circles")), *Circle.choices]
    )
    stage = forms.ChoiceField(
        label=_("Stage"), required=False, choices=[("", _("All stages")), *Stage.choices]
    )
    prospect = forms.ChoiceField(
        label=_("Prospect"),
        required=False,
        choices=[("", _("Any prospect status")), *ProspectStatus.choices],
    )
    tag = forms.ModelChoiceField(
        label=_("Tag"), required=False, queryset=Tag.objects.none(), empty_label=_("All tags")
    )
    cadence = forms.ChoiceField(
        label=_("Cadence"), required=False, choices=[("", _("Any cadence")), *CadenceStatus.choices]
    )
    sorting = forms.ChoiceField(label=_("Sorted as"), required=False, choices=SORTING_FILTERS)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORTS)
    key = forms.BooleanField(label=_("Key positions only"), required=False)
    archived = forms.BooleanField(label=_("Archived"), required=False)

    def __init__(self, *args: Any, owner: User, **kwargs: Any) -> None:
        super().__init__(*args, **{"label_suffix": "", **kwargs})
        self.owner = owner
        self.fields["tag"].queryset = Tag.objects.for_owner(owner)  # type: ignore[attr-defined]

    def apply(self, contacts: ContactQuerySet, *, now: datetime) -> ContactQuerySet | list[Contact]:
        """The filtered contacts in the chosen order: a queryset, or a list when sorted by strength."""
        contacts = self.matching(contacts, now=now)
        sort = self.cleaned_data.get("sort") if self.is_valid() else ""
        if sort == "strength":
            # Strength depends on `now` and is not stored: one query, then sorted here.
            return sorted(contacts, key=lambda c: (-rules.strength(c, now=now).score, c.last_name, c.pk))
        if sort == "cadence":
            return contacts.most_overdue_first()
        if sort == "last_touch":
            return contacts.order_by(F("last_touch_at").asc(nulls_first=True), "pk")
        if sort == "prospect":
            return contacts.by_prospect_progress()
        return contacts.by_name()

    def matching(self, contacts: ContactQuerySet, *, now: datetime) -> ContactQuerySet:
        """Every contact the filter finds, in no order: the list's pages, "all matching", the export."""
        return self.filter(contacts.with_cadence_rank(self.owner, now=now))

    def filter(self, contacts: ContactQuerySet) -> ContactQuerySet:
        if not self.is_valid():
            return contacts.active()
        data = self.cleaned_data
        if data["cadence"]:
            contacts = contacts.in_cadence_rank(CADENCE_RANK[data["cadence"]])
        contacts = contacts.archived() if data["archived"] else contacts.active()
        if data["q"]:
            contacts = contacts.search(data["q"], owner=self.owner)
        if data["circle"]:
            contacts = contacts.in_circle(data["circle"])
        if data["stage"]:
            contacts = contacts.at_stage(data["stage"])
        if data["prospect"]:
            contacts = contacts.with_prospect_status(data["prospect"])
        if data["tag"]:
            contacts = contacts.tagged(data["tag"])
        if data["key"]:
            contacts = contacts.key_positions()
        if data["sorting"] == Sorting.UNSORTED:
            contacts = contacts.unsorted()
        elif data["sorting"]:
            contacts = contacts.sorted_as(data["sorting"])
        return contacts

    @property
    def is_filtered(self) -> bool:
        return self.is_valid() and any(value for name, value in self.cleaned_data.items() if name != "sort")

    @property
    def narrows_beyond_search(self) -> bool:
        """A filter other than the search is set: on a phone the folded filters open to show it."""
        return self.is_valid() and any(
            value for name, value in self.cleaned_data.items() if name not in {"q", "sort"}
        )


class ContactIdsField(forms.Field):
    """Contact ids ticked in the list (`<input type="checkbox" name=... value=id>`), as ints."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        try:
            return [int(item) for item in value or []]
        except (TypeError, ValueError) as error:
            raise forms.ValidationError(_("Reload the page and tick the contacts again.")) from error


class SortForm(forms.Form):
    """R1, R10: sort the ticked contacts, or all the list's filter finds, as one choice."""

    choice = forms.ChoiceField(
        label=_("Sort as"),
        choices=[("", _("Choose…")), *((c.value, c.label) for c in sorting.CHOICES)],
        error_messages={"required": _("Choose what to sort the contacts as.")},
    )
    contacts = ContactIdsField(required=False)
    all = forms.BooleanField(required=False)
    # The list's query string (its filter), to find "all matching" and to show the list again.
    filter = forms.CharField(required=False, max_length=2000)

    def __init__(self, *args: Any, owner: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.owner = owner

    @property
    def filter_params(self) -> QueryDict:
        """The list's filter, as sent (also when the form is not valid); never a page number."""
        params = QueryDict(str(self.data.get("filter", ""))[:2000], mutable=True)
        params.pop("page", None)
        return params

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("all"):
            if not ContactFilterForm(self.filter_params, owner=self.owner).is_valid():
                raise forms.ValidationError(
                    _("The list's filter has changed. Reload the page and try again.")
                )
        elif not cleaned.get("contacts"):
            raise forms.ValidationError(_("Tick the contacts to sort, or all that match the filter."))
        return cleaned

    def selected(self, contacts: ContactQuerySet, *, now: datetime) -> ContactQuerySet:
        """The contacts to sort among `contacts` (the owner's): the ticked ones, or all matching."""
        if self.cleaned_data["all"]:
            return ContactFilterForm(self.filter_params, owner=self.owner).matching(contacts, now=now)
        return contacts.filter(pk__in=self.cleaned_data["contacts"])


class OrganisationForm(forms.ModelForm[Organisation]):
    class Meta:
        model = Organisation
        fields = ["name", "kind", "place", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, owner: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.owner = owner

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        others = Organisation.objects.for_owner(self.instance.owner).filter(name__iexact=name)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_("You already have an organisation with this name."))
        return name
