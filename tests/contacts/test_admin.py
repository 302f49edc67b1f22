from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from contacts.choices import Circle
from tests.factories import (
    ContactEmailFactory,
    ContactFactory,
    OrganisationFactory,
    UserFactory,
    sign_in,
    strong_ties,
)


@pytest.fixture
def admin_client_(db: None) -> Client:
    client = Client()
    sign_in(client, UserFactory(is_staff=True, is_superuser=True, totp=True))
    return client


def test_the_admin_pages_open_for_a_superuser(admin_client_: Client, owner) -> None:
    contact = ContactFactory(owner=owner)
    ContactEmailFactory(contact=contact)
    organisation = OrganisationFactory(owner=owner)

    for url in [
        "/admin/",
        "/admin/contacts/contact/",
        f"/admin/contacts/contact/{contact.pk}/change/",
        "/admin/contacts/organisation/",
        f"/admin/contacts/organisation/{organisation.pk}/change/",
        "/admin/accounts/user/",
        f"/admin/accounts/user/{owner.pk}/change/",
        "/admin/accounts/user/add/",
        "/admin/reminders/heartbeat/",
    ]:
        assert admin_client_.get(url).status_code == 200, url


def test_admin_scripts_load_from_our_origin_under_the_csp(admin_client_: Client, owner) -> None:
    contact = ContactFactory(owner=owner)

    response = admin_client_.get(f"/admin/contacts/contact/{contact.pk}/change/")

    policy = response["Content-Security-Policy"]
    assert "'strict-dynamic'" not in policy  # would make CSP3 browsers ignore 'self'
    sources = re.findall(r'<script[^>]*src="([^"]+)"', response.content.decode())
    assert sources
    assert all(src.startswith("/") and not src.startswith("//") for src in sources)


def test_the_admin_promote_action_goes_through_the_cap(admin_client_: Client, owner) -> None:
    owner.strong_tie_cap = 40
    owner.save()
    strong_ties(owner, 40)
    newcomer = ContactFactory(owner=owner)

    response = admin_client_.post(
        "/admin/contacts/contact/",
        {"action": "promote_to_strong_tie", "_selected_action": [newcomer.pk]},
        follow=True,
    )

    assert response.status_code == 200
    newcomer.refresh_from_db()
    assert newcomer.circle == Circle.REGULAR


def test_the_admin_promote_action_promotes_when_there_is_room(admin_client_: Client, owner) -> None:
    newcomer = ContactFactory(owner=owner)

    admin_client_.post(
        "/admin/contacts/contact/", {"action": "promote_to_strong_tie", "_selected_action": [newcomer.pk]}
    )

    newcomer.refresh_from_db()
    assert newcomer.circle == Circle.STRONG


def test_the_superuser_admin_shows_the_cap_but_leaves_it_to_the_coach(admin_client_: Client, owner) -> None:
    page = admin_client_.get(reverse("admin:accounts_user_change", args=[owner.pk]))

    assert "strong_tie_cap" not in page.context["adminform"].form.fields  # a POST cannot set it
    assert "strong_tie_cap" in page.context["adminform"].readonly_fields
