from __future__ import annotations

from django.urls import path

from imports import duplicate_views, merge_views, sorting_views, views

app_name = "imports"

urlpatterns = [
    path("", views.import_list, name="list"),
    path("new/", views.import_upload, name="upload"),
    path("sort/", sorting_views.contact_sort, name="sort"),
    path("sort/<int:pk>/", sorting_views.contact_sort_decide, name="sort_decide"),
    path("sort/<int:pk>/undo/", sorting_views.contact_sort_undo, name="sort_undo"),
    path("<int:pk>/", views.import_detail, name="detail"),
    path("<int:pk>/progress/", views.import_progress, name="progress"),
    path("<int:pk>/columns/", views.import_columns, name="columns"),
    path("<int:pk>/include/", views.import_include, name="include"),
    path("<int:pk>/pick/", views.import_pick, name="pick"),
    path("<int:pk>/commit/", views.import_commit, name="commit"),
    path("<int:pk>/abandon/", views.import_abandon, name="abandon"),
    path("<int:pk>/undo/", views.import_undo, name="undo"),
    path("duplicates/", duplicate_views.duplicate_list, name="duplicates"),
    path("duplicates/<int:first>/<int:second>/dismiss/", duplicate_views.duplicate_dismiss, name="dismiss"),
    path("duplicates/<int:first>/<int:second>/merge/", merge_views.contact_merge, name="merge"),
]
