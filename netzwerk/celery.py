"""The Celery app. The beat schedule is static, in settings (`CELERY_BEAT_SCHEDULE`)."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netzwerk.settings")

app = Celery("netzwerk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
