from __future__ import annotations

from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path("", views.privacy_index, name="index"),
    path("export/", views.privacy_export, name="export"),
    path("export/status/", views.privacy_export_status, name="export_status"),
    path("export/<int:pk>/download/", views.privacy_export_download, name="export_download"),
    path("delete/", views.account_delete, name="delete"),
]
