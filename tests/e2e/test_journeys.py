"""A new user's first minutes: sign up, verify, create a contact, promote it, watch the gauge."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from contacts.choices import Circle
from contacts.models import Contact
from netzwerk.accounts.models import User
from tests.e2e.conftest import go_by_menu
from touchpoints import ledger
from touchpoints.kinds import Kind

PASSWORD = "ein-langes-Passwort-2026"


def sign_up_and_verify(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/signup/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))

    (message,) = [m for m in mail.outbox if email in m.to]
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", str(message.body))
    assert link, message.body
    page.goto(base + link.group(1))
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/today/$"))


def test_a_new_user_signs_up_creates_a_contact_and_promotes_it(page: Any, live_server: Any) -> None:
    base = live_server.url
    email = f"neu-{page.viewport_size['width']}@netzwerk.test"

    sign_up_and_verify(page, base, email)
    page.click("header form.logout button[type=submit]")
    page.wait_for_url(re.compile(r"/accounts/login/$|/$"))
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/today/$"))  # the home page after login
    assert page.locator("html").get_attribute("lang") == "de"
    expect(page.locator("[data-testid=today-start]")).to_be_visible()  # how to start, not "0 / 60"
    assert page.locator("[data-testid=roster-count]").count() == 0
    assert page.locator("[data-testid=today-start]").is_visible()  # no contact yet: how to start
    go_by_menu(page, "/contacts/")
    page.wait_for_url(re.compile(r"/contacts/$"))

    page.click("a[href='/contacts/new/']")
    page.fill("input[name=first_name]", "Jürgen")
    page.fill("input[name=last_name]", "Weiß")
    page.fill("input[name=company]", "Beispiel GmbH")
    page.fill("input[name='emails-0-address']", "juergen@beispiel.example")
    page.fill("input[name='phones-0-number']", "0171 2345678")
    page.select_option("select[name=stage]", "met")  # only someone met in person is a strong tie
    page.click("#contact-form button[type=submit]")
    page.wait_for_url(re.compile(r"/contacts/\d+/$"))
    assert "Jürgen Weiß" in page.inner_text("h1")
    assert "+49 171 2345678" in page.inner_text("main")

    # A marker on window survives only if the page is not reloaded.
    page.evaluate("window.__noReload = true")
    page.click("#main .roster-control button[type=submit]")
    expect(page.locator("[data-testid=roster-count]")).to_have_text("1 / 60")
    assert page.evaluate("window.__noReload") is True

    contact = Contact.objects.get(owner=User.objects.get(email=email))
    assert contact.circle == Circle.STRONG


def test_inline_errors_keep_the_input_without_a_reload(page: Any, live_server: Any) -> None:
    base = live_server.url
    sign_up_and_verify(page, base, f"fehler-{page.viewport_size['width']}@netzwerk.test")

    page.goto(f"{base}/contacts/new/")
    page.evaluate("window.__noReload = true")
    page.fill("input[name=company]", "Ohne Namen GmbH")
    page.fill("input[name='phones-0-number']", "keine nummer")
    page.click("#contact-form button[type=submit]")
    page.wait_for_selector("#contact-form .errorlist")

    assert page.evaluate("window.__noReload") is True
    assert page.input_value("input[name=company]") == "Ohne Namen GmbH"
    assert page.locator("#contact-form .field.has-error").count() >= 2
    assert not Contact.objects.exists()


def test_the_list_searches_as_you_type(page: Any, live_server: Any) -> None:
    base = live_server.url
    email = f"suche-{page.viewport_size['width']}@netzwerk.test"
    sign_up_and_verify(page, base, email)
    owner = User.objects.get(email=email)
    Contact.objects.create(owner=owner, first_name="Petra", last_name="Klein", company="Musterbau AG")
    Contact.objects.create(owner=owner, first_name="Jürgen", last_name="Weiß")

    page.goto(f"{base}/contacts/")
    page.fill("input[name=q]", "muster")
    expect(page.locator("#contact-results")).not_to_contain_text("Jürgen")

    assert "Petra Klein" in page.inner_text("#contact-results")
    assert "q=muster" in page.url


def test_pages_fit_a_phone_screen(page: Any, live_server: Any) -> None:
    base = live_server.url
    email = f"breite-{page.viewport_size['width']}@netzwerk.test"
    sign_up_and_verify(page, base, email)
    owner = User.objects.get(email=email)
    contact = Contact.objects.create(
        owner=owner,
        first_name="Maximiliane",
        last_name="Schwarzenberg-Oberhausen",
        company="Sehr Lange Firmenbezeichnung GmbH & Co. KG",
    )
    # Touches give the strength breakdown its long explanations, and the page a stage history.
    for days, kind in ((40, Kind.MEETING), (12, Kind.EMAIL)):
        ledger.log_touch(
            contact, kind=kind, happened_at=timezone.now() - timedelta(days=days), exchange="give"
        )

    for path in [
        "/contacts/",
        "/contacts/new/",
        f"/contacts/{contact.pk}/",
        "/contacts/roster/",
        "/settings/",
        "/settings/privacy/",
        "/contacts/organisations/",
        "/touches/",
        "/touches/record/",
        f"/touches/contact/{contact.pk}/",
        "/today/",
        "/today/review/",
    ]:
        page.goto(base + path)
        page.wait_for_load_state("networkidle")  # the lazy parts too
        for summary in page.locator("main details > summary").all():  # and every folded part opened
            if summary.is_visible():  # (the list's filters fold only on a phone)
                summary.click()
        expect(page.locator("main .more-form")).to_have_count(0)  # a fold's form has come (touches)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
