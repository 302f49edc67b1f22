"""The self-service export (GDPR Art. 15 and 20): one ZIP of everything the account holds,
written by a worker (privacy.jobs).

`netzwerk.json` maps each model label in `registry.EXPORTED` to the user's rows, as plain field
dicts (foreign keys as ids, moments in ISO 8601), credentials left out; `contacts.vcf` holds every
contact, archived ones too, as vCard 4.0 for an address book.
"""

from __future__ import annotations

import json
import logging
import tempfile
import zipfile
from collections.abc import Callable
from datetime import date
from typing import IO, Any

from django.core.serializers.json import DjangoJSONEncoder

from contacts.models import Contact
from contacts.vcard import cards_of, write_vcards
from netzwerk.accounts.models import User
from privacy import registry

logger = logging.getLogger(__name__)

JSON_NAME = "netzwerk.json"
VCARD_NAME = "contacts.vcf"
# Held in memory up to this size, on disk beyond it.
SPOOL_BYTES = 8 * 1024 * 1024


def export_filename(day: date) -> str:
    return f"netzwerk-export-{day.isoformat()}.zip"


# Told (steps done, steps in all) after each model and after the vCards.
Progress = Callable[[int, int], None]
STEPS = len(registry.EXPORTED) + 1


def export_data(user: User, progress: Progress | None = None) -> dict[str, list[dict[str, Any]]]:
    """Model label -> the user's rows; one query per model."""
    data = {}
    for done, label in enumerate(registry.EXPORTED, start=1):
        data[label] = list(registry.rows_of(label, user.pk).values(*registry.exported_fields(label)))
        if progress:
            progress(done, STEPS)
    return data


def write_export(user: User, progress: Progress | None = None) -> IO[bytes]:
    """The ZIP, rewound, ready to be streamed (and closed by whoever streams it)."""
    target = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115  # returned open
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        data = json.dumps(export_data(user, progress), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        archive.writestr(JSON_NAME, data)
        archive.writestr(VCARD_NAME, write_vcards(cards_of(Contact.objects.for_owner(user))))
        if progress:
            progress(STEPS, STEPS)
    target.seek(0)
    logger.info("export written for user %s", user.pk)  # the id only: logs are kept longer
    return target
