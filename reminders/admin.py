from __future__ import annotations

from django.contrib import admin

from reminders.models import DigestRun, Heartbeat


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin[Heartbeat]):
    list_display = ["name", "last_seen", "beats"]
    readonly_fields = ["name", "last_seen", "beats"]


@admin.register(DigestRun)
class DigestRunAdmin(admin.ModelAdmin[DigestRun]):
    """Where failed digests are reported (filter by status): named by run and user id only, and
    read-only, since the sweeps and workers alone write them."""

    list_display = [
        "pk",
        "owner_id",
        "local_date",
        "status",
        "attempts",
        "items",
        "sending_at",
        "finished_at",
    ]
    list_filter = ["status", "local_date"]
    fields = readonly_fields = (
        "owner_id",
        "local_date",
        "status",
        "attempts",
        "items",
        "claimed_at",
        "queued_at",
        "sending_at",
        "finished_at",
    )
    list_select_related = False

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: DigestRun | None = None) -> bool:
        return False
