"""One form of address: allauth's pages and every e-mail it sends say "du" in German, and sign off
as Netzwerk, not with the host name."""

from __future__ import annotations

import re
from pathlib import Path

import allauth
import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import translation

from netzwerk.accounts.models import User
from tests.accounts.test_accounts import SIGNUP, confirmation_link

# The formal address, as it shows in German text: the capitalised possessives and "Ihnen"
# (never at a sentence start in our texts, so never "ihr" the plural), and "Sie" next to the verbs
# allauth's German uses it with. A lower-case "sie" (she, they) is left alone.
FORMAL = re.compile(
    r"\b(Ihr|Ihre|Ihren|Ihrem|Ihrer|Ihres|Ihnen)\b"
    r"|\b(gehen|klicken|können|haben|erhalten|geben|verwenden|bestätigen|melden|sind|scannen|speichern"
    r"|authentifizieren|bitte|Bitte|Sind) Sie\b"
    r"|\bSie (erhalten|haben|können|sind|sich|diese[mn]?)\b"
)
ALLAUTH_TEMPLATES = Path(allauth.__file__).parent / "templates"
EMAILS = sorted(
    str(path.relative_to(ALLAUTH_TEMPLATES))
    for folder in ("account/email", "mfa/email")
    for path in (ALLAUTH_TEMPLATES / folder).glob("*.txt")
    if not path.name.startswith("base_")
)
CONTEXT = {
    "user": None,
    "email": "tester@example.org",
    "activate_url": "https://netzwerk.example/accounts/confirm-email/key/",
    "password_reset_url": "https://netzwerk.example/accounts/password/reset/key/",
    "signup_url": "https://netzwerk.example/accounts/signup/",
    "code": "ABC123",
    "from_email": "alt@example.org",
    "to_email": "neu@example.org",
    "deleted_email": "alt@example.org",
    "ip": "192.0.2.1",
    "user_agent": "Firefox",
    "timestamp": "6. Dezember 2026",
    "current_site": {"name": "127.0.0.1:8765", "domain": "127.0.0.1:8765"},
}


def formal(text: str) -> list[str]:
    return [match.group(0) for match in FORMAL.finditer(text)]


def test_the_list_catches_what_the_tester_found() -> None:
    found = "Sie erhalten diese E-Mail, weil Benutzer x Ihre E-Mail-Adresse angegeben hat … gehen Sie zu"

    assert formal(found) == ["Sie erhalten", "Ihre", "gehen Sie"]
    assert formal("Sie hat dich gefragt, ob sie kommen. Bestätige deine Adresse.") == []


@pytest.mark.parametrize("template", EMAILS)
def test_every_allauth_email_says_du_in_german(template: str) -> None:
    with translation.override("de"):
        text = render_to_string(template, CONTEXT)

    assert text.strip()
    assert formal(text) == [], text
    assert "127.0.0.1" not in text
    assert "Hello" not in text  # German, not the English fallback
    assert "Thank you" not in text


@pytest.mark.django_db
def test_the_signup_email_and_confirm_page_say_du_and_sign_off_as_netzwerk(client: Client) -> None:
    client.post(reverse("account_signup"), SIGNUP, HTTP_ACCEPT_LANGUAGE="de")
    [message] = mail.outbox
    page = client.get(confirmation_link(message), HTTP_ACCEPT_LANGUAGE="de").content.decode()

    assert formal(str(message.subject) + str(message.body)) == []
    assert "Danke, dass du Netzwerk nutzt!" in str(message.body)
    assert "testserver" not in re.sub(r"https?://\S+", "", str(message.body))  # only in the link
    assert f"Bestätige, dass {SIGNUP['email']} deine E-Mail-Adresse ist." in page
    assert formal(page) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["account_login", "account_signup", "account_reset_password", "account_reset_password_done"]
)
def test_allauths_entrance_pages_say_du(client: Client, name: str) -> None:
    page = client.get(reverse(name), HTTP_ACCEPT_LANGUAGE="de")

    assert page.status_code == 200
    assert formal(page.content.decode()) == []


@pytest.mark.parametrize(
    "name",
    [
        "account_reauthenticate",
        "account_change_password",
        "account_email",
        "mfa_index",
        "mfa_activate_totp",
        "mfa_add_webauthn",
        "mfa_list_webauthn",
    ],
)
def test_allauths_account_pages_say_du(owner_client: Client, owner: User, name: str) -> None:
    owner.language = "de"
    owner.save()

    page = owner_client.get(reverse(name), follow=True)

    assert page.status_code == 200
    assert '<html lang="de">' in page.content.decode()
    assert formal(page.content.decode()) == []


def test_the_password_reset_email_says_du(client: Client, owner: User) -> None:
    client.post(reverse("account_reset_password"), {"email": owner.email}, HTTP_ACCEPT_LANGUAGE="de")
    [message] = mail.outbox

    assert "Passwort" in str(message.body)
    assert formal(str(message.subject) + str(message.body)) == []
