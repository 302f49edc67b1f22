from __future__ import annotations

from django.urls import path

from netzwerk.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.preferences, name="preferences"),
    path("coaching/", views.coaching, name="coaching"),
    path("coaching/invite/", views.coaching_invite, name="coaching_invite"),
    path("coaching/<int:pk>/accept/", views.coaching_accept, name="coaching_accept"),
    path("coaching/<int:pk>/end/", views.coaching_end, name="coaching_end"),
    path("coaching/<int:pk>/sharing/", views.coaching_sharing, name="coaching_sharing"),
    path("coaching/access-log/", views.access_log, name="access_log"),
]
