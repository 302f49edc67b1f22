from __future__ import annotations

from django.urls import path

from contacts import outcome_views, views

app_name = "contacts"

urlpatterns = [
    path("", views.contact_list, name="list"),
    path("new/", views.contact_create, name="create"),
    path("roster/", views.contact_roster, name="roster"),
    path("sort/", views.contact_sort, name="sort"),
    path("export.csv", views.contact_export_csv, name="export_csv"),
    path("<int:pk>/", views.contact_detail, name="detail"),
    path("<int:pk>/status/", views.contact_status, name="status"),
    path("<int:pk>/edit/", views.contact_edit, name="edit"),
    path("<int:pk>/delete/", views.contact_delete, name="delete"),
    path("<int:pk>/archive/", views.contact_archive, name="archive"),
    path("<int:pk>/unarchive/", views.contact_unarchive, name="unarchive"),
    path("<int:pk>/archive/undo/", views.contact_archive_undo, name="archive_undo"),
    path("<int:pk>/promote/", views.contact_promote, name="promote"),
    path("<int:pk>/decide/", outcome_views.contact_decide, name="decide"),
    path("<int:pk>/decide/undo/", outcome_views.contact_decide_undo, name="decide_undo"),
    path("<int:pk>/demote/", views.contact_demote, name="demote"),
    path("<int:pk>/roster/undo/", views.contact_roster_undo, name="roster_undo"),
    path("<int:pk>/swap/<int:out_pk>/", views.contact_swap, name="swap"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="organisation_edit"),
    path("organisations/<int:pk>/delete/", views.organisation_delete, name="organisation_delete"),
]
