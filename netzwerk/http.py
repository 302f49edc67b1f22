"""Request types for views: the user is signed in, and django-htmx has set `request.htmx`."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from netzwerk.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User  # type: ignore[assignment]
    htmx: HtmxDetails


def is_htmx_fragment(request: AuthenticatedHttpRequest) -> bool:
    """True when htmx asks for a part of the page (not a history restore, which needs it all)."""
    return bool(request.htmx) and not request.htmx.history_restore_request
