from __future__ import annotations

from django.urls import path

from reminders import views

app_name = "reminders"

urlpatterns = [
    path("", views.today, name="today"),
    path("contact/<int:pk>/", views.contact_item, name="contact_item"),
    path("promise/<int:pk>/", views.promise_item, name="promise_item"),
    path("touch/<int:pk>/undo/", views.touch_undo, name="touch_undo"),
    path("review/", views.roster_review, name="roster_review"),
    path("review/snooze/", views.review_item, name="review_item"),
]
