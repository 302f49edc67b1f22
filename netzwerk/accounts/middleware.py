from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect


class UserPreferencesMiddleware:
    """Activate the signed-in user's language and time zone for the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
            timezone.activate(user.zone)
        else:
            timezone.deactivate()
        return self.get_response(request)


class RequireMFAMiddleware:
    """Staff and coaches (coaches are staff) use nothing until they have enrolled a second factor.

    allauth ships no enforcement hook. Until an authenticator (TOTP or a security key) exists,
    every page but allauth's own (sign-in, sign-out, the two-factor set-up) and the language
    switch redirects to the two-factor page. Recovery codes alone do not count: they come with TOTP.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and user.is_staff
            and not request.path.startswith(_open_prefixes())
            and not has_second_factor(user)
        ):
            messages.warning(
                request,
                _("Coaches and staff set up two-factor authentication before anything else opens."),
            )
            if getattr(request, "htmx", False):  # the whole page, not the set-up inside a fragment
                return HttpResponseClientRedirect(reverse("mfa_index"))
            return redirect("mfa_index")
        return self.get_response(request)


def has_second_factor(user: Any) -> bool:
    return bool(
        Authenticator.objects.filter(
            user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
        ).exists()
    )


@cache
def _open_prefixes() -> tuple[str, ...]:
    """The paths open before enrolment, read once the URLconf is ready."""
    return (
        reverse("account_login").rsplit("login/", 1)[0],  # allauth's prefix: /accounts/
        reverse("set_language"),
        settings.STATIC_URL if settings.STATIC_URL.startswith("/") else f"/{settings.STATIC_URL}",
    )
