"""`manage.py bench_imports` (run by `make bench` after `bench`): a 10,000-row LinkedIn
Connections.csv read to its preview, and committed, for a user who already has the file's first 1,000 people as contacts;
and the reading's peak memory, in a process of its own, at 10,000 and at 40,000 rows (streamed:
it must not grow with the file). The last line of the output is one JSON object.
"""

from __future__ import annotations

import io
import json
import random
import subprocess
import sys
import time
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from contacts.models import Contact
from imports import commit, pipeline, reading
from imports.models import Import
from netzwerk.accounts.models import User

BENCH_USER = "bench-import@netzwerk.example"
# A user with no contacts: the reading's own memory, not that of matching a large network.
RSS_USER = "bench-import-rss@netzwerk.example"
ROWS, LARGE_ROWS, EXISTING = 10_000, 40_000, 1_000
# Names as a German-speaking network has them: 3,000 first and last name pairs for 10,000
# people, so a name is shared by a few, as "Thomas Müller" is (not by hundreds).
FIRST = [
    "Anna",
    "Jürgen",
    "Lena",
    "Mehmet",
    "Sophie",
    "Lukas",
    "Zoë",
    "Björn",
    "Chiara",
    "Paul",
    "Özlem",
    "Jan",
    "Marie",
    "Felix",
    "Emma",
    "Jonas",
    "Mia",
    "Leon",
    "Hannah",
    "Elias",
    "Lea",
    "Noah",
    "Clara",
    "Ben",
    "Ida",
    "Finn",
    "Nele",
    "Theo",
    "Greta",
    "Anton",
    "Frieda",
    "Karl",
    "Helene",
    "Moritz",
    "Johanna",
    "Emil",
    "Luisa",
    "Jakob",
    "Marta",
    "Oskar",
    "Ayşe",
    "Murat",
    "Kateryna",
    "Piotr",
    "Søren",
    "Renée",
    "Łucja",
    "Tomás",
    "Ines",
    "Ole",
]
LAST = [
    "Müller",
    "Schröder",
    "Weiß",
    "Yılmaz",
    "Becker",
    "Hoffmann",
    "Łukasiewicz",
    "Krämer",
    "Nguyen",
    "Fischer",
    "Schneider",
    "Meyer",
    "Wagner",
    "Schulz",
    "Koch",
    "Bauer",
    "Richter",
    "Klein",
    "Wolf",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Braun",
    "Hofmann",
    "Hartmann",
    "Lange",
    "Schmitt",
    "Werner",
    "Krause",
    "Lehmann",
    "Köhler",
    "Maier",
    "Huber",
    "Gruber",
    "Pichler",
    "Steiner",
    "Moser",
    "Mayer",
    "Berger",
    "Hofer",
    "Leitner",
    "Fuchs",
    "Eder",
    "Fischer-Lüders",
    "Öztürk",
    "Kovačević",
    "Dubois",
    "Rossi",
    "Jensen",
    "Novák",
    "Horvath",
    "Winkler",
    "Lorenz",
    "Baumann",
    "Franke",
    "Albrecht",
    "Schuster",
    "Simon",
    "Böhm",
    "Vogel",
]
COMPANIES = ["Bauer & Söhne GmbH", "Kanzlei Weiß", "Stadtwerke Graz", "SAP SE", "Freiberuflich", ""]
PREAMBLE = 'Notes:\n"When exporting your connection data, you may notice that some of the email addresses are missing."\n\n'
HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"


def connections_csv(rows: int) -> bytes:
    """A LinkedIn export of `rows` distinct people (each its own profile URL), a third with
    e-mail; the first N rows of any size are the same N people."""
    lines = [PREAMBLE, HEADER]
    start = date(2012, 1, 1)
    for n in range(rows):
        pick = random.Random(n)
        first, last = pick.choice(FIRST), pick.choice(LAST)
        email = f"{first.lower()}.{n}@beispiel.example" if n % 3 == 0 else ""
        day = start + timedelta(days=pick.randrange(5000))
        company = pick.choice(COMPANIES)
        lines.append(
            f'{first},{last},https://www.linkedin.com/in/{n}-bench,{email},"{company}",Leitung,{day:%d %b %Y}\n'
        )
    return "".join(lines).encode()


class Command(BaseCommand):
    help = "Times a 10,000-row LinkedIn import (preview and commit) and the reading's peak memory."

    def handle(self, *args: Any, **options: Any) -> None:
        if "bench" not in str(connection.settings_dict["NAME"]):
            raise CommandError("not a bench database: its name must contain 'bench'")
        user = self.fresh_user()
        data = connections_csv(ROWS)
        figures: dict[str, Any] = {"import_rows": ROWS, "import_existing_contacts": EXISTING}
        started = time.perf_counter()
        upload = pipeline.start(
            user, [("Connections.csv", io.BytesIO(data))], now=timezone.now(), enqueue=lambda pk: None
        )
        upload = reading.read(upload)
        figures["import_linkedin_10k_parse_s"] = round(time.perf_counter() - started, 2)
        assert upload.status == Import.Status.PREVIEW, upload.failure
        figures["import_preview"] = {
            k: v for k, v in pipeline.report(upload).to_json().items() if k != "errors"
        }
        started = time.perf_counter()
        commit.commit(upload.pk, now=timezone.now())
        figures["import_linkedin_10k_commit_s"] = round(time.perf_counter() - started, 2)
        figures["import_peak_rss_mb"] = self.peak_rss(ROWS)
        figures[f"import_peak_rss_mb_{LARGE_ROWS // 1000}k"] = self.peak_rss(LARGE_ROWS)
        self.stdout.write(json.dumps(figures))

    def fresh_user(self) -> User:
        User.objects.filter(email=BENCH_USER).delete()
        user = User.objects.create_user(email=BENCH_USER, password=None)
        existing = connections_csv(EXISTING)  # the file's first thousand: matched by their profiles
        upload = reading.read(
            pipeline.start(
                user, [("existing.csv", io.BytesIO(existing))], now=timezone.now(), enqueue=lambda pk: None
            )
        )
        commit.commit(upload.pk, now=timezone.now())
        assert Contact.objects.filter(owner=user).count() == EXISTING
        return user

    def peak_rss(self, rows: int) -> float:
        """The reading task's peak resident memory in MB: an upload of `rows` rows (for a user
        with no contacts) read to its preview by the task's code in a fresh process."""
        user, _created = User.objects.get_or_create(email=RSS_USER)
        upload = pipeline.start(
            user,
            [("Connections.csv", io.BytesIO(connections_csv(rows)))],
            now=timezone.now(),
            enqueue=lambda pk: None,
        )
        script = (
            "import django; django.setup();"
            "from imports import tasks;"
            f"assert tasks.read({upload.pk}) == 'preview';"
            # the peak of this process's own memory: ru_maxrss would carry the parent's across exec
            "print(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')))"
        )
        done = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=settings.BASE_DIR
        )
        Import.objects.filter(pk=upload.pk).delete()
        return round(int(done.stdout.strip().splitlines()[-1]) / 1024, 1)
