"""In place, in the browser: Today's total follows a one-click log and its undo; the undo button
goes after a few seconds; the digest preview shows the e-mail with its own styles under the CSP."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from contacts.choices import Channel, Circle, Stage
from contacts.models import Contact
from netzwerk.accounts.models import User
from netzwerk.undo import UNDO_SHOWN_SECONDS
from tests.e2e.conftest import log_in, no_sideways_scroll
from tests.e2e.test_today import network
from tests.factories import ContactFactory, UserFactory
from touchpoints.kinds import Kind
from touchpoints.models import Touchpoint


def test_the_total_follows_a_log_and_its_undo(page: Any, live_server: Any) -> None:
    email = f"gesamt-{page.viewport_size['width']}@netzwerk.test"
    _birthday, _ralf, rita = network(email)
    page.clock.install()
    log_in(page, live_server.url, email)
    page.evaluate("window.__noReload = true")

    total = page.locator("[data-testid=today-total]")
    expect(total).to_have_text("3 Sachen zu tun.")
    cadence = page.locator("[data-testid=section-cadence]")
    rita_item = cadence.locator("[data-testid=item]", has_text="Rita")
    rita_item.get_by_role("button", name="✓ Anruf mit Rita Weiß").click()

    expect(total).to_have_text("2 Sachen zu tun.")
    expect(page.locator("[data-testid=count-cadence]")).to_have_text("1")
    messages = cadence.locator(".flashes-inline")  # in the section acted on, not at the page's top
    expect(messages).to_contain_text("Anruf mit Rita Weiß festgehalten.")
    assert Touchpoint.objects.filter(contact=rita, kind=Kind.CALL).count() == 1

    expect(messages.locator("form.undo[data-undo-timer]")).to_have_count(1)  # htmx has settled it
    messages.get_by_role("button", name="Rückgängig machen").click()

    expect(messages).to_contain_text("Rückgängig gemacht: Anruf mit Rita Weiß gelöscht.")
    expect(total).to_have_text("3 Sachen zu tun.")
    expect(cadence.locator("[data-testid=item]", has_text="Rita")).to_have_count(1)
    expect(page.locator("[data-testid=count-cadence]")).to_have_text("2")
    assert Touchpoint.objects.filter(contact=rita, kind=Kind.CALL).count() == 0
    assert page.evaluate("window.__noReload") is True

    # The undo is offered for a few seconds; then the button goes and the message stays.
    cadence.locator("[data-testid=item]", has_text="Rita").get_by_role(
        "button", name="✓ Anruf mit Rita Weiß"
    ).click()
    undo_button = messages.get_by_role("button", name="Rückgängig machen")
    expect(undo_button).to_have_count(1)
    page.clock.run_for((UNDO_SHOWN_SECONDS + 1) * 1000)
    expect(undo_button).to_have_count(0)
    expect(messages).to_contain_text("Anruf mit Rita Weiß festgehalten.")


def test_a_promotion_is_undone_in_place(page: Any, live_server: Any) -> None:
    email = f"aufnehmen-{page.viewport_size['width']}@netzwerk.test"
    _birthday, ralf, _rita = network(email)
    log_in(page, live_server.url, email)
    page.goto(f"{live_server.url}{ralf.get_absolute_url()}")
    page.evaluate("window.__noReload = true")

    page.get_by_role("button", name=re.compile(r"^☆ Aufnehmen\W+Ralf Weiß$")).click()  # visible text first
    expect(page.locator("#messages")).to_contain_text("Ralf Weiß ist jetzt eine enge Verbindung.")
    expect(page.locator("[data-testid=roster-count]")).to_have_text("1 / 60")

    expect(page.locator("#messages form.undo[data-undo-timer]")).to_have_count(1)  # htmx has settled it
    page.locator("#messages").get_by_role("button", name="Rückgängig machen").click()

    expect(page.locator("#messages")).to_contain_text(
        "Rückgängig gemacht: Ralf Weiß ist keine enge Verbindung mehr."
    )
    expect(page.locator("[data-testid=roster-count]")).to_have_text("0 / 60")
    assert page.evaluate("window.__noReload") is True
    ralf.refresh_from_db()
    assert ralf.circle == Circle.REGULAR


def test_the_digest_preview_shows_the_emails_styles(page: Any, live_server: Any) -> None:
    email = f"vorschau-{page.viewport_size['width']}@netzwerk.test"
    network(email)
    log_in(page, live_server.url, email)

    page.goto(f"{live_server.url}/digest/preview/")

    frame = page.frame_locator("[data-testid=digest-frame]")
    expect(frame.locator("h1")).to_contain_text("Hallo")
    card = frame.locator(".card").first
    expect(card).to_have_css("background-color", "rgb(255, 255, 255)")
    expect(card).to_have_css("border-radius", "8px")
    expect(frame.locator("body")).to_have_css("background-color", "rgb(245, 247, 250)")
    # the page itself does not scroll sideways, on a phone either
    no_sideways_scroll(page)


def test_a_first_meeting_logged_on_the_contact_page_moves_its_stage_in_place(
    page: Any, live_server: Any
) -> None:
    email = f"stufe-{page.viewport_size['width']}@netzwerk.test"
    owner: User = UserFactory(email=email, language="de")
    online: Contact = ContactFactory(
        owner=owner, first_name="Olga", how_met=Channel.LINKEDIN, stage=Stage.ONLINE
    )
    log_in(page, live_server.url, email)
    page.goto(live_server.url + online.get_absolute_url())
    stage = page.locator("[data-testid=stage]")
    expect(stage).to_have_text("Online-Kontakt")
    page.evaluate("window.__noReload = true")

    page.click("#touches .kind-buttons button[value=meeting]")

    expect(stage).to_have_text("Persönlich getroffen")
    expect(page.locator("#contact-status")).to_contain_text("Erster persönlicher Kontaktpunkt")
    expect(page.locator("#contact-status [data-testid=online-only]")).to_have_count(0)
    assert page.evaluate("window.__noReload") is True
