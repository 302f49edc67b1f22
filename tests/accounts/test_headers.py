"""The headers every answer needs: no caching of personal pages, a Permissions-Policy that still
allows security keys, and flash messages kept in the session rather than a cookie."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from netzwerk.accounts.models import User
from reminders.models import CalendarFeed
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DISABLED = ("camera", "microphone", "geolocation", "payment", "usb")
SECURITY_KEYS = ("publickey-credentials-get=(self)", "publickey-credentials-create=(self)")


def policy(response: object) -> list[str]:
    return [part.strip() for part in response["Permissions-Policy"].split(",")]  # type: ignore[index]


def assert_permissions_policy(response: object) -> None:
    parts = policy(response)
    for feature in DISABLED:
        assert f"{feature}=()" in parts
    for allowed in SECURITY_KEYS:
        assert allowed in parts


def test_a_signed_in_page_is_not_stored(owner_client: Client) -> None:
    response = owner_client.get(reverse("reminders:today"))

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert_permissions_policy(response)


def test_a_signed_in_htmx_fragment_and_redirect_are_not_stored(owner_client: Client) -> None:
    fragment = owner_client.get(reverse("contacts:list"), HTTP_HX_REQUEST="true")
    redirect = owner_client.get("/")

    assert fragment["Cache-Control"] == redirect["Cache-Control"] == "no-store"
    assert redirect.status_code == 302


def test_an_anonymous_answer_gets_no_cache_control_of_ours(client: Client) -> None:
    response = client.get(reverse("reminders:today"))  # to the sign-in page, nothing personal

    assert response.status_code == 302
    assert "Cache-Control" not in response
    assert_permissions_policy(response)


def test_the_sign_in_page_has_the_permissions_policy(client: Client) -> None:
    assert_permissions_policy(client.get(reverse("account_login")))


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_calendar_feed_keeps_its_private_caching(owner: User, client: Client, signed_in: bool) -> None:
    feed = CalendarFeed.objects.create(owner=owner)
    if signed_in:
        client.force_login(owner)

    response = client.get(reverse("calendar:feed", kwargs={"token": feed.token}))

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, max-age=3600"
    assert_permissions_policy(response)


def test_the_manifest_keeps_its_public_caching(owner_client: Client) -> None:
    response = owner_client.get(reverse("manifest"))

    assert "no-store" not in response["Cache-Control"]
    assert "public" in response["Cache-Control"]


@override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True)
def test_static_files_are_cached_for_signed_in_users_too(owner: User) -> None:
    client = Client()  # a new handler: WhiteNoise reads its settings when it starts
    client.force_login(owner)

    response = client.get("/static/css/app.css")

    assert response.status_code == 200
    assert "no-store" not in response["Cache-Control"]


def test_flash_messages_need_no_cookie_of_their_own(client: Client) -> None:
    staff = UserFactory(is_staff=True)  # no second factor yet: sent to set one up, with a message
    client.force_login(staff)

    response = client.get(reverse("reminders:today"))

    assert response.status_code == 302
    assert "messages" not in response.cookies
    assert "__Host-messages" not in response.cookies
    shown = client.get(response["Location"])
    assert "two-factor authentication before anything else opens" in shown.content.decode()
