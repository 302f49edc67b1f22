from __future__ import annotations

from django.urls import path

from touchpoints import views

app_name = "touchpoints"

urlpatterns = [
    path("", views.touchpoint_quick, name="quick"),
    path("record/", views.my_record, name="my_record"),
    path("contacts/", views.contact_search, name="contact_search"),
    path("contact/<int:pk>/", views.touchpoint_panel, name="panel"),
    path("contact/<int:pk>/log/", views.touchpoint_log, name="log"),
    path("contact/<int:pk>/more/", views.touchpoint_more, name="more"),
    path("contact/<int:pk>/ask-warning/", views.touchpoint_ask_warning, name="ask_warning"),
    path("contact/<int:pk>/timeline/", views.touchpoint_timeline, name="timeline"),
    path("contact/<int:pk>/record/", views.contact_record, name="record"),
    path("<int:pk>/edit/", views.touchpoint_edit, name="edit"),
    path("<int:pk>/delete/", views.touchpoint_delete, name="delete"),
    path("<int:pk>/undo/", views.touchpoint_undo, name="undo"),
    path("<int:pk>/keep-promise/", views.touchpoint_keep_promise, name="keep_promise"),
]
