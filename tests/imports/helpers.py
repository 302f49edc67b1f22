"""Running an import as the web does, without the web: start, read, commit."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from typing import Any

from django.apps import apps
from django.utils import timezone

from imports import commit, pipeline, reading
from imports.models import Import
from netzwerk.accounts.models import User


def read(owner: User, *files: tuple[str, bytes | str], now: datetime | None = None) -> Import:
    """An import of `files`, read and matched: its preview (or MAPPING, or FAILED)."""
    upload = reading.read(
        pipeline.start(owner, streams(*files), now=now or timezone.now(), enqueue=lambda pk: None)
    )
    if upload.status == Import.Status.MAPPING:
        # the columns suggested from the header, as the mapping form offers them
        suggested = upload.report["suggested"]
        chosen = {f.pk: suggested[f.name] for f in upload.files.filter(headers__isnull=False)}
        upload = reading.read(
            pipeline.choose_columns(upload, chosen, now=timezone.now(), enqueue=lambda pk: None)
        )
    return upload


def streams(*files: tuple[str, bytes | str]) -> list[tuple[str, io.BytesIO]]:
    """Files as the upload form gives them to the pipeline: by name, as streams."""
    return [
        (name, io.BytesIO(content.encode() if isinstance(content, str) else content))
        for name, content in files
    ]


def imported(owner: User, *files: tuple[str, bytes | str], now: datetime | None = None) -> Import:
    """`read`, then committed."""
    upload = read(owner, *files, now=now)
    assert upload.status == Import.Status.PREVIEW, upload.failure
    return commit.commit(upload.pk, now=now or timezone.now())


def linkedin_zip(connections: str, messages: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Connections.csv", connections)
        archive.writestr("messages.csv", messages)
    return buffer.getvalue()


def dump() -> dict[str, list[dict[str, Any]]]:
    """Every row of every model outside the imports app (and sessions), for comparing states."""
    found = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label in ("imports", "sessions"):
            continue
        found[model._meta.label] = list(model._default_manager.order_by("pk").values())
    return found
