"""Request types for views: the user is signed in, and django-htmx has set `request.htmx`."""

from __future__ import annotations

from collections.abc import Callable, Collection
from functools import wraps
from typing import Any, Concatenate

from django.contrib.auth.decorators import login_required
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404
from django_htmx.middleware import HtmxDetails

from netzwerk.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User
    htmx: HtmxDetails


def is_htmx_fragment(request: AuthenticatedHttpRequest) -> bool:
    """True when htmx asks for a part of the page (not a history restore, which needs it all)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


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
