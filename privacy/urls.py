from __future__ import annotations

from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path("", views.privacy_index, name="index"),
    path("export/", views.privacy_export, name="export"),
    path("delete/", views.account_delete, name="delete"),
]
