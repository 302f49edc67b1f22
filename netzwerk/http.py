"""Request types for views: the user is signed in, and django-htmx has set `request.htmx`."""

from __future__ import annotations

from collections.abc import Callable, Collection
from functools import wraps
from typing import Any, Concatenate

from django.contrib.auth.decorators import login_required
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, render
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
    [Callable[Concatenate[AuthenticatedHttpRequest, Any, P], HttpResponse]], Callable[..., HttpResponse]
]:
    """Look up `model` by `pk` among the user's own objects *before* checking the method.

    Another user's id is a 404 whatever the method (never a 405 that confirms it exists);
    the owner gets 405 for a method the view does not take. The view receives the object.
    """

    def decorator(
        view: Callable[Concatenate[AuthenticatedHttpRequest, Any, P], HttpResponse],
    ) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapper(
            request: AuthenticatedHttpRequest, pk: int, *args: P.args, **kwargs: P.kwargs
        ) -> HttpResponse:
            obj = get_object_or_404(model._default_manager.for_owner(request.user), pk=pk)  # type: ignore[attr-defined]
            if request.method not in methods:
                return HttpResponseNotAllowed(sorted(methods))
            return view(request, obj, *args, **kwargs)

        return wrapper

    return decorator
