"""Logging a touch on a prospect: the rules on the page follow without a reload (R6, R7)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from contacts.choices import Circle, ProspectStatus
from contacts.models import Contact
from netzwerk.accounts.models import User
from tests.e2e.conftest import go_by_menu, log_in
from tests.factories import ContactFactory, UserFactory
from touchpoints import ledger
from touchpoints.kinds import Kind


def prospect_at_three_of_seven(email: str) -> Contact:
    """A regular-circle prospect with 3 qualifying touches, the last 130 days ago: cadence red."""
    owner: User = UserFactory(email=email, language="de")
    now = timezone.now()
    prospect: Contact = ContactFactory(
        owner=owner,
        first_name="Jürgen",
        last_name="Weiß",
        circle=Circle.REGULAR,
        prospect_status=ProspectStatus.PROSPECT,
        prospect_since=now - timedelta(days=200),
    )
    for days_ago in (190, 170, 130):
        ledger.log_touch(prospect, kind=Kind.MEETING, happened_at=now - timedelta(days=days_ago))
    return prospect


def test_the_contact_pages_log_moves_the_prospect_and_the_cadence(page: Any, live_server: Any) -> None:
    email = f"kontaktseite-{page.viewport_size['width']}@netzwerk.test"
    prospect = prospect_at_three_of_seven(email)
    log_in(page, live_server.url, email)

    page.goto(live_server.url + prospect.get_absolute_url())
    progress = page.locator("#contact-status [data-testid=prospect-progress]")
    cadence = page.locator("#contact-status [data-testid=cadence]")
    expect(progress).to_contain_text("3/7")
    expect(cadence).to_have_class(re.compile(r"\bcadence-red\b"))

    # A marker on window survives only if the page is not reloaded.
    page.evaluate("window.__noReload = true")
    page.fill("#touches input[name=note]", "Angebot besprochen")
    page.click("#touches .kind-buttons button[value=call]")

    expect(progress).to_contain_text("4/7")
    expect(cadence).to_have_class(re.compile(r"\bcadence-green\b"))
    expect(page.locator("#touches ol.timeline li.touch").first).to_contain_text("Angebot besprochen")
    assert page.evaluate("window.__noReload") is True
    prospect.refresh_from_db()
    assert prospect.prospect_touches == 4


def test_a_touch_logged_on_the_contact_page_is_undone_there(page: Any, live_server: Any) -> None:
    """The undo in the message after a quick button (htmx aimed it at the quick log's form,
    which the contact page has not: nothing was sent)."""
    email = f"rueckgaengig-{page.viewport_size['width']}@netzwerk.test"
    prospect = prospect_at_three_of_seven(email)
    log_in(page, live_server.url, email)
    page.goto(live_server.url + prospect.get_absolute_url())
    progress = page.locator("#contact-status [data-testid=prospect-progress]")

    page.click("#touches .kind-buttons button[value=call]")
    expect(progress).to_contain_text("4/7")
    page.locator("[data-testid=undo]").first.click()

    expect(page.locator("#contact-status [data-testid=prospect-progress]")).to_contain_text("3/7")
    assert prospect.touchpoints.count() == 3


def test_the_quick_log_moves_the_prospect_and_the_cadence(page: Any, live_server: Any) -> None:
    email = f"schnell-{page.viewport_size['width']}@netzwerk.test"
    prospect = prospect_at_three_of_seven(email)
    log_in(page, live_server.url, email)

    go_by_menu(page, "/touches/")
    page.wait_for_url(re.compile(r"/touches/$"))
    page.evaluate("window.__noReload = true")
    page.fill("#quick-q", "weiß")
    match = page.locator("#quick-matches input[type=radio]")
    expect(match).to_be_checked()  # the only match is picked: the next click logs
    page.click("#quick-log .kind-buttons button[value=call]")

    logged = page.locator("[data-testid=logged]")
    expect(logged.locator("[data-testid=prospect-progress]")).to_contain_text("4/7")
    expect(logged.locator("[data-testid=cadence]")).to_have_class(re.compile(r"\bcadence-green\b"))
    expect(logged).to_contain_text("Jürgen Weiß")
    expect(page.locator("#quick-q")).to_have_value("")
    assert page.evaluate("window.__noReload") is True
    prospect.refresh_from_db()
    assert prospect.prospect_touches == 4
    assert prospect.touchpoints.filter(kind=Kind.CALL).count() == 1


def test_choosing_ask_warns_before_saving_and_saving_stays_allowed(page: Any, live_server: Any) -> None:
    """R4: the warning appears by the field as soon as "ask" is chosen, before anything is saved."""
    email = f"bitten-{page.viewport_size['width']}@netzwerk.test"
    prospect = prospect_at_three_of_seven(email)  # never given to
    log_in(page, live_server.url, email)
    page.goto(live_server.url + prospect.get_absolute_url())
    page.evaluate("window.__noReload = true")

    page.locator("#touches details.more summary").click()
    # The fold fetches its form; htmx wires it up once it has settled (its `htmx-added` goes).
    expect(page.locator("#touches details.more form")).to_have_class(re.compile(r"^(?!.*htmx-added)"))
    exchange = page.locator("#touch-exchange")
    warning = page.locator("[data-testid=ask-warning]")
    expect(warning).to_be_empty()
    exchange.select_option("ask")

    expect(warning).to_have_text(
        "Du hast Jürgen Weiß noch nichts gegeben. Erst geben, dann bitten. Speichern kannst du trotzdem."
    )
    assert warning.is_visible()  # where the user is looking
    assert prospect.touchpoints.count() == 3  # nothing saved yet
    exchange.select_option("give")
    expect(warning).to_be_empty()

    exchange.select_option("ask")
    expect(warning).not_to_be_empty()
    page.locator("#touch-kind").select_option("call")
    page.locator("#touches details.more button[type=submit]").click()

    expect(page.locator("#touches ol.timeline li.touch")).to_have_count(4)
    assert page.evaluate("window.__noReload") is True
    prospect.refresh_from_db()
    assert prospect.asks == 1


@pytest.mark.failed_fetch(1)
def test_the_full_form_comes_on_opening_and_again_after_a_failed_fetch(page: Any, live_server: Any) -> None:
    """The fold fetches its form when opened; if that fetch fails, the next toggle asks again (the
    closing, here), and the form is there when the fold is opened."""
    email = f"folded-{page.viewport_size['width']}@netzwerk.test"
    prospect = prospect_at_three_of_seven(email)
    log_in(page, live_server.url, email)
    failed: list[str] = []

    def fail_once(route: Any) -> None:
        if not failed:
            failed.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    page.route("**/more/", fail_once)
    page.goto(live_server.url + prospect.get_absolute_url())
    fold = page.locator("#touches details.more")
    with page.expect_event("requestfailed"):
        fold.locator("summary").click()
    expect(fold.locator(".more-form a")).to_have_text("Ganzes Formular öffnen")
    assert len(failed) == 1
    fold.locator("summary").click()  # closed
    fold.locator("summary").click()  # and opened again

    expect(page.locator("#touch-exchange")).to_be_visible()
    expect(fold.locator(".more-form")).to_have_count(0)
