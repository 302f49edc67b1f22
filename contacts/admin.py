from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from contacts import roster
from contacts.models import Contact, ContactEmail, ContactPhone, Organisation, Tag


class ContactEmailInline(admin.TabularInline[ContactEmail, Contact]):
    model = ContactEmail
    extra = 0


class ContactPhoneInline(admin.TabularInline[ContactPhone, Contact]):
    model = ContactPhone
    extra = 0


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin[Contact]):
    list_display = ["__str__", "owner", "company", "circle", "stage", "prospect_status", "key_position"]
    list_filter = ["circle", "stage", "prospect_status", "key_position"]
    list_select_related = ["owner"]
    search_fields = ["first_name", "last_name", "company", "owner__email"]
    raw_id_fields = ["owner", "introduced_by", "met_at"]
    filter_horizontal = ["tags", "organisations"]
    # The circle changes only through the actions below, which go through the roster cap.
    readonly_fields = ["circle", "last_touch_at", "archived_at", "created_at", "updated_at"]
    inlines = [ContactEmailInline, ContactPhoneInline]
    actions = ["promote_to_strong_tie", "demote_to_regular"]

    @admin.action(description=_("Promote to strong tie (within the owner's cap)"))
    def promote_to_strong_tie(self, request: HttpRequest, queryset: QuerySet[Contact]) -> None:
        promoted, refused = 0, 0
        for contact in queryset:
            try:
                roster.promote(contact, now=timezone.now())
                promoted += 1
            except (roster.RosterFull, roster.CannotPromoteArchived, roster.NotMetYet):
                refused += 1
        if promoted:
            self.message_user(
                request,
                ngettext("%d contact promoted.", "%d contacts promoted.", promoted) % promoted,
                messages.SUCCESS,
            )
        if refused:
            self.message_user(
                request,
                ngettext(
                    "%d contact not promoted: the roster is full, or the contact is archived or "
                    "not met in person yet (log the first meeting first).",
                    "%d contacts not promoted: the roster is full, or the contacts are archived or "
                    "not met in person yet (log the first meeting first).",
                    refused,
                )
                % refused,
                messages.WARNING,
            )

    @admin.action(description=_("Demote to the regular circle"))
    def demote_to_regular(self, request: HttpRequest, queryset: QuerySet[Contact]) -> None:
        contacts = list(queryset.filter(circle="strong"))
        for contact in contacts:
            roster.demote(contact, now=timezone.now())
        self.message_user(
            request, ngettext("%d contact demoted.", "%d contacts demoted.", len(contacts)) % len(contacts)
        )

    def save_model(self, request: HttpRequest, obj: Contact, form: object, change: bool) -> None:
        roster.save_contact(obj, now=timezone.now())


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    list_display = ["name", "kind", "place", "owner"]
    list_filter = ["kind"]
    list_select_related = ["owner"]
    search_fields = ["name", "owner__email"]
    raw_id_fields = ["owner"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin[Tag]):
    list_display = ["name", "owner"]
    list_select_related = ["owner"]
    search_fields = ["name", "owner__email"]
    raw_id_fields = ["owner"]
