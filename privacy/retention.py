"""What Netzwerk deletes by itself, and when, as Settings → Your data tells each user; and the
job that deletes the prepared exports.

The periods are the settings the retention jobs read (netzwerk.retention, reminders.retention,
imports.retention, `forget_expired` below), so the page says what the jobs do.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from netzwerk.retention import delete_in_batches
from privacy.models import ExportChunk, ExportJob, ExportState

# Exports per run; each is deleted whole, its chunks in bounded batches first.
MAX_EXPORTS = 100


def _after_days(days: int) -> str:
    return ngettext("after %(count)s day", "after %(count)s days", days) % {"count": days}


def periods() -> list[tuple[str, str]]:
    """(what, when) for each kind of data the retention jobs delete."""
    months = settings.RETAIN_ACCESS_LOG_MONTHS
    states = settings.RETAIN_REMINDER_STATES_DAYS
    imports = settings.RETAIN_ABANDONED_IMPORTS_DAYS
    exports = settings.RETAIN_EXPORTS_HOURS
    session_days = settings.SESSION_COOKIE_AGE // (24 * 3600)
    return [
        (
            _("Entries in your access log"),
            ngettext("after %(count)s month", "after %(count)s months", months) % {"count": months},
        ),
        (_("When each digest was sent to you"), _after_days(settings.RETAIN_DIGEST_RUNS_DAYS)),
        (
            _("Snoozes and done marks of your reminders"),
            ngettext(
                "%(count)s day after the snooze ends or the birthday has passed",
                "%(count)s days after the snooze ends or the birthday has passed",
                states,
            )
            % {"count": states},
        ),
        (
            _("Imports you did not complete, with their uploaded files"),
            ngettext("after %(count)s day at the latest", "after %(count)s days at the latest", imports)
            % {"count": imports},
        ),
        (
            _("Your data prepared for download"),
            ngettext("%(count)s hour after it is ready", "%(count)s hours after it is ready", exports)
            % {"count": exports},
        ),
        (
            _("Sign-ins on your devices"),
            ngettext(
                "when they expire, after %(count)s day without activity",
                "when they expire, after %(count)s days without activity",
                session_days,
            )
            % {"count": session_days},
        ),
    ]


def forget_expired(*, now: datetime, hours: int) -> int:
    """Delete the exports past their download period, and the failed ones as long after they
    failed; how many."""
    gone = ExportJob.objects.filter(
        Q(state=ExportState.READY, expires_at__lte=now)
        | Q(state=ExportState.FAILED, finished_at__lt=now - timedelta(hours=hours))
    )
    pks = list(gone.order_by("pk").values_list("pk", flat=True)[:MAX_EXPORTS])
    # A chunk holds up to 512 KiB: deleted by id, never loaded.
    delete_in_batches(ExportChunk.objects.filter(job_id__in=pks), max_batches=None)
    ExportJob.objects.filter(pk__in=pks).delete()
    return len(pks)
