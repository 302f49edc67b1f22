from __future__ import annotations

from django.contrib import admin

from reminders.models import Heartbeat


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin[Heartbeat]):
    list_display = ["name", "last_seen", "beats"]
    readonly_fields = ["name", "last_seen", "beats"]
