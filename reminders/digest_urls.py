from __future__ import annotations

from django.urls import path

from reminders import digest_views

app_name = "digest"

urlpatterns = [
    path("preview/", digest_views.preview, name="preview"),
    path("unsubscribe/<str:token>/", digest_views.unsubscribe, name="unsubscribe"),
]
