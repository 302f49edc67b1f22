from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.csp import CSP

from netzwerk.accounts.models import User
from tests.factories import PASSWORD, UserFactory

SIGNUP = {
    "email": "neu@netzwerk.test",
    "password1": "ein-langes-Passwort-2026",
    "password2": "ein-langes-Passwort-2026",
}


def confirmation_link(message: mail.EmailMessage) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", str(message.body))
    assert match, message.body
    return match.group(1)


@pytest.mark.django_db
def test_signup_requires_email_verification_before_login(client: Client) -> None:
    response = client.post(reverse("account_signup"), SIGNUP)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert client.get(reverse("contacts:list")).status_code == 302
    login = client.post(reverse("account_login"), {"login": SIGNUP["email"], "password": SIGNUP["password1"]})
    assert login["Location"] == reverse("account_email_verification_sent")
    assert len(mail.outbox) == 1  # allauth sends the confirmation once per 3 minutes


@pytest.mark.django_db
def test_the_confirmation_link_verifies_and_logs_in(client: Client) -> None:
    client.post(reverse("account_signup"), SIGNUP)
    link = confirmation_link(mail.outbox[0])

    confirm_page = client.get(link)
    assert confirm_page.status_code == 200
    assert not EmailAddress.objects.get(email=SIGNUP["email"]).verified  # GET only asks

    response = client.post(link)

    assert EmailAddress.objects.get(email=SIGNUP["email"]).verified
    assert client.get(response["Location"], follow=True).status_code == 200
    assert client.get(reverse("contacts:list")).status_code == 200


@pytest.mark.django_db
def test_a_new_account_starts_in_the_signup_language_with_berlin_time(client: Client) -> None:
    client.post(reverse("account_signup"), SIGNUP, HTTP_ACCEPT_LANGUAGE="en")

    user = User.objects.get(email=SIGNUP["email"])
    assert (user.language, user.time_zone, user.strong_tie_cap) == ("en", "Europe/Berlin", 60)
    assert (user.digest_frequency, user.digest_hour) == ("daily", 7)


@pytest.mark.django_db
def test_the_interface_is_german_by_default(client: Client) -> None:
    body = client.get(reverse("account_login")).content.decode()

    assert '<html lang="de">' in body
    assert "Anmelden" in body  # the verb on the button, not allauth's noun
    assert "Anmeldung" not in body


def test_a_user_sees_their_own_language(owner_client: Client, owner) -> None:
    owner.language = "en"
    owner.save()

    body = owner_client.get(reverse("contacts:list")).content.decode()

    assert '<html lang="en">' in body
    assert "Contacts" in body


def test_the_language_switch_saves_the_users_choice(owner_client: Client, owner) -> None:
    owner_client.post(reverse("set_language"), {"language": "en", "next": "/contacts/"})

    owner.refresh_from_db()
    assert owner.language == "en"


@pytest.mark.django_db
def test_visitors_can_switch_the_language(client: Client) -> None:
    response = client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})

    assert response.status_code == 302
    assert "Sign In" in client.get(reverse("account_login")).content.decode()


METHOD_DEFAULTS = {
    "online_window_days": "14",
    "prospect_target": "7",
    "prospect_interval_days": "10",
    "cadence_strong_ideal": "30",
    "cadence_strong_max": "45",
    "cadence_regular_ideal": "90",
    "cadence_regular_max": "120",
    "cadence_loose_ideal": "180",
    "cadence_loose_max": "365",
    "birthday_gift_days": "10",
    "birthday_card_days": "5",
    "birthday_call_days": "0",
}


def preferences(**fields: str) -> dict[str, str]:
    """A whole settings form as the page posts it: the user's profile and the method's defaults."""
    return {
        "first_name": "Alice",
        "language": "en",
        "time_zone": "Europe/Berlin",
        "digest_frequency": "daily",
        "digest_hour": "7",
        **METHOD_DEFAULTS,
        **fields,
    }


def test_the_preferences_are_saved_and_validated(owner_client: Client, owner) -> None:
    url = reverse("accounts:preferences")
    data = {
        **METHOD_DEFAULTS,
        "first_name": "Alice",
        "last_name": "Muster",
        "language": "de",
        "digest_frequency": "weekly",
    }

    bad = owner_client.post(url, {**data, "time_zone": "Mars/Olympus", "digest_hour": "7"})
    good = owner_client.post(url, {**data, "time_zone": "Europe/Vienna", "digest_hour": "6"})

    assert bad.status_code == 200
    assert good.status_code == 302
    owner.refresh_from_db()
    assert (owner.time_zone, owner.digest_frequency, owner.digest_hour) == ("Europe/Vienna", "weekly", 6)


def test_the_preferences_cannot_raise_the_cap(owner_client: Client, owner) -> None:
    response = owner_client.post(reverse("accounts:preferences"), preferences(strong_tie_cap="99"))

    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.strong_tie_cap == 60


def test_the_user_sets_the_methods_rules(owner_client: Client, owner) -> None:
    page = owner_client.get(reverse("accounts:preferences")).content.decode()
    assert 'name="online_window_days" value="14"' in page
    assert 'name="cadence_loose_max" value="365"' in page

    response = owner_client.post(
        reverse("accounts:preferences"),
        preferences(
            online_window_days="7", prospect_target="5", cadence_strong_ideal="21", cadence_strong_max="30"
        ),
    )

    assert response.status_code == 302
    owner.refresh_from_db()
    assert (owner.online_window_days, owner.prospect_target) == (7, 5)
    assert owner.cadence("strong") == (21, 30)


