"""Sorting imported contacts in the browser, on a laptop and a 375 px phone: tick two, sort them
without a reload, then all that are left; Today's "to sort" line goes with them."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from contacts.choices import Circle, Sorting, Stage
from contacts.models import Contact
from tests.e2e.conftest import go_by_menu, log_in, no_sideways_scroll
from tests.factories import ContactFactory, UserFactory, strong_ties

pytestmark = pytest.mark.browser


def test_sorting_imported_contacts(page: Any, live_server: Any) -> None:
    email = f"sortieren-{page.viewport_size['width']}@netzwerk.test"
    owner = UserFactory(email=email)
    ContactFactory.create_batch(
        27,
        owner=owner,
        circle=Circle.LOOSE,
        stage=Stage.ONLINE,
        sorting=Sorting.UNSORTED,
        company="Bauer & Söhne Maschinenbau und Anlagentechnik GmbH",
    )
    strong_ties(owner, 1)
    log_in(page, live_server.url, email)
    expect(page.locator("[data-testid=today-to-sort]")).to_contain_text("27 imported contacts to sort")
    no_sideways_scroll(page)

    page.click("[data-testid=today-to-sort] a")
    page.wait_for_url(re.compile(r"/import/sort/$"))  # one by one (tests/e2e/test_sort_page.py)
    page.goto(f"{live_server.url}/contacts/?sorting=unsorted")
    no_sideways_scroll(page)
    expect(page.locator("[data-testid=to-sort]")).to_have_count(25)
    page.evaluate("window.__noReload = true")
    rows = page.locator(".contact-row .pick input")
    for box in (rows.nth(0), rows.nth(1)):
        assert box.bounding_box()["width"] >= 20  # a tap target, with its 44 px label around it
        box.check()
    page.select_option("#sort-form select[name=choice]", Sorting.REGULAR)
    page.click("#sort-form button[type=submit]")

    expect(page.locator("#messages")).to_contain_text("2 contacts sorted as “Regular”.")
    expect(page.locator("#contact-results")).to_contain_text("25 contacts")
    assert page.evaluate("window.__noReload") is True
    assert Contact.objects.filter(owner=owner, sorting=Sorting.REGULAR, circle=Circle.REGULAR).count() == 2
    no_sideways_scroll(page)

    page.check("[data-testid=sort-all]")
    page.select_option("#sort-form select[name=choice]", Sorting.LOOSE)
    page.click("#sort-form button[type=submit]")

    expect(page.locator("#messages")).to_contain_text("25 contacts sorted as “Keep loose”.")
    expect(page.locator("#contact-results")).to_contain_text("No contact matches these filters.")
    assert not Contact.objects.for_owner(owner).unsorted().exists()
    go_by_menu(page, "/today/")
    page.wait_for_url(re.compile(r"/today/$"))
    expect(page.locator("[data-testid=today-to-sort]")).to_have_count(0)
