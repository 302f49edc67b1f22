"""The coach admin: Django's admin under its own prefix, open only to coaches with MFA.

Every ModelAdmin registered here scopes its queryset to the coach's clients now (see
`coaching.admin.ScopedAdmin`); the superuser admin at /admin/ is a different site.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import update_wrapper
from typing import Any, cast

from django.conf import settings
from django.contrib import admin, messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from coaching.client_settings import SETTINGS_FIELDS, ClientSettingsForm, save_settings
from coaching.models import Client
from coaching.overview import COLUMNS, WEEKS, ClientRow, client_row, overview
from contacts import roster
from netzwerk.accounts import coaching as links
from netzwerk.accounts.admin_site import login_through_allauth, password_change_through_allauth
from netzwerk.accounts.models import Sharing, User, is_coach
from reminders import review
from touchpoints.mix import week_starts


class CoachSite(admin.AdminSite):
    site_header = _("Netzwerk for coaches")
    site_title = _("Netzwerk for coaches")
    index_title = _("Your clients")
    enable_nav_sidebar = False

    def has_permission(self, request: HttpRequest) -> bool:
        """A coach, read once per request (the admin asks once per model on every page)."""
        if not hasattr(request, "is_coach"):
            request.is_coach = is_coach(request.user)  # type: ignore[attr-defined]
        return bool(request.is_coach)  # type: ignore[attr-defined]

    def index(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> TemplateResponse:
        """The client overview: each client's network health, sortable, logged per client."""
        rows = overview(request.user, now=timezone.now(), order=request.GET.get("o", ""))  # type: ignore[arg-type]
        links.record(request.user, [row.client.pk for row in rows], "overview")  # type: ignore[arg-type]
        context = {
            **self.each_context(request),
            "title": self.index_title,
            "rows": rows,
            "columns": COLUMNS,
            "order": request.GET.get("o", ""),
            **(extra_context or {}),
        }
        request.current_app = self.name
        return TemplateResponse(request, "coaching/overview.html", context)

    def client_page(self, request: HttpRequest, client_id: int) -> HttpResponse:
        """One client's network, with the cap and cadences as a form; another's is a 404."""
        coach: User = request.user  # type: ignore[assignment]
        row = client_row(coach, client_id, now=timezone.now())
        if row is None:
            links.refuse(coach, client_id, "client", object_id=client_id, now=timezone.now())
            raise Http404
        if request.method == "POST":
            with transaction.atomic():
                form = ClientSettingsForm(request.POST, instance=get_object_or_404(Client, pk=client_id))
                changed = form.is_valid() and save_settings(form, coach=coach)
            if form.is_valid():
                if changed:
                    text = _("Saved. %(name)s is told by e-mail.") % {"name": row.client.display_name}
                else:
                    text = _("Nothing changed: these are the settings %(name)s has.") % {
                        "name": row.client.display_name
                    }
                messages.success(request, text)
                return HttpResponseRedirect(request.path)
        else:
            form = ClientSettingsForm(initial={name: getattr(row.client, name) for name in SETTINGS_FIELDS})
        links.record(coach, [client_id], "client", object_id=client_id)
        request.current_app = self.name
        return TemplateResponse(request, "coaching/client.html", self.client_context(request, row, form))

    def client_context(
        self, request: HttpRequest, row: ClientRow, form: ClientSettingsForm
    ) -> dict[str, Any]:
        return {
            **self.each_context(request),
            "title": _("%(name)s's network") % {"name": row.client.display_name},
            "row": row,
            "weeks": list(
                zip(week_starts(timezone.now(), row.client.zone, weeks=WEEKS), row.weeks, strict=True)
            ),
            "shares_names": row.sharing.includes(Sharing.NAMES),
            "shares_notes": row.sharing.includes(Sharing.NOTES),
            # R10: the goals of the client's last review against what happened since
            "last_quarter": review.last_quarter(
                row.client, key_positions=roster.roster_for(row.client).key_positions
            ),
            "form": form,
        }

    def admin_view[V: Callable[..., HttpResponseBase]](self, view: V, cacheable: bool = False) -> V:
        """Every page of the site; a coach past the limit of refused reads gets a 429 instead of
        another 404 (`links.refuse`)."""
        inner = super().admin_view(view, cacheable)

        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            try:
                return inner(request, *args, **kwargs)
            except links.TooManyRefusals:
                return self.too_many_refusals(request)

        return cast(V, update_wrapper(guarded, inner))

    def too_many_refusals(self, request: HttpRequest) -> HttpResponse:
        request.current_app = self.name
        context = {
            **self.each_context(request),
            "title": _("Too many pages refused"),
            "minutes": int(settings.COACH_REFUSALS_WINDOW.total_seconds() // 60),
        }
        return TemplateResponse(request, "coaching/too_many_refusals.html", context, status=429)

    def get_urls(self) -> list[Any]:
        """Django's admin URLs without the two that read any user's objects by id: the
        "view on site" redirect and autocomplete (which nothing here uses); and the client page."""
        page = require_http_methods(["GET", "POST"])(self.client_page)
        return [
            path("clients/<int:client_id>/", self.admin_view(page), name="client"),
            *(
                pattern
                for pattern in super().get_urls()
                if getattr(pattern, "name", None) not in {"view_on_site", "autocomplete"}
            ),
        ]


coach_site = CoachSite(name="coach")
coach_site.login = login_through_allauth(coach_site)  # type: ignore[method-assign]
coach_site.password_change = password_change_through_allauth  # type: ignore[method-assign, assignment]
# Coaches read; they delete nothing.
coach_site.disable_action("delete_selected")
