"""Settings → Your data lists what Netzwerk deletes by itself, with the periods the jobs use."""

from __future__ import annotations

import re

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from netzwerk.accounts.models import User

pytestmark = pytest.mark.django_db


def retention_list(client: Client) -> list[str]:
    """The page's list of what is deleted, as "what: when" lines."""
    page = client.get(reverse("privacy:index")).content.decode()
    section = page.split('id="retention"', 1)[1].split("</section>", 1)[0]
    pairs = re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", section)
    return [f"{what}: {when}" for what, when in pairs]


def test_it_lists_the_retention_periods_in_english(owner_client: Client) -> None:
    assert retention_list(owner_client) == [
        "Entries in your access log: after 13 months",
        "When each digest was sent to you: after 90 days",
        "Snoozes and done marks of your reminders: 30 days after the snooze ends or the birthday has passed",
        "Imports you did not complete, with their uploaded files: after 7 days at the latest",
        "Your data prepared for download: 24 hours after it is ready",
        "Sign-ins on your devices: when they expire, after 14 days without activity",
    ]


def test_it_lists_the_retention_periods_in_german(owner: User, owner_client: Client) -> None:
    owner.language = "de"
    owner.save(update_fields=["language"])

    assert retention_list(owner_client) == [
        "Einträge in deinem Zugriffsprotokoll: nach 13 Monaten",
        "Wann dir welche Übersicht per E-Mail geschickt wurde: nach 90 Tagen",
        "„Später“ und „Erledigt“ bei deinen Erinnerungen: 30 Tage, nachdem „Später“ abgelaufen oder der Geburtstag vorbei ist",
        "Importe, die du nicht abgeschlossen hast, mit den hochgeladenen Dateien: spätestens nach 7 Tagen",
        "Deine zum Herunterladen vorbereiteten Daten: 24 Stunden, nachdem sie bereit sind",
        "Anmeldungen auf deinen Geräten: wenn sie ablaufen, nach 14 Tagen ohne Aktivität",
    ]


@override_settings(
    RETAIN_ACCESS_LOG_MONTHS=1,
    RETAIN_DIGEST_RUNS_DAYS=1,
    RETAIN_REMINDER_STATES_DAYS=2,
    RETAIN_ABANDONED_IMPORTS_DAYS=1,
    RETAIN_EXPORTS_HOURS=1,
)
def test_it_shows_the_periods_the_jobs_use(owner: User, owner_client: Client) -> None:
    owner.language = "de"
    owner.save(update_fields=["language"])

    assert retention_list(owner_client)[:5] == [
        "Einträge in deinem Zugriffsprotokoll: nach 1 Monat",
        "Wann dir welche Übersicht per E-Mail geschickt wurde: nach 1 Tag",
        "„Später“ und „Erledigt“ bei deinen Erinnerungen: 2 Tage, nachdem „Später“ abgelaufen oder der Geburtstag vorbei ist",
        "Importe, die du nicht abgeschlossen hast, mit den hochgeladenen Dateien: spätestens nach 1 Tag",
        "Deine zum Herunterladen vorbereiteten Daten: 1 Stunde, nachdem sie bereit sind",
    ]
