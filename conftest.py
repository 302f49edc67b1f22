"""Personas for every access test: the owner, a coach, and a stranger."""

from __future__ import annotations

import os

import pytest
from django.test import Client

from netzwerk.accounts.models import User
from tests.factories import UserFactory


@pytest.fixture
def owner(db: None) -> User:
    return UserFactory(email="alice@netzwerk.test", first_name="Alice")


@pytest.fixture
def coach(db: None) -> User:
    return UserFactory(email="bob@netzwerk.test", first_name="Bob", is_staff=True, totp=True)


@pytest.fixture
def stranger(db: None) -> User:
    return UserFactory(email="charlie@netzwerk.test", first_name="Charlie")


@pytest.fixture
def owner_client(client: Client, owner: User) -> Client:
    client.force_login(owner)
    return client


@pytest.fixture
def stranger_client(stranger: User) -> Client:
    client = Client()
    client.force_login(stranger)
    return client


@pytest.fixture
def database_vendor() -> str:
    """The database under test; in CI it must be PostgreSQL (DATABASE_URL), never a fallback."""
    from django.db import connection

    if os.environ.get("CI") == "true" and connection.vendor != "postgresql":
        pytest.fail("CI must run the suite on PostgreSQL: set DATABASE_URL")
    return connection.vendor


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """allauth's rate limits live in the cache: each test starts with none spent."""
    from django.core.cache import cache

    cache.clear()
