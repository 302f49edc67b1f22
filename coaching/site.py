"""The coach admin: Django's admin under its own prefix, open only to coaches with MFA.

Every ModelAdmin registered here scopes its queryset to the coach's clients now (see
`coaching.admin.ScopedAdmin`); the superuser admin at /admin/ is a different site.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coaching.overview import COLUMNS, overview
from netzwerk.accounts import coaching as links
from netzwerk.accounts.admin_site import login_through_allauth, password_change_through_allauth
from netzwerk.accounts.models import is_coach


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

    def get_urls(self) -> list[Any]:
        """Django's admin URLs without the two that read any user's objects by id: the
        "view on site" redirect and autocomplete (which nothing here uses)."""
        return [
            pattern
            for pattern in super().get_urls()
            if getattr(pattern, "name", None) not in {"view_on_site", "autocomplete"}
        ]


coach_site = CoachSite(name="coach")
coach_site.login = login_through_allauth(coach_site)  # type: ignore[method-assign]
coach_site.password_change = password_change_through_allauth  # type: ignore[method-assign, assignment]
# Coaches read; they delete nothing.
coach_site.disable_action("delete_selected")
