"""gunicorn, as the image and compose run it (gunicorn.conf.py): search terms (people's names)
stay out of its log, and only the proxy may say a request came over https."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVER_VARIABLES = ("DATABASE_URL", "REDIS_URL", "EMAIL_URL", "SENTRY_DSN", "FORWARDED_ALLOW_IPS")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def gunicorn(env: dict[str, str]) -> Iterator[tuple[int, list[str]]]:
    """gunicorn on a free local port as configured (three workers); yields the port and, once stopped, its output."""
    port = free_port()
    base = {key: value for key, value in os.environ.items() if key not in SERVER_VARIABLES}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "netzwerk.wsgi:application", *("--bind", f"127.0.0.1:{port}")],
        cwd=ROOT,  # where gunicorn.conf.py is read from, as in the image
        env=base | {"DJANGO_SETTINGS_MODULE": "netzwerk.settings"} | env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    try:
        wait_until_listening(port, server)
        yield port, output
    finally:
        server.terminate()
        output.extend(server.communicate(timeout=20)[0].splitlines())


def wait_until_listening(port: int, server: subprocess.Popen[str]) -> None:
    for _ in range(200):
        assert server.poll() is None, "gunicorn exited"
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError("gunicorn did not listen")


def test_the_access_log_names_the_path_without_the_query(tmp_path: Path) -> None:
    env = {"DJANGO_DEBUG": "true", "NETZWERK_DATA_DIR": str(tmp_path)}
    with gunicorn(env) as (port, output):
        url = f"http://127.0.0.1:{port}/contacts/?q=Geheimname+M%C3%BCller"
        # An HTTPError is an answer too (the redirect to the login page may end in an error page).
        with contextlib.suppress(urllib.error.HTTPError):
            urllib.request.urlopen(urllib.request.Request(url), timeout=10)
        time.sleep(0.5)

    requests = [line for line in output if '"GET /contacts/' in line]
    assert requests, output
    assert all("Geheimname" not in line and "q=" not in line for line in requests), requests


def production(tmp_path: Path, **overrides: str) -> dict[str, str]:
    return {
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
        "SITE_URL": "https://netzwerk.example",
        "DJANGO_ALLOWED_HOSTS": "netzwerk.example",
        "NETZWERK_DATA_DIR": str(tmp_path),
    } | overrides


def get(port: int, path: str, headers: dict[str, str]) -> http.client.HTTPResponse:
    """One request from 127.0.0.1, redirects not followed."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers={"Host": "netzwerk.example"} | headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def test_in_production_every_line_is_a_json_object_and_the_access_log_still_has_no_query(
    tmp_path: Path,
) -> None:
    with gunicorn(production(tmp_path)) as (port, output):
        get(port, "/contacts/?q=Geheimname", {})

    entries = [json.loads(line) for line in output]
    assert {"gunicorn.error", "gunicorn.access"} <= {entry["logger"] for entry in entries}
    requests = [entry["message"] for entry in entries if entry["logger"] == "gunicorn.access"]
    assert len(requests) == 1
    assert '"GET /contacts/ HTTP/1.1" 301' in requests[0]  # the redirect to https
    assert "Geheimname" not in "\n".join(output)


# 192.0.2.10 (TEST-NET-1) stands for compose's proxy elsewhere: this test's 127.0.0.1 is then a
# client that reached gunicorn directly.
@pytest.mark.parametrize(("allowed", "trusted"), [("192.0.2.10", False), ("127.0.0.1", True)])
def test_it_believes_x_forwarded_proto_only_from_the_proxy(
    tmp_path: Path, allowed: str, trusted: bool
) -> None:
    with gunicorn(production(tmp_path, FORWARDED_ALLOW_IPS=allowed)) as (port, _):
        page = get(port, "/", {"X-Forwarded-Proto": "https"})
        # /healthz is exempt from the SSL redirect; HSTS is sent on secure requests only.
        health = get(port, "/healthz", {"X-Forwarded-Proto": "https"})

    redirected_to_https = page.status == 301 and page.headers["Location"].startswith("https://")
    assert redirected_to_https != trusted, (page.status, page.headers)
    assert ("Strict-Transport-Security" in health.headers) == trusted, health.headers


def test_it_refuses_to_trust_every_peer(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--check-config", "netzwerk.wsgi:application"],
        cwd=ROOT,
        env=os.environ | production(tmp_path, FORWARDED_ALLOW_IPS="10.0.0.2, *"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode != 0
    assert "FORWARDED_ALLOW_IPS must name the proxy's addresses" in result.stdout + result.stderr
