"""Staff and coaches enrol a second factor before any page opens; the coach admin signs in
through allauth (its rate limits and MFA step)."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from allauth.mfa.adapter import get_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from cryptography.fernet import InvalidToken
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from netzwerk.accounts.coaching import make_coach
from netzwerk.accounts.models import User
from tests.factories import PASSWORD, TOTP_SECRET, UserFactory, enrol_totp, link_coach, sign_in

pytestmark = pytest.mark.django_db

PAGES = [
    "/today/",
    "/contacts/",
    "/settings/",
    "/settings/coaching/",
    "/admin/",
    "/admin/contacts/contact/",
    "/coach/",
]


def current_code(secret: str = TOTP_SECRET) -> str:
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


def new_coach() -> User:
    coach = UserFactory(first_name="Cora")
    make_coach(coach)
    link_coach(UserFactory(), coach)
    return coach


@pytest.mark.parametrize("kind", ["coach", "staff", "superuser"])
def test_without_a_second_factor_every_page_sends_staff_to_enrol(kind: str) -> None:
    user = new_coach() if kind == "coach" else UserFactory(is_staff=True, is_superuser=kind == "superuser")
    client = Client()
    client.force_login(user)

    for page in PAGES:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"] == reverse("mfa_index"), page
    assert client.get(reverse("mfa_index")).status_code == 200
    # enrolling asks for the password again first: allauth's pages stay open
    assert client.get(reverse("mfa_activate_totp"))["Location"].startswith(reverse("account_reauthenticate"))
    assert client.get(reverse("account_reauthenticate")).status_code == 200


@pytest.mark.django_db(transaction=True)  # allauth announces the new factor after the commit
def test_after_enrolling_totp_the_coach_admin_opens() -> None:
    coach = new_coach()
    client = Client()
    login = client.post(reverse("account_login"), {"login": coach.email, "password": PASSWORD})
    assert login.status_code == 302, login.text[:3000]
    assert client.get("/coach/")["Location"] == reverse("mfa_index")
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})  # allauth asks before enrolling

    activate = client.get(reverse("mfa_activate_totp"))
    assert activate.status_code == 200, activate["Location"]
    secret = activate.context["form"].secret
    response = client.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})

    assert response.status_code == 302
    assert Authenticator.objects.filter(user=coach, type=Authenticator.Type.TOTP).exists()
    assert client.get("/coach/").status_code == 200


def test_a_user_who_is_not_staff_is_not_asked(owner_client: Client) -> None:
    assert owner_client.get("/today/").status_code == 200


def test_signing_in_asks_for_the_code_and_a_code_works_once() -> None:
    coach = new_coach()
    enrol_totp(coach)
    code = current_code()

    first = Client()
    login = first.post(reverse("account_login"), {"login": coach.email, "password": PASSWORD})
    assert login["Location"] == reverse("mfa_authenticate")
    assert first.get("/coach/").status_code == 302  # not signed in before the code
    assert first.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    assert first.get("/coach/").status_code == 200

    second = Client()
    second.post(reverse("account_login"), {"login": coach.email, "password": PASSWORD})
    replay = second.post(reverse("mfa_authenticate"), {"code": code})
    assert replay.status_code == 200  # the form again, with an error
    assert second.get("/coach/")["Location"].startswith("/coach/login/")


def test_the_coach_admin_signs_in_through_allauth(client: Client) -> None:
    response = client.get("/coach/login/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_coachs_login_is_locked_after_five_failures(client: Client) -> None:
    coach = new_coach()
    for _ in range(5):
        client.post(reverse("account_login"), {"login": coach.email, "password": "wrong"})

    locked = client.post(reverse("account_login"), {"login": coach.email, "password": PASSWORD})

    assert "Zu viele gescheiterte Anmeldeversuche" in locked.text
    assert client.get("/coach/")["Location"].startswith("/coach/login/")


def test_sign_ins_and_second_factors_are_logged_by_id_only(caplog: pytest.LogCaptureFixture) -> None:
    coach = new_coach()
    enrol_totp(coach)
    client = Client()
    with caplog.at_level("INFO", logger="netzwerk.security"):
        client.post(reverse("account_login"), {"login": coach.email, "password": "wrong"})
        client.post(reverse("account_login"), {"login": coach.email, "password": PASSWORD})
        client.post(reverse("mfa_authenticate"), {"code": "000000"})
        client.post(reverse("mfa_authenticate"), {"code": current_code()})

    messages = [record.getMessage() for record in caplog.records if record.name == "netzwerk.security"]
    assert messages == [
        "sign-in failed",
        f"second factor failed user={coach.pk}",
        f"sign-in user={coach.pk}",
    ]
    everything = "\n".join(record.getMessage() for record in caplog.records)
    assert coach.email not in everything
    assert "Cora" not in everything


def test_the_totp_secret_is_stored_encrypted_and_survives_a_key_rotation(settings: Any) -> None:
    coach = new_coach()
    enrol_totp(coach)
    stored = Authenticator.objects.get(user=coach).data["secret"]

    assert TOTP_SECRET not in stored
    assert TOTP(Authenticator.objects.get(user=coach)).validate_code(current_code())
    # the secret key rotated, the old one kept as a fallback: the secret still reads
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-for-the-rotation-test-0123456789abcdef"
    assert get_adapter().decrypt(stored) == TOTP_SECRET
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(InvalidToken):
        get_adapter().decrypt(stored)


def test_an_htmx_request_is_sent_to_the_set_up_as_a_whole_page() -> None:
    client = Client()
    client.force_login(new_coach())

    response = client.post("/today/", HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("mfa_index")


@pytest.mark.parametrize("login", ["/admin/login/", "/coach/login/"])
def test_the_admin_login_pages_sign_no_one_in(login: str) -> None:
    """Django's admin login would take a password alone, past the second factor and the rate
    limits: a signed-in coach could sign in as the superuser there."""
    superuser = UserFactory(is_staff=True, is_superuser=True, totp=True)
    coach = new_coach()
    enrol_totp(coach)
    as_coach, anonymous = Client(), Client()
    sign_in(as_coach, coach)
    credentials = {"username": superuser.email, "password": PASSWORD}

    refused = as_coach.post(login, credentials)
    sent_away = anonymous.post(login, credentials)

    assert refused.status_code in {302, 403}
    assert int(as_coach.session["_auth_user_id"]) == coach.pk
    assert sent_away.status_code == 302
    assert sent_away["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in anonymous.session


def test_a_secret_stored_in_plain_text_still_signs_in_and_the_command_encrypts_it() -> None:
    coach = new_coach()
    Authenticator.objects.create(user=coach, type=Authenticator.Type.TOTP, data={"secret": TOTP_SECRET})
    client = Client()
    client.post(reverse("account_login"), {"login": coach.email, "password": PASSWORD})
    assert client.post(reverse("mfa_authenticate"), {"code": current_code()}).status_code == 302

    call_command("encrypt_mfa_secrets", stdout=StringIO())

    stored = Authenticator.objects.get(user=coach).data["secret"]
    assert stored != TOTP_SECRET
    assert get_adapter().decrypt(stored) == TOTP_SECRET


def test_after_a_key_rotation_the_command_lets_the_old_key_go(settings: Any) -> None:
    coach = new_coach()
    enrol_totp(coach)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-for-the-rotation-test-0123456789abcdef"

    call_command("encrypt_mfa_secrets", stdout=StringIO())
    settings.SECRET_KEY_FALLBACKS = []

    assert get_adapter().decrypt(Authenticator.objects.get(user=coach).data["secret"]) == TOTP_SECRET


@pytest.mark.parametrize("site", ["/admin/", "/coach/"])
def test_the_admin_sites_change_passwords_through_allauth(site: str) -> None:
    coach = new_coach()
    enrol_totp(coach)
    coach.is_superuser = True
    coach.save(update_fields=["is_superuser"])
    client = Client()
    sign_in(client, coach)

    response = client.post(
        f"{site}password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "ein-neues-Passwort-2026",
            "new_password2": "ein-neues-Passwort-2026",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("account_change_password")
    coach.refresh_from_db()
    assert coach.check_password(PASSWORD)
