"""The superuser admin at /admin/: for staff, not for coaches, who have their own site (/coach/).

Coaches are staff (their site needs it) but read their clients only through the coach site,
where every queryset is scoped and every read logged. Here they would see every user's rows.
A superuser who also coaches keeps the superuser admin.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from netzwerk.accounts.models import is_coach


class StaffAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return super().has_permission(request) and (user.is_superuser or not is_coach(user))
