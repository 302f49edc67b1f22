"""The calendar feed: a secret .ics URL per user, and its place in the settings."""

from __future__ import annotations

from django.urls import URLPattern, path

from reminders import feed_views

app_name = "calendar"

urlpatterns: list[URLPattern] = [
    path("feed/<slug:token>.ics", feed_views.calendar_feed, name="feed"),  # token_urlsafe: a slug
    path("settings/", feed_views.calendar_settings, name="settings"),
    path("settings/regenerate/", feed_views.calendar_regenerate, name="regenerate"),
]
