"""The sort page in the browser: five imported contacts sorted by keyboard on a laptop and by
tapping large buttons on a 375 px phone, the card swapped in place, then "All sorted"."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from contacts.choices import Circle, Sorting, Stage
from contacts.models import Contact
from tests.e2e.conftest import LAPTOP, PHONE, log_in, no_sideways_scroll
from tests.factories import ContactFactory, UserFactory

pytestmark = pytest.mark.browser

# Freshest connection first: the order the page shows them in, and what each is sorted as.
PLAN = [
    ("Anna", "1", Sorting.PURSUE),
    ("Bernd", "2", Sorting.PROSPECT),
    ("Carla", "ArrowRight", None),  # skipped for now
    ("Dieter", "4", "strong"),
    ("Emma", "6", Sorting.ARCHIVE),
    ("Carla", "5", Sorting.LOOSE),  # from the top again
]


def waiting_five(email: str) -> list[Contact]:
    owner = UserFactory(email=email)
    connected = datetime(2024, 6, 1, 9, tzinfo=UTC)
    made: list[Contact] = []
    for n, name in enumerate(["Anna", "Bernd", "Carla", "Dieter", "Emma"]):
        contact = ContactFactory(
            owner=owner,
            first_name=name,
            last_name="Import",
            company="Bauer & Söhne Maschinenbau und Anlagentechnik GmbH",
            position="Leiterin Vertrieb und Kundenbeziehungen DACH",
            circle=Circle.LOOSE,
            stage=Stage.MET if name == "Dieter" else Stage.ONLINE,  # only someone met is a strong tie
            sorting=Sorting.UNSORTED,
        )
        Contact.objects.filter(pk=contact.pk).update(created_at=connected - timedelta(days=n))
        made.append(contact)
    return made


def card_name(tab: Any) -> Any:
    """The card's name, once htmx has settled the card (its controls wired; a key pressed
    sooner would send the form without htmx, which works too but reloads the page)."""
    expect(tab.locator("#sort-card")).not_to_have_class(re.compile(r"htmx-(added|settling)"))
    return tab.locator("#sort-card [data-testid=sort-name]")


def assert_sorted(contacts: list[Contact]) -> None:
    found = {c.first_name: c for c in Contact.objects.filter(pk__in=[c.pk for c in contacts])}
    assert found["Anna"].sorting == Sorting.PURSUE
    assert found["Bernd"].sorting == Sorting.PROSPECT
    assert found["Carla"].sorting == Sorting.LOOSE
    assert found["Dieter"].circle == Circle.STRONG
    assert found["Emma"].is_archived
    assert not Contact.objects.filter(pk__in=[c.pk for c in contacts]).unsorted().exists()


def start(browser: Any, live_server: Any, device: dict[str, Any], email: str) -> Any:
    context = browser.new_context(locale="de-DE", timezone_id="Europe/Berlin", **device)
    context.set_default_timeout(15_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    log_in(tab, live_server.url, email)
    tab.click("[data-testid=today-to-sort] a")
    tab.wait_for_url(re.compile(r"/import/sort/$"))
    tab.evaluate("window.__noReload = true")
    return tab, errors


def finish(tab: Any, errors: list[str]) -> None:
    expect(tab.locator("[data-testid=sort-empty]")).to_contain_text("All sorted.")
    assert tab.evaluate("window.__noReload") is True  # every card swapped in place
    assert errors == [], errors
    tab.context.close()


def test_sorting_five_by_keyboard_on_a_laptop(browser: Any, live_server: Any) -> None:
    contacts = waiting_five("tasten@netzwerk.test")
    tab, errors = start(browser, live_server, LAPTOP, "tasten@netzwerk.test")
    expect(tab.locator("[data-testid=sort-left]")).to_contain_text("5 contacts left to sort")

    for name, key, _choice in PLAN:
        expect(card_name(tab)).to_have_text(f"{name} Import")
        tab.keyboard.press(key)
        expect(tab.locator("#sort-card [data-testid=sort-name]", has_text=f"{name} Import")).to_have_count(0)

    finish(tab, errors)
    assert_sorted(contacts)


def test_sorting_five_by_tapping_on_a_phone(browser: Any, live_server: Any) -> None:
    contacts = waiting_five("tippen@netzwerk.test")
    tab, errors = start(browser, live_server, PHONE, "tippen@netzwerk.test")
    no_sideways_scroll(tab)
    buttons = tab.locator("#sort-card .sort-choices button")
    expect(buttons).to_have_count(5)  # Anna, known only online: no "strong tie" (R5), a hint instead
    expect(tab.locator("#sort-card [data-testid=sort-not-met]")).to_be_visible()
    for n in range(5):
        box = buttons.nth(n).bounding_box()
        assert box["height"] >= 44
        assert box["width"] >= 300  # a full-width tap target at 375 px

    for name, key, _choice in PLAN:
        expect(card_name(tab)).to_have_text(f"{name} Import")
        control = (
            tab.locator("[data-testid=sort-skip]")
            if key == "ArrowRight"
            else tab.locator(f"#sort-card button[data-key='{key}']")
        )
        control.tap()
        expect(tab.locator("#sort-card [data-testid=sort-name]", has_text=f"{name} Import")).to_have_count(0)

    finish(tab, errors)
    assert_sorted(contacts)
