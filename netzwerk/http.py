"""Request types for views (the user is signed in, and django-htmx has set `request.htmx`), and the
middleware that sets the headers every answer needs."""

from __future__ import annotations

from collections.abc import Callable, Collection
from functools import wraps
from typing import Any, Concatenate

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails

from netzwerk.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User
    htmx: HtmxDetails


# The methods object views accept (see `owner_object`).
READ, WRITE, READ_WRITE = ("GET", "HEAD"), ("POST",), ("GET", "HEAD", "POST")


def is_htmx_fragment(request: AuthenticatedHttpRequest) -> bool:
    """True when htmx asks for a part of the page (not a history restore, which needs it all)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def render_page(
    request: AuthenticatedHttpRequest, template: str, partial: str, context: dict[str, Any]
) -> HttpResponse:
    """The whole page, or only `partial` when htmx asks for a fragment: the same context either way,
    with `is_fragment` telling the template which."""
    fragment = is_htmx_fragment(request)
    context = {**context, "is_fragment": fragment}
    return render(request, f"{template}#{partial}" if fragment else template, context)


def owner_object[**P](
    model: type[Model], *, methods: Collection[str]
) -> Callable[
    [Callable[Concatenate[AuthenticatedHttpRequest, Any, P], HttpResponseBase]],
    Callable[..., HttpResponseBase],
]:
    """Look up `model` by `pk` among the user's own objects *before* checking the method.

    Another user's id is a 404 whatever the method (never a 405 that confirms it exists);
    the owner gets 405 for a method the view does not take. The view receives the object.
    """

    def decorator(
        view: Callable[Concatenate[AuthenticatedHttpRequest, Any, P], HttpResponseBase],
    ) -> Callable[..., HttpResponseBase]:
        @login_required
        @wraps(view)
        def wrapper(
            request: AuthenticatedHttpRequest, pk: int, *args: P.args, **kwargs: P.kwargs
        ) -> HttpResponseBase:
            obj = get_object_or_404(model._default_manager.for_owner(request.user), pk=pk)  # type: ignore[attr-defined]
            if request.method not in methods:
                return HttpResponseNotAllowed(sorted(methods))
            return view(request, obj, *args, **kwargs)

        return wrapper

    return decorator


class NoStoreForSignedInMiddleware:
    """Every answer to a signed-in user carries personal data: no browser or proxy keeps a copy.

    `Cache-Control: no-store` unless the view chose its own caching (the calendar feed, the
    manifest, the export); static files never come here (WhiteNoise answers them first).
    Placed after the authentication middleware, which sets `request.user`.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store"
        return response


class PermissionsPolicyMiddleware:
    """`Permissions-Policy` from `settings.PERMISSIONS_POLICY`: the browser features a page may use."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(origins)})" for feature, origins in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        return response


class RefuseNulMiddleware:
    """A query string with a NUL byte is a bad request: PostgreSQL takes no NUL in a string, so
    any filter or search that passes one on (the admin's list filters too) would answer 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            raise BadRequest("a NUL byte in the query string")
        return self.get_response(request)


def reload_page(request: AuthenticatedHttpRequest, url: str) -> HttpResponse:
    """Load `url` whole, where everything on the page may have moved (an undo on a contact's
    page): htmx by HX-Redirect, a plain form by a redirect."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def as_id(value: str) -> int | None:
    """A primary key from a URL or query string, or None: ASCII digits only (`²` passes
    `isdigit`, not `int`), and no more than a bigint has (`int` refuses 5,000 of them)."""
    return int(value) if value.isascii() and value.isdecimal() and len(value) <= 19 else None
