"""`make load`'s scenario works: a few seconds of it, with three people, against the gunicorn its
runner starts (production settings, PostgreSQL, Redis) on the test database.

Not a timing: it proves that each person signs in through the real form and that every page of
the scenario is requested and answered as a browser expects, with the touches really logged.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from contacts.models import Contact
from tests.deployment.test_celery_worker import worker_database_url
from touchpoints.models import Touchpoint

ROOT = Path(__file__).resolve().parents[2]
RUNNER = ROOT / "scripts" / "load" / "run.py"
NOTE = "Kurz telefoniert (Lasttest)"  # what locustfile.py logs
PAGES = {
    "sign_in_form",
    "sign_in",
    "today",
    "search",
    "contact",
    "contact_touches",
    "contact_record",
    "log_touch",
    "contact_reminders",
}
PEOPLE = 3


def production_shape() -> str:
    """REDIS_URL, on PostgreSQL; a skip elsewhere, a failure in CI (which has both)."""
    redis_url = os.environ.get("REDIS_URL", "")
    missing = [
        what
        for what, there in (("PostgreSQL", connection.vendor == "postgresql"), ("REDIS_URL", redis_url))
        if not there
    ]
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the load scenario needs {' and '.join(missing)} in CI")
        pytest.skip(f"the load scenario runs against the production shape: {' and '.join(missing)} missing")
    return redis_url


@pytest.mark.django_db(transaction=True)
def test_it_signs_in_and_requests_every_page_of_the_scenario(tmp_path: Path) -> None:
    redis_url = production_shape()
    env = os.environ | {
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": redis_url,
        "NETZWERK_DATA_DIR": str(tmp_path / "data"),
    }
    command = [sys.executable, str(RUNNER), "--users", str(PEOPLE), "--arrive", "1", "--stay", "8"]
    options = ["--contacts", "12", "--logs", str(tmp_path / "logs")]
    run = subprocess.run([*command, *options], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)

    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    figures = json.loads(run.stdout.strip().splitlines()[-1])
    assert figures["errors"] == figures["load_errors"] == 0, run.stderr[-3000:]
    assert figures["signed_in"] == PEOPLE
    requested = {name for name, page in figures["pages"].items() if page["whole_run"]["count"]}
    assert requested == PAGES
    assert figures["load_rps"] > 0
    assert figures["load_p95_ms_today"] is not None
    after = {name: page["after_sign_in"]["p95_ms"] for name, page in figures["pages"].items()}
    slowest = max(p95 for p95 in after.values() if p95 is not None)
    assert figures["load_p95_ms_slowest"] == slowest >= figures["load_p95_ms_today"]
    assert after[figures["load_slowest_page"]] == slowest
    assert isinstance(figures["generator_cpu_over_90"], bool)
    # Every answered "log a touch" is a touch in the database, on a seeded person's contact.
    logged = Touchpoint.objects.filter(note=NOTE)
    assert logged.count() == figures["pages"]["log_touch"]["whole_run"]["count"]
    owners = set(Contact.objects.filter(touchpoints__in=logged).values_list("owner__email", flat=True))
    assert owners <= {f"demo-user-{number:04d}@netzwerk.example" for number in range(1, PEOPLE + 1)}
    assert len(owners) == PEOPLE  # each person's first round logs one
    # Each person signed in from a loopback address of its own, as gunicorn saw it (REMOTE_ADDR).
    # gunicorn runs with production settings, so its access log is JSON lines.
    lines = (tmp_path / "logs" / "gunicorn.log").read_text().splitlines()
    access_log = [
        entry["message"] for entry in map(json.loads, lines) if entry["logger"] == "gunicorn.access"
    ]
    sign_ins = [line.split()[0] for line in access_log if '"POST /accounts/login/ ' in line]
    assert sorted(sign_ins) == [f"127.0.0.{number + 1}" for number in range(1, PEOPLE + 1)]


def test_it_refuses_a_database_not_meant_for_it() -> None:
    env = os.environ | {
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/netzwerk",
        "REDIS_URL": "redis://x",
    }
    run = subprocess.run([sys.executable, str(RUNNER)], cwd=ROOT, env=env, capture_output=True, text=True)

    assert run.returncode == 1
    assert "not a bench database" in run.stderr
