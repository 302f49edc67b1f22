"""The calendar feed: a secret .ics URL per user, and its place in the settings."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "calendar"

urlpatterns: list[URLPattern] = []
