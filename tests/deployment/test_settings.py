"""netzwerk/settings.py read as a deployment reads it: in a fresh process, from the environment."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SERVICE_VARIABLES = ("DATABASE_URL", "REDIS_URL", "EMAIL_URL")
PRINT_SETTINGS = """
import json
import django
from django.conf import settings

django.setup()
print(json.dumps({
    "CACHES": settings.CACHES,
    "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
    "CELERY_BROKER_TRANSPORT_OPTIONS": settings.CELERY_BROKER_TRANSPORT_OPTIONS,
    "MAILERS": settings.MAILERS,
}))
"""


def clean_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """The current environment without the variables that point at servers or set DEBUG."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            *SERVICE_VARIABLES,
            "DJANGO_DEBUG",
            "DJANGO_SECRET_KEY",
            "DJANGO_ALLOWED_HOSTS",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
        and not key.startswith("PYTEST_")
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "netzwerk.settings",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
        "NETZWERK_DATA_DIR": str(tmp_path / "data"),
    }
    return env | overrides


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def read_settings(env: dict[str, str]) -> dict[str, Any]:
    result = run([sys.executable, "-c", PRINT_SETTINGS], env)
    assert result.returncode == 0, result.stderr
    settings: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return settings


def test_it_passes_the_deployment_checks(tmp_path: Path) -> None:
    secret_key = secrets.token_urlsafe(48)
    assert len(secret_key) == 64
    env = clean_env(
        tmp_path,
        DJANGO_SECRET_KEY=secret_key,
        SITE_URL="https://netzwerk.example",
        DJANGO_ALLOWED_HOSTS="netzwerk.example",
        EMAIL_URL="smtp://mail.example:587?tls=true",
    )

    result = run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNING" not in output
    assert "?: (" not in output  # a check message, e.g. "?: (security.W004) ..."


def test_it_uses_the_database_cache_and_filesystem_broker_without_redis(tmp_path: Path) -> None:
    settings = read_settings(clean_env(tmp_path))

    assert settings["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert settings["CELERY_BROKER_URL"] == "filesystem://"
    options = settings["CELERY_BROKER_TRANSPORT_OPTIONS"]
    # One folder for both directions: the producer's out is the consumer's in.
    assert options["data_folder_in"] == options["data_folder_out"]
    assert Path(options["data_folder_in"]).is_relative_to(tmp_path / "data")
    assert Path(options["data_folder_in"]).is_dir()


def test_it_uses_redis_for_cache_and_broker_when_redis_url_is_set(tmp_path: Path) -> None:
    redis_url = "redis://redis.example:6379/3"

    settings = read_settings(clean_env(tmp_path, REDIS_URL=redis_url))

    assert settings["CACHES"]["default"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": redis_url,
    }
    assert settings["CELERY_BROKER_URL"] == redis_url


def test_it_prints_mail_to_the_console_without_email_url(tmp_path: Path) -> None:
    settings = read_settings(clean_env(tmp_path))

    assert settings["MAILERS"]["default"]["BACKEND"] == "django.core.mail.backends.console.EmailBackend"


def test_it_sends_mail_over_smtp_from_email_url(tmp_path: Path) -> None:
    env = clean_env(tmp_path, EMAIL_URL="smtp://user:pa%40ss@host:2525?tls=true")

    settings = read_settings(env)

    assert settings["MAILERS"]["default"] == {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": "host",
            "port": 2525,
            "username": "user",
            "password": "pa@ss",
            "use_ssl": False,
            "use_tls": True,
            "timeout": 20,
        },
    }


