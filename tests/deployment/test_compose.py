"""docker-compose.yml: one app definition shared by web, worker and beat, wired to its services."""

from __future__ import annotations

import http.server
import ipaddress
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
import yaml

COMPOSE_FILE = Path(__file__).resolve().parents[2] / "docker-compose.yml"
CADDYFILE = COMPOSE_FILE.with_name("Caddyfile")
APP_SERVICES = ("web", "worker", "beat")


@pytest.fixture(scope="module")
def services() -> dict[str, dict[str, Any]]:
    # safe_load resolves the `<<: *app` merge keys, so each service is seen as compose sees it.
    compose = yaml.safe_load(COMPOSE_FILE.read_text())
    result: dict[str, dict[str, Any]] = compose["services"]
    return result


def command_of(service: dict[str, Any]) -> str:
    command = service["command"]
    return command if isinstance(command, str) else " ".join(command)


def test_it_defines_the_seven_services(services: dict[str, dict[str, Any]]) -> None:
    assert {"proxy", "web", "worker", "beat", "postgres", "redis", "mailpit"} <= set(services)


def test_it_reaches_gunicorn_only_through_the_proxy(services: dict[str, dict[str, Any]]) -> None:
    web, proxy = services["web"], services["proxy"]
    assert "ports" not in web
    assert web["expose"] == ["8000"]
    assert proxy["image"].startswith("caddy:")
    assert {"80:80", "443:443"} <= set(proxy["ports"])
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    assert any(volume.startswith("caddy-data:/data") for volume in proxy["volumes"])  # certificates


def test_it_trusts_the_forwarded_scheme_from_the_proxy_alone() -> None:
    compose = yaml.safe_load(COMPOSE_FILE.read_text())
    services, front = compose["services"], compose["networks"]["front"]["ipam"]["config"][0]
    proxy_address = ipaddress.ip_address(services["proxy"]["networks"]["front"]["ipv4_address"])
    trusted = services["web"]["environment"]["FORWARDED_ALLOW_IPS"]

    assert trusted == str(proxy_address)  # one address, no network, never "*"
    assert "front" in services["web"]["networks"]
    assert set(services["proxy"]["networks"]) == {"front"}  # no way to postgres or redis
    assert proxy_address in ipaddress.ip_network(front["subnet"])
    # Containers started before the proxy take addresses from ip_range, never the proxy's.
    assert proxy_address not in ipaddress.ip_network(front["ip_range"])


def test_it_serves_the_site_over_https_at_netzwerk_host(services: dict[str, dict[str, Any]]) -> None:
    environment = services["web"]["environment"]
    assert environment["SITE_URL"] == "https://${NETZWERK_HOST:-localhost}"
    assert services["proxy"]["environment"]["NETZWERK_HOST"] == "${NETZWERK_HOST:-localhost}"
    assert environment["ALLAUTH_TRUSTED_PROXY_COUNT"] == "1"


