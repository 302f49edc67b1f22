"""A client invites a coach, the coach accepts and enrols TOTP, sees the overview; the client
ends it and the coach's next request is refused."""

from __future__ import annotations

import re
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from contacts.choices import ProspectStatus
from contacts.models import Contact
from netzwerk.accounts.coaching import make_coach
from netzwerk.accounts.models import CoachLink, Sharing, User
from tests.e2e.conftest import LAPTOP, log_in
from tests.factories import PASSWORD, ContactFactory, UserFactory, link_coach, sign_in, strong_ties


def totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(iter(yield_hotp_counters_from_time()))))


def test_a_client_invites_a_coach_who_enrols_totp_and_is_refused_after_revocation(
    page: Any, browser: Any, live_server: Any
) -> None:
    base = live_server.url
    width = page.viewport_size["width"]
    client = UserFactory(email=f"klientin-{width}@netzwerk.test", first_name="Klara", last_name="Klientin")
    strong_ties(client, 3)
    ContactFactory(owner=client, first_name="Geheimer", last_name="Kontakt")
    coach = UserFactory(email=f"coach-{width}@netzwerk.test", first_name="Cora", last_name="Coach")

    # the client invites the coach, sharing names
    log_in(page, base, client.email)
    page.goto(f"{base}/settings/coaching/")
    page.fill("#invite input[name=email]", coach.email)
    page.select_option("#invite select[name=sharing]", "names")
    page.click("#invite button[type=submit]")
    expect(page.locator("#sent")).to_contain_text(coach.email)

    # the coach accepts in a browser of their own
    context = browser.new_context(locale="de-DE", timezone_id="Europe/Berlin", **LAPTOP)
    coach_page = context.new_page()
    log_in(coach_page, base, coach.email)
    coach_page.goto(f"{base}/settings/coaching/")
    coach_page.click("#invitations form[action$='/accept/'] button")
    # a new coach sets up a second factor before anything else opens, the coach admin included
    coach_page.wait_for_url(re.compile(r"/accounts/2fa/$"))
    coach_page.goto(f"{base}/coach/")
    coach_page.wait_for_url(re.compile(r"/accounts/2fa/$"))
    coach_page.goto(f"{base}/accounts/2fa/totp/activate/")
    coach_page.wait_for_url(re.compile(r"/accounts/reauthenticate/"))
    coach_page.fill("input[name=password]", PASSWORD)
    coach_page.click("main form button[type=submit]")
    coach_page.wait_for_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    secret = coach_page.locator("#authenticator_secret").input_value()
    coach_page.fill("input[name=code]", totp_code(secret))
    coach_page.click("main form button[type=submit]")
    coach_page.wait_for_url(re.compile(r"/accounts/2fa/"))

    # the overview shows the client's roster; names are shared, so her contacts are listed
    coach_page.goto(f"{base}/coach/")
    overview = coach_page.locator("#client-overview")
    expect(overview).to_contain_text("Klara Klientin")
    expect(overview).to_contain_text("3 / 60")
    coach_page.goto(f"{base}/coach/contacts/contact/")
    expect(coach_page.locator("#result_list")).to_contain_text("Geheimer")
    contact = Contact.objects.get(first_name="Geheimer")
    contact_url = f"{base}/coach/contacts/contact/{contact.pk}/change/"
    assert coach_page.goto(contact_url).status == 200

    # the client ends it; the coach's very next request is refused
    page.goto(f"{base}/settings/coaching/")
    page.click("#coaches details summary")
    page.click("#coaches form[action$='/end/'] button.danger")
    expect(page.locator("#coaches")).not_to_contain_text("Cora Coach")
    assert CoachLink.objects.active().count() == 0

    response = coach_page.goto(contact_url)
    assert response.status == 404
    coach_page.goto(f"{base}/coach/")
    expect(coach_page.locator("#content-main")).not_to_contain_text("Klara Klientin")
    context.close()


def test_a_coach_enrols_a_security_key_instead_of_an_app(page: Any, live_server: Any, settings: Any) -> None:
    """WebAuthn through Chromium's virtual authenticator (browsers allow it on localhost)."""
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
    base = live_server.url.replace("127.0.0.1", "localhost")
    coach = UserFactory(email=f"schluessel-{page.viewport_size['width']}@netzwerk.test")
    make_coach(coach)
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )

    log_in(page, base, coach.email, landing=r"/accounts/2fa/$")
    page.goto(f"{base}/accounts/2fa/webauthn/add/")
    page.wait_for_url(re.compile(r"/accounts/reauthenticate/"))
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/accounts/2fa/webauthn/add/$"))
    page.fill("input[name=name]", "Schlüsselbund")
    page.click("#mfa_webauthn_add")
    page.wait_for_url(re.compile(r"/accounts/2fa/recovery-codes/"))

    assert Authenticator.objects.filter(user=coach, type=Authenticator.Type.WEBAUTHN).count() == 1
    assert page.goto(f"{base}/coach/").status == 200
    expect(page.locator("#content-main")).to_be_visible()


def signed_in_cookie(user: User, base: str) -> list[dict[str, str]]:
    """The session cookie of `user`, signed in without the sign-in form."""
    browser = Client()
    sign_in(browser, user)
    return [
        {
            "name": settings.SESSION_COOKIE_NAME,
            "value": browser.cookies[settings.SESSION_COOKIE_NAME].value,
            "url": base,
        }
    ]


def test_the_overview_fits_a_laptop_and_a_phone_without_clipping(page: Any, live_server: Any) -> None:
    """At 1280 px and on a 375 px phone: no cell wider than the table's box, nothing cut off."""
    width = page.viewport_size["width"]
    coach = UserFactory(email=f"breite-{width}@netzwerk.test", totp=True, language="de")
    make_coach(coach)
    for number in range(3):
        client = UserFactory(
            first_name="Maximiliane-Friederike", last_name=f"Mustermann-Lüdenscheid {number}"
        )
        strong_ties(client, 2)
        for _ in range(12):  # "12 Interessenten, 0 am Ziel": the longest cell of a real network
            ContactFactory(
                owner=client, prospect_status=ProspectStatus.PROSPECT, prospect_since=timezone.now()
            )
        link_coach(client, coach, sharing=Sharing.NAMES)
    page.context.add_cookies(signed_in_cookie(coach, live_server.url))
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))  # the admin links none

    page.goto(f"{live_server.url}/coach/")
    expect(page.locator("#client-overview")).to_contain_text("Maximiliane-Friederike")
    expect(page.locator("#client-overview")).to_contain_text("12 Interessenten")
    # the theme switch shows the icon of the theme chosen, not all three
    expect(page.locator(".theme-toggle svg:visible")).to_have_count(1)
    sizes = page.evaluate(
        """() => {
            const wrapper = document.querySelector('#client-overview').parentElement;
            const table = document.querySelector('#client-overview');
            const right = wrapper.getBoundingClientRect().right;
            const clipped = [...table.querySelectorAll('th, td')].filter(
                (cell) => cell.getBoundingClientRect().right > right + 1 || cell.scrollWidth > cell.clientWidth + 1
            ).map((cell) => cell.textContent.trim());
            return {table: table.scrollWidth, wrapper: wrapper.clientWidth,
                    page: document.documentElement.scrollWidth, clipped};
        }"""
    )

    assert sizes["table"] <= sizes["wrapper"], sizes
    assert sizes["page"] <= page.viewport_size["width"], sizes
    assert sizes["clipped"] == [], sizes
