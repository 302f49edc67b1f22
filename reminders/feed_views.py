"""The calendar feed for calendar apps (public, behind its secret token) and its settings fragment."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required, login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from netzwerk.http import AuthenticatedHttpRequest, is_htmx_fragment
from reminders import calendar
from reminders.models import CalendarFeed

SETTINGS = "reminders/calendar_settings.html"


# Calendar apps poll every few hours; an hour's cache keeps a retired URL alive no longer than that.
@login_not_required
@require_GET
@cache_control(private=True, max_age=3600)
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    feed = get_object_or_404(CalendarFeed.objects.select_related("owner"), token=token, owner__is_active=True)
    ics = calendar.build_calendar(feed.owner, now=timezone.now()).to_ical()
    response = HttpResponse(ics, content_type="text/calendar; charset=utf-8")
    # The feed speaks its owner's language, not the calendar app's (LocaleMiddleware would say that).
    response["Content-Language"] = feed.owner.language
    return response


@login_required
@require_GET
def calendar_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The address, or a button that creates one (a GET changes nothing)."""
    return _settings(request, CalendarFeed.objects.filter(owner=request.user).first())


@login_required
@require_POST
def calendar_regenerate(request: AuthenticatedHttpRequest) -> HttpResponse:
    feed = calendar.regenerate_feed(request.user)
    if is_htmx_fragment(request):
        return _settings(request, feed)
    return redirect("accounts:preferences")


def _settings(request: AuthenticatedHttpRequest, feed: CalendarFeed | None) -> HttpResponse:
    return render(request, SETTINGS, {"feed_url": calendar.feed_url(feed) if feed else ""})
