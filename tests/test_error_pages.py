"""The error pages speak the user's language in the app's layout (Django's own are English)."""

from __future__ import annotations

from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views.defaults import server_error

from netzwerk.accounts.models import User
from tests.factories import ContactFactory


def test_another_users_contact_is_a_page_not_found_in_german(
    owner: User, owner_client: Client, stranger: User
) -> None:
    owner.language = "de"
    owner.save(update_fields=["language"])
    foreign = ContactFactory(owner=stranger)

    response = owner_client.get(foreign.get_absolute_url())

    body = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Seite nicht gefunden</h1>" in body
    assert "Not Found" not in body
    assert f'href="{reverse("home")}"' in body


def test_a_server_error_page_is_german_and_needs_no_context() -> None:
    request = RequestFactory().get("/")
    with translation.override("de"):
        response = server_error(request)

    body = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Etwas ist schiefgelaufen</h1>" in body
    assert "Server Error" not in body
