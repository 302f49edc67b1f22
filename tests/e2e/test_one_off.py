"""A one-off reminder on a phone: set on the contact page, then cleared on Today."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from netzwerk.accounts.models import User
from tests.e2e.conftest import PHONE, log_in, no_sideways_scroll
from tests.factories import ContactFactory, UserFactory
from touchpoints import ledger
from touchpoints.kinds import Kind
from touchpoints.models import OneOffReminder


@pytest.mark.parametrize("page", [PHONE], ids=["phone"], indirect=True)
def test_a_reminder_set_on_the_contact_page_is_cleared_on_today(page: Any, live_server: Any) -> None:
    email = "erinnerung@netzwerk.test"
    owner: User = UserFactory(email=email, language="de")
    anna = ContactFactory(owner=owner, first_name="Anna", last_name="Berger")
    ledger.log_touch(anna, kind=Kind.CALL, happened_at=timezone.now() - timedelta(days=1))
    today = owner.local_date(timezone.now())
    log_in(page, live_server.url, email)

    page.goto(f"{live_server.url}{anna.get_absolute_url()}")
    panel = page.locator("[data-testid=one-offs]")
    expect(panel.locator("[data-testid=one-offs-empty]")).to_be_visible()  # loaded after the page
    # A day in the past first: refused, and what was typed stays.
    panel.get_by_label("Erinnere mich am").fill((today - timedelta(days=1)).isoformat())
    panel.get_by_label("Worum es geht").fill("Anrufen wegen Angebot")
    panel.locator("[data-testid=one-off-set]").click()
    expect(panel).to_contain_text("Dieser Tag ist vorbei.")
    expect(panel.get_by_label("Worum es geht")).to_have_value("Anrufen wegen Angebot")
    assert not OneOffReminder.objects.exists()

    panel.get_by_label("Erinnere mich am").fill(today.isoformat())
    panel.locator("[data-testid=one-off-set]").click()
    expect(panel.locator("[data-testid=one-off]")).to_contain_text("Anrufen wegen Angebot")
    expect(page.locator("#messages")).to_contain_text("Erinnerung für den")
    no_sideways_scroll(page)

    page.goto(f"{live_server.url}/today/")
    section = page.locator("[data-testid=section-one_off]")
    item = section.locator("[data-testid=item]", has_text="Anna Berger")
    expect(item).to_contain_text("Anrufen wegen Angebot")
    expect(item.get_by_role("link", name="Anna Berger")).to_have_attribute("href", anna.get_absolute_url())
    no_sideways_scroll(page)

    item.locator("[data-testid=done]").click()
    expect(section).to_contain_text("Dieser Abschnitt ist erledigt.")
    expect(section.locator(".flashes-inline")).to_contain_text("Erledigt.")
    (reminder,) = OneOffReminder.objects.all()
    assert reminder.done_at is not None
