from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
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
    """Staff and coaches (coaches are staff) use nothing until this session passed a second factor.

    allauth ships no enforcement hook. Every page but allauth's own (sign-in, sign-out, the
    two-factor set-up and step) and the language switch redirects: to the two-factor page until
    an authenticator (TOTP or a security key) exists, and then, while this session has not passed
    one (it signed in with a password alone before the factor was enrolled, perhaps in another
    browser), to allauth's second-factor step, which comes back to the page. An enrolled factor
    alone proves nothing about the session holding it. Recovery codes alone do not count as
    enrolled: they come with TOTP; using one at the step does count.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and user.is_staff and not request.path.startswith(_open_prefixes()):
            if not has_second_factor(user):
                message = _("Coaches and staff set up two-factor authentication before anything else opens.")
                return _send_to(request, reverse("mfa_index"), message)
            if not passed_second_factor(request, user):
                message = _(
                    "Coaches and staff confirm each sign-in with their second factor: enter a code "
                    "from your authenticator app or use your security key."
                )
                return _send_to(request, second_factor_step(request, user), message)
        return self.get_response(request)


def has_second_factor(user: Any) -> bool:
    return bool(
        Authenticator.objects.filter(
            user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
        ).exists()
    )


def passed_second_factor(request: HttpRequest, user: Any) -> bool:
    """allauth records in the session each way it authenticated: a code or key at sign-in or at
    its step, or enrolling one here (`signals.factor_added`). Read from the session: no query."""
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, user))


def second_factor_step(request: HttpRequest, user: Any) -> str:
    """allauth's step for the user's factor (a code, or the security key when that is all they
    have), coming back to the page asked for (for htmx, the page the fragment belongs to)."""
    steps = get_account_adapter(request).get_reauthentication_methods(user)
    url = next(
        (step["url"] for step in steps if step["id"].startswith("mfa_")), reverse("mfa_reauthenticate")
    )
    back = getattr(request, "htmx", False) and request.htmx.current_url_abs_path  # type: ignore[attr-defined]
    return f"{url}?{urlencode({REDIRECT_FIELD_NAME: back or request.get_full_path()})}"


def _send_to(request: HttpRequest, url: str, message: str) -> HttpResponse:
    messages.warning(request, message)
    if getattr(request, "htmx", False):  # the whole page, not the step inside a fragment
        return HttpResponseClientRedirect(url)
    return redirect(url)


@cache
def _open_prefixes() -> tuple[str, ...]:
    """The paths open before enrolment, read once the URLconf is ready."""
    return (
        reverse("account_login").rsplit("login/", 1)[0],  # allauth's prefix: /accounts/
        reverse("set_language"),
        settings.STATIC_URL if settings.STATIC_URL.startswith("/") else f"/{settings.STATIC_URL}",
    )
