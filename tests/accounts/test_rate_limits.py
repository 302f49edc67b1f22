"""allauth's rate limits hold on the shared caches a deployment uses (never LocMem or Dummy)."""

from __future__ import annotations

import os
import uuid
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory


def shared_caches() -> list[Any]:
    redis_url = os.environ.get("REDIS_URL")
    redis = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": redis_url or "redis://127.0.0.1:6379/0",
        # One prefix per run: nothing of another run's counters, and no flush of shared data.
        "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
    }
    database = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "netzwerk_cache"}
    return [pytest.param(database, id="database"), pytest.param(redis, id="redis")]


@pytest.fixture(params=shared_caches())
def shared_cache(request: pytest.FixtureRequest, db: None):
    config = request.param
    if "redis" in config["BACKEND"] and not os.environ.get("REDIS_URL"):
        if os.environ.get("CI") == "true":
            pytest.fail("CI must provide REDIS_URL")
        pytest.skip("REDIS_URL is not set")
    with override_settings(CACHES={"default": config}):
        if "db" in config["BACKEND"]:
            call_command("createcachetable", verbosity=0)
        yield config


def test_it_locks_an_account_after_five_failed_logins(shared_cache, client: Client) -> None:
    user = UserFactory()
    url = reverse("account_login")

    failures = [client.post(url, {"login": user.email, "password": "falsch"}) for _ in range(5)]
    locked = client.post(url, {"login": user.email, "password": PASSWORD})

    assert all(response.status_code == 200 for response in failures)
    body = locked.content.decode()
    assert locked.status_code == 200
    assert "Zu viele gescheiterte Anmeldeversuche" in body or "Too many failed login attempts" in body, body[
        :2000
    ]
    assert client.get(reverse("contacts:list")).status_code == 302
