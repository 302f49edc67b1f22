from __future__ import annotations

from django.urls import path

from reminders import one_off_views, undo_views, views

app_name = "reminders"

urlpatterns = [
    path("", views.today, name="today"),
    path("contact/<int:pk>/", views.contact_item, name="contact_item"),
    path("promise/<int:pk>/", views.promise_item, name="promise_item"),
    path("touch/<int:pk>/undo/", undo_views.touch_undo, name="touch_undo"),
    path("undo/", undo_views.state_undo, name="state_undo"),
    path("contact/<int:pk>/decide/undo/", undo_views.decide_undo, name="decide_undo"),
    path("review/", views.roster_review, name="roster_review"),
    path("review/snooze/", views.review_item, name="review_item"),
    path("reminder/<int:pk>/", views.one_off_item, name="one_off_item"),
    path("reminder/<int:pk>/edit/", one_off_views.one_off_edit, name="one_off_edit"),
    path("reminder/<int:pk>/delete/", one_off_views.one_off_delete, name="one_off_delete"),
    path("contact/<int:pk>/reminders/", one_off_views.one_off_panel, name="one_off_panel"),
    path("contact/<int:pk>/reminders/new/", one_off_views.one_off_create, name="one_off_create"),
]