def test_the_user_sets_the_birthday_lead_times(owner_client: Client, owner) -> None:
    page = owner_client.get(reverse("accounts:preferences")).content.decode()
    assert 'name="birthday_gift_days" value="10"' in page

    response = owner_client.post(
        reverse("accounts:preferences"),
        preferences(birthday_gift_days="14", birthday_card_days="7", birthday_call_days="1"),
    )

    assert response.status_code == 302
    owner.refresh_from_db()
    assert (owner.birthday_gift_days, owner.birthday_card_days, owner.birthday_call_days) == (14, 7, 1)


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"cadence_regular_ideal": "120", "cadence_regular_max": "120"}, "longer than the ideal one"),
        ({"cadence_loose_max": "731"}, "less than or equal to 730"),
        ({"online_window_days": "0"}, "greater than or equal to 1"),
        ({"prospect_target": ""}, "This field is required."),
        ({"birthday_gift_days": "61"}, "less than or equal to 60"),
    ],
)
def test_the_methods_rules_are_validated(
    owner_client: Client, owner, fields: dict[str, str], error: str
) -> None:
    response = owner_client.post(reverse("accounts:preferences"), preferences(**fields))

    assert response.status_code == 200
    assert error in response.content.decode()
    owner.refresh_from_db()
    assert (owner.online_window_days, owner.prospect_target, owner.cadence("regular")) == (14, 7, (90, 120))


@pytest.mark.django_db
def test_the_database_keeps_the_cap_between_40_and_60() -> None:
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        UserFactory(strong_tie_cap=61)


@pytest.mark.django_db
def test_login_with_the_right_password_reaches_the_contacts(client: Client) -> None:
    user = UserFactory()

    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})

    assert response.status_code == 302
    assert client.get(reverse("contacts:list")).status_code == 200


@pytest.mark.django_db
def test_password_reset_does_not_reveal_whether_an_account_exists(client: Client) -> None:
    UserFactory(email="bekannt@netzwerk.test")

    known = client.post(reverse("account_reset_password"), {"email": "bekannt@netzwerk.test"})
    unknown = client.post(reverse("account_reset_password"), {"email": "unbekannt@netzwerk.test"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


def test_production_hashes_passwords_with_argon2() -> None:
    from netzwerk import settings as production

    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_every_page_carries_a_nonce_csp(owner_client: Client) -> None:
    first = owner_client.get(reverse("contacts:list"))
    second = owner_client.get(reverse("contacts:list"))

    policy = first["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy)
    assert nonce
    assert "object-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert nonce.group(1) not in second["Content-Security-Policy"]
    scripts = re.findall(r"<script[^>]*>", first.content.decode())
    assert scripts
    assert all(f'nonce="{nonce.group(1)}"' in tag for tag in scripts)
    assert "style=" not in first.content.decode()
    assert settings.SECURE_CSP["script-src"] == [CSP.SELF, CSP.NONCE]


def test_a_user_changes_their_password_and_keeps_the_session(owner_client: Client, owner) -> None:
    response = owner_client.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "ein-neues-Passwort-2026",
            "password2": "ein-neues-Passwort-2026",
        },
    )

    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password("ein-neues-Passwort-2026")
    assert owner_client.get(reverse("contacts:list")).status_code == 200


@pytest.mark.django_db
def test_the_reset_link_sets_a_new_password(client: Client) -> None:
    user = UserFactory(email="vergesslich@netzwerk.test")
    client.post(reverse("account_reset_password"), {"email": user.email})
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/[^\s]+/)", str(mail.outbox[-1].body))
    assert link

    form_page = client.get(link.group(1), follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else link.group(1),
        {"password1": "ein-neues-Passwort-2026", "password2": "ein-neues-Passwort-2026"},
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("ein-neues-Passwort-2026")


def test_a_refused_setting_is_named_at_the_top_with_a_link_to_its_field(owner_client: Client) -> None:
    """The method's numbers sit below the long list of time zones: the errors are summed up
    where the page opens."""
    response = owner_client.post(reverse("accounts:preferences"), preferences(online_window_days="99999"))

    body = response.content.decode()
    summary = body.split('data-testid="error-summary"', 1)[1].split("</div>", 1)[0]
    assert 'href="#id_online_window_days"' in summary
    assert body.index('data-testid="error-summary"') < body.index('name="time_zone"')


@pytest.mark.django_db
def test_the_page_after_sign_up_shows_a_way_on_when_no_mail_comes(client: Client) -> None:
    body = client.get(reverse("account_email_verification_sent")).content.decode()

    assert "Sieh in deinem Spam-Ordner nach" in body
    assert f'href="{reverse("account_login")}"' in body
    assert "Bescheid" not in body  # allauth's "let us know", with no way to


@pytest.mark.django_db
def test_the_page_after_asking_for_a_new_password_says_du_and_promises_no_contact(client: Client) -> None:
    german = client.get(reverse("account_reset_password_done"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    english = client.get(reverse("account_reset_password_done"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Wir haben dir eine E-Mail geschickt." in german
    assert "Dir " not in german
    assert "Bescheid" not in german  # allauth's "let us know", with no way to
    assert "Spam-Ordner" in german
    assert "spam folder" in english
    assert "contact us" not in english
