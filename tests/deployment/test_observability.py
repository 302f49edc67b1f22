"""Errors reach an operator: JSON log lines in production, Sentry when SENTRY_DSN is set, and
neither carries the names people type into Netzwerk."""

from __future__ import annotations

import gzip
import http.server
import importlib
import json
import logging
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from netzwerk.observability import JsonFormatter
from tests.deployment.test_settings import clean_env, run

SECRET = "Geheimname"  # stands for a contact's name: it must reach no log line and no event


def record(*, exc_info: Any = None) -> logging.LogRecord:
    return logging.LogRecord(
        "netzwerk.digest", logging.ERROR, __file__, 1, "digest %s failed", ("run-7",), exc_info
    )


def test_the_formatter_writes_one_json_object_with_the_fields() -> None:
    line = JsonFormatter().format(record())

    entry = json.loads(line)
    assert entry.keys() == {"time", "level", "logger", "message"}
    assert (entry["level"], entry["logger"], entry["message"]) == (
        "ERROR",
        "netzwerk.digest",
        "digest run-7 failed",
    )
    assert entry["time"].endswith("+00:00")


def test_the_formatter_keeps_an_exception_with_its_traceback_on_one_line() -> None:
    try:
        raise ValueError("Grüße from the digest")
    except ValueError:
        line = JsonFormatter().format(record(exc_info=sys.exc_info()))

    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "digest run-7 failed"
    assert entry["exception"].startswith("Traceback (most recent call last):")
    assert entry["exception"].endswith("ValueError: Grüße from the digest")


LOG_AN_ERROR = """
import logging
import django

django.setup()
try:
    1 / 0
except ZeroDivisionError:
    logging.getLogger("netzwerk.digest").exception("digest failed")
"""


def test_production_logs_json_lines_on_stderr(tmp_path: Path) -> None:
    result = run([sys.executable, "-c", LOG_AN_ERROR], clean_env(tmp_path))

    assert result.returncode == 0, result.stderr
    entries = [json.loads(line) for line in result.stderr.splitlines()]
    assert [(entry["logger"], entry["message"]) for entry in entries] == [
        ("netzwerk.digest", "digest failed")
    ]
    assert "ZeroDivisionError" in entries[0]["exception"]


def test_development_logs_readable_lines(tmp_path: Path) -> None:
    result = run([sys.executable, "-c", LOG_AN_ERROR], clean_env(tmp_path, DJANGO_DEBUG="true"))

    assert result.returncode == 0, result.stderr
    assert " ERROR netzwerk.digest digest failed\nTraceback (most recent call last):" in result.stderr


SENTRY_STATE = """
import django
import sentry_sdk

django.setup()
print(sentry_sdk.get_client().is_active(), sentry_sdk.get_client().dsn)
"""


def test_sentry_stays_off_without_a_dsn(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    env.pop("SENTRY_DSN", None)

    result = run([sys.executable, "-c", SENTRY_STATE], env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "None"]


# A view that fails with a contact's name in its request (query, form, cookie, Referer) and in
# a local variable, called through Django's WSGI handler as gunicorn calls it.
FAIL_A_REQUEST = """
import io
import wsgiref.util

import sentry_sdk
from django.contrib.auth.decorators import login_not_required
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponseServerError
from django.test import override_settings
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

application = get_wsgi_application()


@csrf_exempt
@login_not_required
def fail(request):
    note = request.POST["note"]
    raise RuntimeError("the digest builder broke")


def handler500(request):
    return HttpResponseServerError("error")


urlpatterns = [path("fail/", fail)]
body = b"note=NAME"
environ = {
    "REQUEST_METHOD": "POST",
    "PATH_INFO": "/fail/",
    "QUERY_STRING": "q=NAME",
    "CONTENT_TYPE": "application/x-www-form-urlencoded",
    "CONTENT_LENGTH": str(len(body)),
    "wsgi.input": io.BytesIO(body),
    "HTTP_HOST": "netzwerk.example",
    "HTTP_COOKIE": "note=NAME",
    "HTTP_REFERER": "https://netzwerk.example/contacts/?q=NAME",
    "HTTP_X_CONTACT": "NAME",
}
wsgiref.util.setup_testing_defaults(environ)
statuses = []
with override_settings(ROOT_URLCONF="__main__"):
    b"".join(application(environ, lambda status, headers: statuses.append(status)))
print(statuses[0].split()[0], sentry_sdk.get_client().is_active())
sentry_sdk.flush(timeout=10)
""".replace("NAME", SECRET)


class Collector(http.server.BaseHTTPRequestHandler):
    """Sentry's ingest endpoint, on loopback: keeps every envelope it is sent."""

    envelopes: list[str]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        elif self.headers.get("Content-Encoding") == "br":
            # sentry-sdk compresses with brotli when it is installed, gzip otherwise.
            body = importlib.import_module("brotli").decompress(body)
        self.envelopes.append(body.decode())
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def sentry_envelopes() -> Any:
    envelopes: list[str] = []
    handler = type("Handler", (Collector,), {"envelopes": envelopes})
    server = http.server.HTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_address[1], envelopes
    finally:
        server.shutdown()
        server.server_close()


def test_sentry_reports_a_failed_request_without_personal_data(
    tmp_path: Path, sentry_envelopes: tuple[int, list[str]]
) -> None:
    port, envelopes = sentry_envelopes
    env = clean_env(
        tmp_path, SENTRY_DSN=f"http://public@127.0.0.1:{port}/1", SITE_URL="http://netzwerk.example"
    )

    result = run([sys.executable, "-c", FAIL_A_REQUEST], env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["500", "True"]
    sent = "\n".join(envelopes)
    assert "the digest builder broke" in sent  # the error reached the operator
    assert '"url":"http://netzwerk.example/fail/"' in sent  # with the request's path and method
    assert '"method":"POST"' in sent
    assert SECRET not in sent
    assert SECRET not in result.stderr  # nor the JSON log line of the error
