from __future__ import annotations

from django.urls import path

from netzwerk.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.preferences, name="preferences"),
]
