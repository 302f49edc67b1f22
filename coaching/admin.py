"""What a coach sees of their clients, on the coach site only: read-only, scoped, logged.

Every ModelAdmin here starts its queryset from the coach's clients now, at the level each
shares (`ScopedAdmin.get_queryset`), so changelists, change and history views and raw-id popups
see nothing else, and filters are only the list filters; an object outside it is a 404, written
to its owner's access log as refused when the owner is or was the coach's client, else to the
security log (a coach past the limit of those gets a 429: `links.refuse`). Free text the client wrote shows only at the notes level.
The only change a coach can make is a client's cap and cadences (R2, R7).
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from typing import Any

from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.db.models import Model, OuterRef, QuerySet, Subquery
from django.db.models.constants import LOOKUP_SEP
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from coaching.client_settings import ClientSettingsForm, save_settings
from coaching.models import Client
from coaching.site import coach_site
from contacts.models import Contact
from netzwerk.accounts import coaching as links
from netzwerk.accounts.forms import CADENCE_FIELDS
from netzwerk.accounts.models import CoachLink, Sharing, User
from netzwerk.forms import bounds
from netzwerk.http import as_id
from touchpoints.models import Touchpoint

# Parameters of a list that filter nothing: its page and its order.
UNFILTERED = frozenset({"p", "o"})


class ClientFilter(admin.SimpleListFilter):
    """Filter by client, offering only the coach's own (Django's would list every user)."""

    title = _("client")
    parameter_name = "client"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        ids = model_admin.visible_clients(request)
        clients = Client.objects.filter(pk__in=ids).order_by("first_name", "last_name", "email")
        return [(str(client.pk), client.display_name) for client in clients]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value is None:
            return queryset
        client = as_id(value)
        return queryset.none() if client is None else queryset.filter(**{self.owner_field: client})

    owner_field = ""


def local_time(moment: datetime | None, owner: User) -> str | None:
    """A moment as the client (the owner) lives it: their time zone, the reader's date format."""
    if moment is None:
        return None
    return date_format(timezone.localtime(moment, owner.zone), "DATETIME_FORMAT")


