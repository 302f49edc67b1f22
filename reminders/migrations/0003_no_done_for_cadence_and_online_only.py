"""Cadence and online-only items have no "done" any more (reminders/clearing.py): a done stored
before hid the item for weeks without a touch, so it is lifted and the item asks again."""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.utils import timezone

CLEARED_ONLY_BY_A_TOUCH = ("cadence", "online_only")


def lift_done(apps: Any, schema_editor: Any) -> None:
    state = apps.get_model("reminders", "ReminderState")
    # updated_at moves, so a kept Today page is built afresh (reminders.kept._stamp).
    state.objects.filter(kind__in=CLEARED_ONLY_BY_A_TOUCH, done_at__isnull=False).update(
        done_at=None, snoozed_until=None, updated_at=timezone.now()
    )


class Migration(migrations.Migration):
    dependencies = [("reminders", "0002_due_items_digests_feed")]

    operations = [migrations.RunPython(lift_done, migrations.RunPython.noop)]
