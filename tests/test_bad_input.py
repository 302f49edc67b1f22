"""Hostile or broken input gets a message or a 404, never a 500, and nothing is stored from it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from contacts.models import Contact, Tag
from netzwerk.accounts.models import User
from netzwerk.http import as_id
from tests.factories import ContactFactory, contact_form_data
from touchpoints.kinds import Kind
from touchpoints.models import Touchpoint

pytestmark = pytest.mark.django_db

NUL = "\x00"


@pytest.mark.parametrize(
    "when", ["0001-01-01T00:30", "0001-01-01T12:00", "1899-12-31T23:59", "0001-01-01T00:00+05:00"]
)
def test_a_touch_time_before_1900_is_an_error_not_a_500(owner_client: Client, owner: User, when: str) -> None:
    contact = ContactFactory(owner=owner)

    response = owner_client.post(
        reverse("touchpoints:log", args=[contact.pk]), {"kind": Kind.CALL, "happened_at": when}
    )

    assert response.status_code in (200, 400)
    assert not Touchpoint.objects.exists()


@pytest.mark.parametrize(
    ("method", "name"),
    [("get", "touchpoints:contact_search"), ("get", "touchpoints:quick"), ("post", "touchpoints:quick")],
)
def test_a_nul_byte_in_a_search_finds_nothing_rather_than_fail(
    owner_client: Client, owner: User, method: str, name: str
) -> None:
    ContactFactory(owner=owner, first_name="Anna")

    response = getattr(owner_client, method)(reverse(name), {"q": f"An{NUL}na"})

    assert response.status_code in (200, 400)


def test_a_calendar_token_with_a_nul_byte_is_not_found(client: Client) -> None:
    assert client.get(f"/calendar/feed/{NUL}.ics").status_code == 404


def test_an_id_of_five_thousand_digits_is_no_id(owner_client: Client) -> None:
    assert owner_client.get(reverse("imports:sort"), {"after": "9" * 5000}).status_code == 200
    assert as_id("9" * 5000) is None
    assert as_id("42") == 42


def test_a_tag_too_long_is_refused_with_a_message_not_cut(owner_client: Client) -> None:
    response = owner_client.post(reverse("contacts:create"), contact_form_data(tags_text="x" * 51))

    assert response.status_code in (200, 400)
    assert "A tag has at most 50 characters." in response.content.decode()
    assert not Tag.objects.exists()
    assert not Contact.objects.exists()