class ScopedAdmin[M: Model](admin.ModelAdmin[M]):
    owner_field = "owner_id"  # the lookup from the model to its owner's id
    needs = Sharing.NAMES  # the least sharing that shows these objects
    what = ""  # the access log's name for one object; its list is logged as `what` + "s"
    shown: list[str] = []  # the fields of an object, read-only
    notes: list[str] = []  # and those shown only at the notes level
    actions = ()
    show_full_result_count = False
    view_on_site = False
    # No search: what a coach would type (names) would stand in the URL (reliability F8).
    search_fields = ()

    # ---------------------------------------------------------------- scope
    def clients(self, request: HttpRequest) -> dict[int, str]:
        """The coach's clients and what each shares, read once per request (never kept longer)."""
        if not hasattr(request, "coach_clients"):
            request.coach_clients = links.sharing_of(request.user)  # type: ignore[arg-type, attr-defined]
        return request.coach_clients  # type: ignore[attr-defined, no-any-return]

    def visible_clients(self, request: HttpRequest) -> list[int]:
        return [pk for pk, level in self.clients(request).items() if Sharing(level).includes(self.needs)]

    def get_fields(self, request: HttpRequest, obj: M | None = None) -> list[Any]:
        level = Sharing(self.clients(request).get(self.owner_of(obj), Sharing.HEALTH)) if obj else None
        return [*self.shown, *(self.notes if level and level.includes(Sharing.NOTES) else [])]

    def owner_of(self, obj: M) -> int:
        value: Any = obj
        for part in self.owner_field.split("__"):
            value = value.pk if part == "pk" else getattr(value, part)
        return int(value)

    def owner(self, obj: M) -> User:
        """The client who owns `obj` (loaded with it: `get_queryset` selects it)."""
        value: Any = obj
        for part in self.owner_field.split("__"):
            if part == "pk":
                break
            value = getattr(value, part.removesuffix("_id"))
        return value  # type: ignore[no-any-return]

    def get_queryset(self, request: HttpRequest) -> QuerySet[M]:
        queryset = super().get_queryset(request)
        if self.owner_field != "pk":
            queryset = queryset.select_related(self.owner_field.removesuffix("_id"))
        return queryset.filter(**{f"{self.owner_field}__in": self.visible_clients(request)})

    def get_list_filter(self, request: HttpRequest) -> list[Any]:
        client_filter = type("ScopedClientFilter", (ClientFilter,), {"owner_field": self.owner_field})
        return [client_filter, *super().get_list_filter(request)]

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        """Only the list filters' own lookups: a filter on any other field (`password__startswith`,
        `notes__icontains`) would answer yes or no about what the coach may not read."""
        if lookup == ClientFilter.parameter_name:
            return True
        field, _, lookup_type = lookup.partition(LOOKUP_SEP)
        filters = {name for name in self.list_filter if isinstance(name, str)}
        return field in filters and lookup_type in {"", "exact"}

    def get_paginator(
        self, request: HttpRequest, queryset: Any, per_page: int, *args: Any, **kwargs: Any
    ) -> Any:
        """The history view lists the coach's own changes only, not other coaches' or staff's."""
        if queryset.model is LogEntry:
            queryset = queryset.filter(user=request.user)
        return super().get_paginator(request, queryset, per_page, *args, **kwargs)

    # ---------------------------------------------------------------- read-only
    def has_view_permission(self, request: HttpRequest, obj: M | None = None) -> bool:
        if not self.admin_site.has_permission(request):
            return False
        return obj is None or self.owner_of(obj) in self.visible_clients(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: M | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: M | None = None) -> bool:
        return False

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        """Nothing is deleted here: 404 outside the coach's scope (logged as refused), 403
        inside it, without logging a read that did not happen."""
        if not self.get_queryset(request).filter(pk=as_id(object_id)).exists():
            self._refused(request, object_id)
            raise Http404
        raise PermissionDenied

    # ---------------------------------------------------------------- the access log
    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> M | None:
        """The object in the coach's scope, logged; anything else is a 404, logged as refused to
        the owner if there is one."""
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            self._refused(request, object_id)
            raise Http404
        links.record(request.user, [self.owner_of(obj)], self.what, object_id=obj.pk)  # type: ignore[arg-type]
        request.owner_zone = self.owner(obj).zone  # type: ignore[attr-defined]
        return obj

    def in_owner_zone(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        """An object's page in its owner's time zone: the times are the client's, not the coach's."""
        zone: zoneinfo.ZoneInfo | None = getattr(request, "owner_zone", None)
        if zone is not None and isinstance(response, TemplateResponse):
            with timezone.override(zone):
                response.render()
        return response

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        return self.in_owner_zone(
            request, super().changeform_view(request, object_id, form_url, extra_context)
        )

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return self.in_owner_zone(request, super().history_view(request, object_id, extra_context))

    def _refused(self, request: HttpRequest, object_id: str) -> None:
        """A refused read, for `links.refuse`: whose the object is, if it exists."""
        pk = as_id(object_id)
        owner = (
            None
            if pk is None
            else self.model._default_manager.filter(pk=pk).values_list(self.owner_field, flat=True).first()
        )
        links.refuse(request.user, owner, self.what, object_id=pk, now=timezone.now())  # type: ignore[arg-type]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", None) or {}
        if "cl" in changelist:
            links.record(request.user, self.read_about(request, changelist["cl"]), f"{self.what}s")  # type: ignore[arg-type]
        return response

    def read_about(self, request: HttpRequest, changelist: Any) -> list[int]:
        """Whose data a list told the coach of: the owners of its rows; and, filtered or
        searched, each client it could have shown (the client it was filtered on, else all):
        "none of their strong ties is a prospect" is a read too, of those missing from it."""
        owners = {self.owner_of(obj) for obj in changelist.result_list}
        visible = self.visible_clients(request)
        chosen = request.GET.get(ClientFilter.parameter_name)
        if chosen is not None:
            owners.update(pk for pk in visible if pk == as_id(chosen))
        elif not owners or set(request.GET) - UNFILTERED:
            owners.update(visible)
        return sorted(owners)


# ---------------------------------------------------------------- contacts and touches
CONTACT_FIELDS: list[str] = [
    "first_name",
    "last_name",
    "company",
    "position",
    "key_position",
    "circle",
    "stage",
    "prospect_status",
    "how_met",
    "first_touch_at",
    "last_touch_at",
    "last_personal_touch_at",
    "touch_count",
    "personal_touch_count",
    "prospect_touches",
    "gives",
    "asks",
    "open_promises",
    "archived_at",
]


@admin.register(Contact, site=coach_site)
class ContactAdmin(ScopedAdmin[Contact]):
    what = "contact"
    list_display = ["__str__", "client", "circle", "stage", "prospect_status", "last_touch", "touch_count"]
    list_filter = ["circle", "stage", "prospect_status"]
    list_select_related = ["owner"]
    ordering = ["owner_id", "last_name", "first_name"]
    shown = CONTACT_FIELDS
    notes = ["notes"]

    @admin.display(description=_("client"), ordering="owner__last_name")
    def client(self, contact: Contact) -> str:
        return contact.owner.display_name

    @admin.display(
        description=Contact._meta.get_field("last_touch_at").verbose_name, ordering="last_touch_at"
    )
    def last_touch(self, contact: Contact) -> str | None:
        return local_time(contact.last_touch_at, contact.owner)


TOUCH_FIELDS: list[str] = [
    "contact",
    "kind",
    "happened_at",
    "initiated_by",
    "exchange",
    "promise_due",
    "promise_kept_at",
]
# Free text the client wrote: shown only to a coach they share notes with.
TOUCH_NOTES = ["note", "exchange_label", "promise", "gut_feeling"]


@admin.register(Touchpoint, site=coach_site)
class TouchpointAdmin(ScopedAdmin[Touchpoint]):
    owner_field = "contact__owner_id"
    what = "touchpoint"
    list_display = ["when", "contact", "client", "kind", "initiated_by", "exchange"]
    list_filter = ["kind", "initiated_by"]
    list_select_related = ["contact__owner"]
    shown = TOUCH_FIELDS
    notes = TOUCH_NOTES

    @admin.display(description=_("client"))
    def client(self, touchpoint: Touchpoint) -> str:
        return touchpoint.contact.owner.display_name

    @admin.display(description=Touchpoint._meta.get_field("happened_at").verbose_name, ordering="happened_at")
    def when(self, touchpoint: Touchpoint) -> str | None:
        return local_time(touchpoint.happened_at, touchpoint.contact.owner)


# ---------------------------------------------------------------- the client's settings
@admin.register(Client, site=coach_site)
class ClientAdmin(ScopedAdmin[Client]):
    owner_field = "pk"
    needs = Sharing.HEALTH
    what = "client"
    form = ClientSettingsForm
    list_display = ["__str__", "email", "sharing", "strong_tie_cap"]
    ordering = ["first_name", "last_name", "email"]
    readonly_fields = ["email", "first_name", "last_name", "sharing"]
    fieldsets = [
        (None, {"fields": ["email", "first_name", "last_name", "sharing"]}),
        (_("Strong-tie cap"), {"fields": ["strong_tie_cap"]}),
        (_("Cadences"), {"fields": list[Any](CADENCE_FIELDS)}),
    ]

    def get_list_filter(self, request: HttpRequest) -> list[Any]:
        return []

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        return super().formfield_for_dbfield(db_field, request, **{**bounds(db_field), **kwargs})

    @admin.display(description=_("shares"))
    def sharing(self, client: Client) -> str:
        return str(Sharing(vars(client)["coach_sharing"]).label)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Client]:
        link = CoachLink.objects.for_coach(request.user).filter(client=OuterRef("pk"))  # type: ignore[arg-type]
        return super().get_queryset(request).annotate(coach_sharing=Subquery(link.values("sharing")[:1]))

    def has_change_permission(self, request: HttpRequest, obj: Client | None = None) -> bool:
        return self.has_view_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Client, form: Any, change: bool) -> None:
        save_settings(form, coach=request.user)  # type: ignore[arg-type]
