"""The superuser admin at /admin/: for staff, not for coaches, who have their own site (/coach/).

Coaches are staff (their site needs it) but read their clients only through the coach site,
where every queryset is scoped and every read logged. Here they would see every user's rows.
A superuser who also coaches keeps the superuser admin.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.urls import reverse

from netzwerk.accounts.models import is_coach


class StaffAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return super().has_permission(request) and (user.is_superuser or not is_coach(user))


def password_change_through_allauth(request: HttpRequest, extra_context: object = None) -> HttpResponse:
    """The admin sites' "change password" link leads to allauth's page, which asks for the
    current password and sends the notification e-mail (Django's admin view does neither)."""
    return redirect("account_change_password")


def login_through_allauth(site: admin.AdminSite) -> Callable[..., HttpResponse]:
    """The admin sites' login view, which never signs anyone in itself.

    Django's admin login would sign in with a password alone, past allauth's second factor and
    rate limits (allauth's `secure_admin_login` still hands signed-in staff to it, who could
    then sign in as someone else). Here: visitors go to allauth's sign-in and come back;
    signed-in users go to the site's index if it is theirs, and are refused otherwise.
    """

    def login(request: HttpRequest, extra_context: object = None) -> HttpResponse:
        if request.user.is_authenticated:
            if site.has_permission(request):
                return redirect(f"{site.name}:index")
            raise PermissionDenied
        back = request.GET.get(REDIRECT_FIELD_NAME) or reverse(f"{site.name}:index")
        return redirect_to_login(back, resolve_url(settings.LOGIN_URL))

    return login