@pytest.mark.parametrize("secret_key", ["", None])
def test_it_refuses_to_start_without_a_secret_key_unless_debugging(
    tmp_path: Path, secret_key: str | None
) -> None:
    env = clean_env(tmp_path)
    del env["DJANGO_SECRET_KEY"]
    if secret_key is not None:
        env["DJANGO_SECRET_KEY"] = secret_key

    result = run([sys.executable, "-c", PRINT_SETTINGS], env)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_it_starts_without_a_secret_key_when_debugging(tmp_path: Path) -> None:
    env = clean_env(tmp_path, DJANGO_DEBUG="true")
    del env["DJANGO_SECRET_KEY"]

    settings = read_settings(env)

    assert settings["CELERY_BROKER_URL"] == "filesystem://"


PRINT_RETENTION = """
import json
import django
from django.conf import settings

django.setup()
print(json.dumps({
    "periods": [
        settings.RETAIN_ACCESS_LOG_MONTHS,
        settings.RETAIN_DIGEST_RUNS_DAYS,
        settings.RETAIN_REMINDER_STATES_DAYS,
        settings.RETAIN_ABANDONED_IMPORTS_DAYS,
    ],
    "exempt": settings.SECURE_REDIRECT_EXEMPT,
}))
"""


def test_it_reads_the_retention_periods_and_exempts_healthz_from_the_ssl_redirect(tmp_path: Path) -> None:
    overrides = {
        "NETZWERK_RETAIN_ACCESS_LOG_MONTHS": "24",
        "NETZWERK_RETAIN_DIGEST_RUNS_DAYS": "30",
        "NETZWERK_RETAIN_REMINDER_STATES_DAYS": "2",
        "NETZWERK_RETAIN_ABANDONED_IMPORTS_DAYS": "3",
        "SITE_URL": "https://netzwerk.example",
    }
    result = run([sys.executable, "-c", PRINT_RETENTION], clean_env(tmp_path, **overrides))

    assert result.returncode == 0, result.stderr
    read = json.loads(result.stdout.strip().splitlines()[-1])
    assert read == {"periods": [24, 30, 2, 3], "exempt": ["^healthz$"]}


def test_it_refuses_a_retention_period_of_zero(tmp_path: Path) -> None:
    env = clean_env(tmp_path, NETZWERK_RETAIN_REMINDER_STATES_DAYS="0")
    result = run([sys.executable, "-c", PRINT_RETENTION], env)

    assert result.returncode != 0
    assert "NETZWERK_RETAIN_REMINDER_STATES_DAYS must be 1 or more" in result.stderr


PRINT_COOKIES = """
import json
import django
from django.conf import settings

django.setup()
print(json.dumps({
    name: [
        getattr(settings, f"{name}_COOKIE_NAME"),
        getattr(settings, f"{name}_COOKIE_SECURE"),
        getattr(settings, f"{name}_COOKIE_PATH"),
        getattr(settings, f"{name}_COOKIE_DOMAIN"),
    ]
    for name in ("SESSION", "CSRF", "LANGUAGE")
} | {
    "MESSAGE_STORAGE": settings.MESSAGE_STORAGE,
    "HTTPONLY": [settings.SESSION_COOKIE_HTTPONLY, settings.LANGUAGE_COOKIE_HTTPONLY],
    "SAMESITE": [settings.SESSION_COOKIE_SAMESITE, settings.LANGUAGE_COOKIE_SAMESITE],
}))
"""


def test_its_cookies_are_host_only_and_secure_under_https_and_messages_have_none(tmp_path: Path) -> None:
    env = clean_env(tmp_path, SITE_URL="https://netzwerk.example")
    result = run([sys.executable, "-c", PRINT_COOKIES], env)

    assert result.returncode == 0, result.stderr
    # __Host- makes the browser refuse the cookie unless Secure, Path=/ and without Domain.
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "SESSION": ["__Host-sessionid", True, "/", None],
        "CSRF": ["__Host-csrftoken", True, "/", None],
        "LANGUAGE": ["__Host-language", True, "/", None],  # set_language's, when signed out
        "MESSAGE_STORAGE": "django.contrib.messages.storage.session.SessionStorage",
        "HTTPONLY": [True, True],
        "SAMESITE": ["Lax", "Lax"],
    }
