"""F8: personal data stays out of URLs and logs, also while exporting and deleting an account."""

from __future__ import annotations

import logging
import re
from urllib.parse import quote, unquote

import pytest
from django.urls import get_resolver, reverse
from django.utils import timezone

from privacy import jobs
from tests.privacy.conftest import Seeded, delete_account, signed_in
from tests.test_url_sweep import walk

# Parameter names that would put a person's details into a URL (and so into logs and histories).
PERSONAL = ("mail", "phone", "tel", "mobile", "address", "name", "birth", "note")


def personal_parameters(route: str) -> list[str]:
    """`<str:email>` and `(?P<email>...)` alike: the names of a route's personal parameters."""
    names = re.findall(r"<(?:\w+:)?(\w+)>", route)
    return [name for name in names if any(word in name.lower() for word in PERSONAL)]


def test_it_finds_a_personal_parameter_in_a_route() -> None:
    assert personal_parameters("people/<str:email>/") == ["email"]
    assert personal_parameters(r"^people/(?P<phone_number>\+\d+)/$") == ["phone_number"]
    assert personal_parameters("contacts/<int:pk>/swap/<int:out_pk>/") == []


def test_no_url_pattern_takes_personal_data() -> None:
    routes = [route for _name, route in walk(get_resolver().url_patterns)]

    offenders = {route: personal_parameters(route) for route in routes if personal_parameters(route)}

    assert len(routes) > 50
    assert offenders == {}


def test_exporting_and_deleting_log_nothing_personal(
    alice: Seeded, bob: Seeded, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    assert signed_in(alice.user).post(reverse("privacy:export")).status_code == 302
    job = jobs.latest(alice.user)
    assert job is not None
    assert jobs.build(job.pk, now=timezone.now()) == "ready"
    asked = signed_in(alice.user).post(reverse("privacy:delete"), {"email": alice.user.email})
    response = delete_account(signed_in(alice.user), alice.user.email)

    assert response["Location"] == reverse("account_login")
    messages = [record.getMessage() for record in caplog.records]
    # the capture works: both events are logged, by id
    assert f"export written for user {alice.user.pk}" in messages
    assert any(message.startswith(f"account {alice.user.pk} erased") for message in messages)
    logged = caplog.text + "\n".join(messages)
    for string in alice.strings:
        assert string not in logged, string
    assert alice.user.email not in unquote(asked["Location"])
    assert quote(alice.user.email) not in asked["Location"]