def test_the_caddyfile_serves_netzwerk_host_from_web() -> None:
    lines = [
        line.strip()
        for line in CADDYFILE.read_text().splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    assert lines == ["{$NETZWERK_HOST:localhost} {", "reverse_proxy web:8000", "}"]


@pytest.mark.parametrize("name", APP_SERVICES)
def test_it_keeps_the_deletion_ledger_in_a_volume(services: dict[str, dict[str, Any]], name: str) -> None:
    """Outside the database and the container (docs/backups.md): the image's data folder is
    /app/data, and the ledger's default path is its ledger/ folder."""
    dockerfile = (COMPOSE_FILE.parent / "Dockerfile").read_text()
    assert "NETZWERK_DATA_DIR=/app/data" in dockerfile
    assert "mkdir -p /app/data/ledger" in dockerfile
    assert "ledger:/app/data/ledger" in services[name]["volumes"]
    assert "NETZWERK_ERASURE_LEDGER_PATH" not in services[name]["environment"]


@pytest.mark.parametrize("name", ["worker", "beat"])
def test_it_runs_celery_from_the_web_image_and_environment(
    services: dict[str, dict[str, Any]], name: str
) -> None:
    web, other = services["web"], services[name]
    for key in ("build", "image", "env_file", "environment", "depends_on"):
        assert other.get(key) == web.get(key), key
    assert web.get("build") or web.get("image")


def test_it_runs_gunicorn_in_web(services: dict[str, dict[str, Any]]) -> None:
    assert "gunicorn netzwerk.wsgi:application" in command_of(services["web"])


def test_it_runs_a_celery_worker_and_a_celery_beat(services: dict[str, dict[str, Any]]) -> None:
    assert command_of(services["worker"]).startswith("celery -A netzwerk worker")
    assert command_of(services["beat"]).startswith("celery -A netzwerk beat")


def test_it_runs_beat_only_in_the_beat_service(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        if "command" not in service or name == "beat":
            continue
        words = command_of(service).split()
        assert "beat" not in words, name
        assert "--beat" not in words, name
        assert "-B" not in words, name


def test_it_migrates_in_web_only(services: dict[str, dict[str, Any]]) -> None:
    assert "migrate" in command_of(services["web"])
    assert "migrate" not in command_of(services["worker"])
    assert "migrate" not in command_of(services["beat"])


def test_it_waits_for_a_healthy_postgres(services: dict[str, dict[str, Any]]) -> None:
    assert "pg_isready" in str(services["postgres"]["healthcheck"]["test"])
    assert services["postgres"]["image"].startswith("postgres:17")
    for name in APP_SERVICES:
        depends_on = services[name]["depends_on"]
        assert depends_on["postgres"]["condition"] == "service_healthy", name
        assert "redis" in depends_on, name


def test_it_points_the_app_at_postgres_redis_and_mailpit(services: dict[str, dict[str, Any]]) -> None:
    environment = services["web"]["environment"]
    assert environment["DATABASE_URL"].startswith("postgres://")
    assert "@postgres:5432/" in environment["DATABASE_URL"]
    assert environment["REDIS_URL"].startswith("redis://redis:6379/")
    assert environment["EMAIL_URL"] == "smtp://mailpit:1025"
    assert environment["DJANGO_DEBUG"] == "false"
    for name in ("SITE_URL", "DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"):
        assert name in environment, name


def test_it_keeps_redis_from_evicting_broker_messages(services: dict[str, dict[str, Any]]) -> None:
    command = command_of(services["redis"])
    assert "--maxmemory-policy noeviction" in command
    assert "--appendonly yes" in command


def test_it_checks_web_health_at_healthz(services: dict[str, dict[str, Any]]) -> None:
    healthcheck = services["web"]["healthcheck"]
    test = healthcheck["test"]
    assert test[:2] == ["CMD", "python"]
    script = test[-1]
    assert "http://127.0.0.1:8000/healthz" in script
    assert 'os.environ["SITE_URL"]' in script  # the Host header ALLOWED_HOSTS accepts
    compile(script, "healthcheck", "exec")  # the shell passes it to python as written
    assert healthcheck["start_period"]  # beat's first heartbeat comes a minute after start


def answering(status: int) -> http.server.HTTPServer:
    """A local server answering like /healthz with `status`, to the site's host name only."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(status if self.headers["Host"] == "netzwerk.example" else 400)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.mark.parametrize(("status", "healthy"), [(200, True), (503, False)])
def test_its_healthcheck_passes_on_200_only(
    services: dict[str, dict[str, Any]], status: int, healthy: bool
) -> None:
    script = services["web"]["healthcheck"]["test"][-1]
    server = answering(status)
    try:
        result = subprocess.run(
            [sys.executable, "-c", script.replace("127.0.0.1:8000", f"127.0.0.1:{server.server_address[1]}")],
            env={"SITE_URL": "https://netzwerk.example"},
            capture_output=True,
            timeout=30,
            check=False,
        )
    finally:
        server.shutdown()
        server.server_close()
    assert (result.returncode == 0) == healthy, result.stderr


def test_it_shows_the_caught_mail_on_this_machine_only(services: dict[str, dict[str, Any]]) -> None:
    """Mailpit's page shows every e-mail, password-reset links too: bound to the loopback."""
    assert services["mailpit"]["ports"] == ["127.0.0.1:8025:8025"]
