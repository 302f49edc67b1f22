"""What Netzwerk deletes by itself, and when, as Settings → Your data tells each user.

The periods are the settings the retention jobs read (netzwerk.retention, reminders.retention,
imports.retention), so the page says what the jobs do.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def _after_days(days: int) -> str:
    return ngettext("after %(count)s day", "after %(count)s days", days) % {"count": days}


def periods() -> list[tuple[str, str]]:
    """(what, when) for each kind of data the retention jobs delete."""
    months = settings.RETAIN_ACCESS_LOG_MONTHS
    states = settings.RETAIN_REMINDER_STATES_DAYS
    imports = settings.RETAIN_ABANDONED_IMPORTS_DAYS
    return [
        (
            _("Entries in your access log"),
            ngettext("after %(count)s month", "after %(count)s months", months) % {"count": months},
        ),
        (_("Records of your digests"), _after_days(settings.RETAIN_DIGEST_RUNS_DAYS)),
        (
            _("Snoozes and done marks of your reminders"),
            ngettext(
                "%(count)s day after they no longer hide anything",
                "%(count)s days after they no longer hide anything",
                states,
            )
            % {"count": states},
        ),
        (
            _("Imports you did not complete, with their uploaded files"),
            ngettext("after %(count)s day at the latest", "after %(count)s days at the latest", imports)
            % {"count": imports},
        ),
        (_("Sign-ins on your devices"), _("once they have expired")),
    ]
