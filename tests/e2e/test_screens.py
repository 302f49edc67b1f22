"""The screens on a phone (375 × 740) and a laptop (1280 × 900): the menu, the list's filters, the
log form on the contact page, no sideways scrolling, and a new account's first steps."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.utils import timezone
from playwright.sync_api import expect

from contacts.choices import Channel, Circle, ProspectStatus, Stage
from contacts.models import Contact
from netzwerk.accounts.models import User
from tests.e2e.conftest import log_in
from tests.factories import ContactEmailFactory, ContactFactory, ContactPhoneFactory, UserFactory
from touchpoints import ledger
from touchpoints.kinds import Kind

PHONE_WIDTH = 375


def is_phone(page: Any) -> bool:
    return bool(page.viewport_size["width"] <= PHONE_WIDTH)


def owner_with_a_busy_contact(email: str) -> tuple[User, Contact]:
    """A prospect known only online, overdue, with a long name, a company and touches: the
    contact page's head at its fullest; and on Today, items with a phone and a long e-mail."""
    owner: User = UserFactory(email=email, language="de")
    now = timezone.now()
    contact = ContactFactory(
        owner=owner,
        first_name="Maximiliane",
        last_name="Schwarzenberg-Oberhausen",
        position="Leiterin Einkauf und Beschaffung",
        company="Sehr Lange Firmenbezeichnung GmbH & Co. KG",
        circle=Circle.REGULAR,
        stage=Stage.ONLINE,
        how_met=Channel.LINKEDIN,
        key_position=True,
        prospect_status=ProspectStatus.PROSPECT,
        prospect_since=now - timedelta(days=90),
    )
    ContactPhoneFactory(contact=contact, number="+491712345678")
    ContactEmailFactory(
        contact=contact, address="maximiliane.schwarzenberg-oberhausen@sehr-lange-firma.example"
    )
    for days in (80, 60):
        ledger.log_touch(contact, kind=Kind.EMAIL, happened_at=now - timedelta(days=days), exchange="give")
    Contact.objects.filter(pk=contact.pk).update(created_at=now - timedelta(days=100))
    return owner, contact


def overflow(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth"))


def test_the_menu_fits_one_line_or_opens_from_its_button(page: Any, live_server: Any) -> None:
    email = f"menue-{page.viewport_size['width']}@netzwerk.test"
    owner_with_a_busy_contact(email)
    log_in(page, live_server.url, email)
    links = page.locator("nav.mainnav a")
    hrefs = [link.get_attribute("href") for link in links.all()]
    assert "/contacts/" in hrefs
    assert "/settings/" in hrefs
    toggle = page.locator("header .menu-toggle > summary")

    if is_phone(page):
        expect(links.first).to_be_hidden()
        expect(toggle).to_be_visible()
        expect(toggle).to_have_accessible_name("Menü")
        toggle.focus()  # a keyboard opens it
        page.keyboard.press("Enter")
        for link in links.all():
            expect(link).to_be_visible()
            box = link.bounding_box()
            assert box["x"] >= 0
            assert box["x"] + box["width"] <= PHONE_WIDTH
        assert overflow(page) <= 0
        page.keyboard.press("Enter")  # and closes it again
        expect(links.first).to_be_hidden()
    else:
        expect(toggle).to_be_hidden()
        tops = {round(link.bounding_box()["y"]) for link in links.all()}
        assert len(tops) == 1, f"the menu takes {len(tops)} lines"

    if is_phone(page):
        toggle.click()
    page.click("nav.mainnav a[href='/contacts/']")
    page.wait_for_url(re.compile(r"/contacts/$"))
    expect(page.locator("nav.mainnav a[aria-current=page]")).to_have_attribute("href", "/contacts/")


def test_today_the_list_and_a_contact_page_do_not_scroll_sideways(page: Any, live_server: Any) -> None:
    email = f"quer-{page.viewport_size['width']}@netzwerk.test"
    _owner, contact = owner_with_a_busy_contact(email)
    log_in(page, live_server.url, email)
    assert page.locator("[data-testid=item] a[href^='mailto:']").count() >= 1

    for path in ["/today/", "/contacts/", "/contacts/?circle=regular", f"/contacts/{contact.pk}/"]:
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        assert overflow(page) <= 0, f"{path} scrolls sideways by {overflow(page)}px"


def test_the_filters_fold_away_on_a_phone_and_stay_open_while_one_is_set(page: Any, live_server: Any) -> None:
    email = f"filter-{page.viewport_size['width']}@netzwerk.test"
    owner_with_a_busy_contact(email)
    log_in(page, live_server.url, email)
    circle = page.locator("form.filters select[name=circle]")
    toggle = page.locator("form.filters .filters-toggle > summary")

    page.goto(f"{live_server.url}/contacts/")
    expect(page.locator("form.filters input[name=q]")).to_be_visible()  # the search stays in view
    if is_phone(page):
        expect(circle).to_be_hidden()
        toggle.click()
        expect(circle).to_be_visible()
        circle.select_option("regular")
        page.wait_for_url(re.compile(r"circle=regular"))
    else:
        expect(toggle).to_be_hidden()
        expect(circle).to_be_visible()

    page.goto(f"{live_server.url}/contacts/?circle=regular")
    expect(circle).to_be_visible()
    expect(circle).to_have_value("regular")


def test_the_contact_page_shows_the_log_form_on_the_first_screen(page: Any, live_server: Any) -> None:
    email = f"erster-{page.viewport_size['width']}@netzwerk.test"
    _owner, contact = owner_with_a_busy_contact(email)
    log_in(page, live_server.url, email)

    page.goto(f"{live_server.url}/contacts/{contact.pk}/")
    note = page.locator("#touches form.quick-touch input[name=note]")
    first_kind = page.locator("#touches form.quick-touch .kind-buttons button").first
    expect(note).to_be_visible()
    screen = page.viewport_size["height"]
    for part in (note, first_kind):
        box = part.bounding_box()
        assert box["y"] + box["height"] <= screen, f"{part} ends at {box['y'] + box['height']}px"
    # the rules panel is still on the page, below on a phone
    expect(page.locator("#contact-status [data-testid=prospect-progress]")).to_be_visible()
    assert overflow(page) <= 0


def test_a_new_account_sees_how_to_start_until_its_first_contact(page: Any, live_server: Any) -> None:
    email = f"start-{page.viewport_size['width']}@netzwerk.test"
    owner: User = UserFactory(email=email, language="de")
    log_in(page, live_server.url, email)

    start = page.locator("[data-testid=today-start]")
    expect(start).to_be_visible()
    steps = start.locator("ol > li")
    expect(steps).to_have_count(3)
    expect(steps.nth(0).locator("a")).to_have_attribute("href", "/contacts/new/")
    expect(steps.nth(1).locator("a")).to_have_attribute("href", "/import/new/")
    expect(steps.nth(2).locator("a")).to_have_attribute("href", "/settings/coaching/#invite")
    assert overflow(page) <= 0

    steps.nth(0).locator("a").click()
    page.wait_for_url(re.compile(r"/contacts/new/$"))
    page.fill("input[name=first_name]", "Petra")
    page.click("#contact-form button[type=submit]")
    page.wait_for_url(re.compile(r"/contacts/\d+/$"))
    assert Contact.objects.filter(owner=owner).count() == 1

    page.goto(f"{live_server.url}/today/")
    expect(page.locator("[data-testid=today-start]")).to_have_count(0)
