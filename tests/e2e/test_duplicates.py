"""Duplicates in the browser, on a laptop and a 375 px phone: the candidate pairs with their
evidence, "Not the same person" swapping a pair out without a reload, and the warning when a
saved contact shares a phone number with another."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from contacts.models import Contact, DistinctPair
from tests.e2e.conftest import log_in, no_sideways_scroll
from tests.factories import ContactEmailFactory, ContactFactory, ContactPhoneFactory, UserFactory

pytestmark = pytest.mark.browser


def test_not_the_same_person_takes_the_pair_away(page: Any, live_server: Any) -> None:
    email = f"doppelt-{page.viewport_size['width']}@netzwerk.test"
    owner = UserFactory(email=email, language="de")
    anna = ContactFactory(owner=owner, first_name="Anna", last_name="Weiß", company="Beispiel GmbH")
    hanna = ContactFactory(owner=owner, first_name="Hanna", last_name="Weiß", company="Bauer & Söhne")
    ContactEmailFactory(contact=anna, address="anna.weiss@beispiel-und-partner-maschinenbau.example")
    ContactEmailFactory(contact=hanna, address="Anna.Weiss@beispiel-und-partner-maschinenbau.example")
    ContactFactory(owner=owner, first_name="Jörg", last_name="Schröder", company="Müller GmbH")
    ContactFactory(owner=owner, first_name="Joerg", last_name="Schroeder", company="Mueller GmbH")
    log_in(page, live_server.url, email)

    page.goto(f"{live_server.url}/contacts/")
    page.click("[data-testid=duplicates-link]")
    page.wait_for_url(re.compile(r"/import/duplicates/$"))
    pairs = page.locator("[data-testid=pair]")
    expect(pairs).to_have_count(2)
    expect(pairs.first).to_contain_text("Sicher")
    expect(pairs.first).to_contain_text("Gleiche E-Mail-Adresse")
    expect(pairs.nth(1)).to_contain_text("Gleicher Name und gleiches Unternehmen")
    no_sideways_scroll(page)

    page.evaluate("window.__noReload = true")
    pairs.first.get_by_role("button", name="Nicht dieselbe Person").click()

    expect(pairs).to_have_count(1)
    expect(page.locator("#messages")).to_contain_text("Anna Weiß und Hanna Weiß bleiben getrennt.")
    expect(page.locator("[data-testid=pair-count]")).to_contain_text("1 Paar von Kontakten")
    assert page.evaluate("window.__noReload") is True
    assert DistinctPair.objects.filter(owner=owner, first=anna, second=hanna).exists()
    page.reload()
    expect(pairs).to_have_count(1)
    expect(pairs.first).to_contain_text("Jörg Schröder")


def test_saving_a_contact_with_another_contacts_phone_warns(page: Any, live_server: Any) -> None:
    email = f"warnung-{page.viewport_size['width']}@netzwerk.test"
    owner = UserFactory(email=email, language="de")
    other = ContactFactory(owner=owner, first_name="Georg", last_name="Bauer")
    ContactPhoneFactory(contact=other, number="+491712345678")
    log_in(page, live_server.url, email)

    page.goto(f"{live_server.url}/contacts/new/")
    page.fill("input[name=first_name]", "Jürgen")
    page.fill("input[name=last_name]", "Bauer")
    page.fill("input[name='phones-0-number']", "0171 234 56 78")
    page.click("#contact-form button[type=submit]")
    page.wait_for_url(re.compile(r"/contacts/\d+/$"))

    warning = page.locator("#messages .flash-warning")
    expect(warning).to_contain_text("Vielleicht dieselbe Person: Georg Bauer")
    expect(warning).to_contain_text("+49 171 2345678")
    no_sideways_scroll(page)
    warning.get_by_role("link", name="Georg Bauer").click()
    page.wait_for_url(re.compile(rf"/contacts/{other.pk}/$"))
    assert Contact.objects.filter(owner=owner, last_name="Bauer").count() == 2
