"""Coaches and staff need a second factor passed in *this* session, not only one enrolled on the
account: a session that signed in with a password alone is sent to the second-factor step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse

from netzwerk.accounts.coaching import make_coach
from netzwerk.accounts.models import AccessLog, User
from tests.coaching.test_mfa import current_code
from tests.factories import PASSWORD, UserFactory, enrol_totp, link_coach

pytestmark = pytest.mark.django_db

START = datetime(2026, 12, 1, 9, 0, 0, tzinfo=UTC)


def password_only(user: User) -> Client:
    """A session signed in through the form with the password; no second factor is asked for
    while none is enrolled."""
    browser = Client()
    response = browser.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response["Location"] == reverse("reminders:today")
    return browser


def enrol_in_another_session(user: User) -> tuple[Client, str]:
    """TOTP enrolled the way a user does it, in a session of its own. The test needs real
    commits: allauth announces the new factor after its transaction commits, within the request."""
    browser = password_only(user)
    browser.post(reverse("account_reauthenticate"), {"password": PASSWORD})  # allauth asks before enrolling
    secret = browser.get(reverse("mfa_activate_totp")).context["form"].secret
    browser.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    return browser, secret


def step(back: str) -> str:
    return f"{reverse('mfa_reauthenticate')}?{urlencode({'next': back})}"


@pytest.fixture
def coach_and_client() -> tuple[User, User]:
    client = UserFactory(first_name="Klara", last_name="Klientin")
    coach = UserFactory(first_name="Cora")
    make_coach(coach)
    link_coach(client, coach)
    return coach, client


@pytest.mark.django_db(transaction=True)
def test_a_password_only_session_gets_no_coach_data_after_a_factor_is_enrolled_elsewhere(
    coach_and_client: tuple[User, User],
) -> None:
    coach, client = coach_and_client
    pages = ["/coach/", reverse("coach:client", kwargs={"client_id": client.pk})]
    with time_machine.travel(START, tick=False) as traveller:
        first = password_only(coach)
        second, secret = enrol_in_another_session(coach)

        assert second.get("/coach/").status_code == 200  # enrolling passed the second factor there
        logged = AccessLog.objects.count()
        for page in pages:
            response = first.get(page)
            assert response.status_code == 302, page
            assert response["Location"] == step(page)
        assert AccessLog.objects.count() == logged  # no coach read happened in the first session

        traveller.shift(timedelta(seconds=30))  # a fresh code: each code signs in once
        assert first.get(step(pages[1])).status_code == 200
        passed = first.post(step(pages[1]), {"code": current_code(secret)})
        assert passed.status_code == 302
        assert passed["Location"] == pages[1]
        for page in pages:
            response = first.get(page)
            assert response.status_code == 200, page
            assert "Klara" in response.text


def test_a_wrong_code_at_the_step_opens_nothing(coach_and_client: tuple[User, User]) -> None:
    coach, _client = coach_and_client
    first = password_only(coach)
    enrol_totp(coach)

    refused = first.post(step("/coach/"), {"code": "000000"})

    assert refused.status_code == 200  # the form again, with its error
    assert first.get("/coach/")["Location"] == step("/coach/")


@pytest.mark.django_db(transaction=True)
def test_staff_need_the_second_factor_in_this_session_for_the_admin() -> None:
    staff = UserFactory(is_staff=True, is_superuser=True)
    pages = ["/admin/", "/admin/contacts/contact/", "/today/"]
    with time_machine.travel(START, tick=False) as traveller:
        first = password_only(staff)
        _second, secret = enrol_in_another_session(staff)

        for page in pages:
            assert first.get(page)["Location"] == step(page), page

        traveller.shift(timedelta(seconds=30))
        first.post(step("/admin/"), {"code": current_code(secret)})
        assert [first.get(page).status_code for page in pages] == [200, 200, 200]


def test_a_coach_without_a_factor_is_still_sent_to_enrol(coach_and_client: tuple[User, User]) -> None:
    coach, _client = coach_and_client

    assert password_only(coach).get("/coach/")["Location"] == reverse("mfa_index")


def test_signing_in_with_the_code_needs_no_second_step(coach_and_client: tuple[User, User]) -> None:
    coach, _client = coach_and_client
    enrol_totp(coach)
    browser = Client()
    browser.post(reverse("account_login"), {"login": coach.email, "password": PASSWORD})

    browser.post(reverse("mfa_authenticate"), {"code": current_code()})

    assert browser.get("/coach/").status_code == 200


def test_an_htmx_request_is_sent_to_the_step_as_a_whole_page_and_back_to_the_page(
    coach_and_client: tuple[User, User],
) -> None:
    coach, _client = coach_and_client
    first = password_only(coach)
    enrol_totp(coach)

    response = first.get(
        "/contacts/", HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="http://testserver/today/?x=1"
    )

    assert response.status_code == 200
    assert response["HX-Redirect"] == step("/today/?x=1")


def test_a_coach_with_a_security_key_only_is_sent_to_the_key(coach_and_client: tuple[User, User]) -> None:
    coach, _client = coach_and_client
    first = password_only(coach)
    Authenticator.objects.create(user=coach, type=Authenticator.Type.WEBAUTHN, data={"name": "Key"})

    response = first.get("/coach/")

    assert response["Location"] == (
        f"{reverse('mfa_reauthenticate_webauthn')}?{urlencode({'next': '/coach/'})}"
    )


def test_at_the_step_staff_are_offered_their_factors_only(coach_and_client: tuple[User, User]) -> None:
    """A password or an e-mailed code would only lead back to the step."""
    coach, client = coach_and_client
    first = password_only(coach)
    enrol_totp(coach)
    Authenticator.objects.create(user=coach, type=Authenticator.Type.WEBAUTHN, data={"name": "Key"})

    page = first.get(step("/coach/"))
    by_password = first.get(f"{reverse('account_reauthenticate')}?next=/coach/")

    assert page.status_code == 200
    assert reverse("mfa_reauthenticate_webauthn") in page.text  # the security key, the alternative
    assert reverse("account_reauthenticate") not in page.text
    assert reverse("account_request_reauthentication_code") not in page.text
    assert by_password["Location"] == step("/coach/")
    # a user who is not staff keeps the password among the ways to confirm
    enrol_totp(client)
    as_client = Client()
    as_client.post(reverse("account_login"), {"login": client.email, "password": PASSWORD})
    as_client.post(reverse("mfa_authenticate"), {"code": current_code()})
    assert reverse("account_reauthenticate") in as_client.get(step("/today/")).text


def test_the_step_speaks_german_with_du(coach_and_client: tuple[User, User]) -> None:
    coach, _client = coach_and_client
    User.objects.filter(pk=coach.pk).update(language="de")
    first = password_only(coach)
    enrol_totp(coach)

    page = first.get("/coach/", follow=True)

    assert page.redirect_chain == [(step("/coach/"), 302)]
    assert "Coaches und Mitarbeitende bestätigen jede Anmeldung mit ihrem zweiten Faktor" in page.text
    assert "Authenticator-App" in page.text
    for formal in (" Sie ", " Ihr ", " Ihre "):
        assert formal not in page.text
