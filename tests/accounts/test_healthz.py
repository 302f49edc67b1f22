"""/healthz: the database, the cache, the broker and beat's heartbeat, each failure named."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.db import OperationalError, connection
from django.test import Client
from django.utils import timezone
from kombu import Connection
from kombu.exceptions import OperationalError as BrokerError

from netzwerk import health
from reminders.heartbeat import record_heartbeat

pytestmark = pytest.mark.django_db

URL = "/healthz"


def answer(client: Client) -> tuple[int, dict[str, Any]]:
    response = client.get(URL)
    assert response["Content-Type"] == "application/json"
    return response.status_code, json.loads(response.content)


@pytest.fixture
def beating() -> None:
    record_heartbeat(now=timezone.now() - timedelta(seconds=20))


@pytest.mark.usefixtures("beating")
def test_it_answers_200_when_all_is_well(client: Client) -> None:
    status, body = answer(client)

    assert status == 200
    assert body["status"] == "ok"
    assert {part: body[part] for part in ("database", "cache", "broker", "beat")} == dict.fromkeys(
        ("database", "cache", "broker", "beat"), "ok"
    )
    assert 19 <= body["beat_age_seconds"] <= 60


@pytest.mark.usefixtures("beating")
def test_it_asks_the_database_twice(client: Client, django_assert_num_queries: Any) -> None:
    # SELECT 1, and the heartbeat; no session, no user (the test cache is in memory)
    with django_assert_num_queries(2):
        assert client.get(URL).status_code == 200


@pytest.mark.usefixtures("beating")
def test_it_names_no_versions_or_secrets(client: Client) -> None:
    response = client.get(URL)

    assert set(json.loads(response.content)) == {
        "status",
        "database",
        "cache",
        "broker",
        "beat",
        "beat_age_seconds",
    }
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies


@pytest.mark.usefixtures("beating")
def test_a_failing_database_is_named(client: Client) -> None:
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("down")):
        status, body = answer(client)

    assert status == 503
    assert body["database"] == "fail"
    assert body["beat"] == "fail"  # its heartbeat is in the database too
    assert (body["cache"], body["broker"]) == ("ok", "ok")


@pytest.mark.usefixtures("beating")
def test_a_failing_cache_is_named(client: Client) -> None:
    with mock.patch.object(LocMemCache, "set", side_effect=ConnectionError("down")):
        status, body = answer(client)

    assert status == 503
    assert body["status"] == "fail"
    assert body["cache"] == "fail"
    assert (body["database"], body["broker"], body["beat"]) == ("ok", "ok", "ok")


@pytest.mark.usefixtures("beating")
def test_a_failing_broker_is_named(client: Client) -> None:
    with mock.patch.object(Connection, "ensure_connection", side_effect=BrokerError("down")):
        status, body = answer(client)

    assert status == 503
    assert body["broker"] == "fail"
    assert (body["database"], body["cache"], body["beat"]) == ("ok", "ok", "ok")


def test_a_filesystem_broker_without_its_folder_fails(tmp_path: Path) -> None:
    folder = tmp_path / "broker"
    options = {"data_folder_in": str(folder), "data_folder_out": str(folder)}
    with pytest.raises(health.Unhealthy):
        health.check_broker_connection(Connection("filesystem://", transport_options=options))
    folder.mkdir()
    health.check_broker_connection(Connection("filesystem://", transport_options=options))


def test_no_heartbeat_is_a_failing_beat(client: Client) -> None:
    status, body = answer(client)

    assert status == 503
    assert (body["beat"], body["beat_age_seconds"]) == ("fail", None)
    assert (body["database"], body["cache"], body["broker"]) == ("ok", "ok", "ok")


def test_an_old_heartbeat_is_a_failing_beat(client: Client) -> None:
    record_heartbeat(now=timezone.now() - timedelta(seconds=301))

    status, body = answer(client)

    assert status == 503
    assert body["beat"] == "fail"
    assert body["beat_age_seconds"] >= 301


@pytest.mark.usefixtures("beating")
def test_it_needs_no_sign_in_and_takes_no_post(client: Client) -> None:
    assert client.get(URL).status_code == 200
    assert client.head(URL).status_code == 200
    assert client.post(URL).status_code == 405
