"""Merging a duplicate in the browser, on a laptop and a 375 px phone: the company picked from the
second contact, the first stays with it, the second is gone, its old values in the history."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from contacts.models import Contact
from tests.e2e.conftest import LAPTOP, log_in, no_sideways_scroll
from tests.factories import ContactEmailFactory, ContactFactory, UserFactory
from touchpoints import ledger
from touchpoints.kinds import Kind

pytestmark = pytest.mark.browser


def test_merging_a_duplicate_with_a_field_choice(page: Any, live_server: Any) -> None:
    email = f"zusammen-{page.viewport_size['width']}@netzwerk.test"
    owner = UserFactory(email=email, language="de")
    first = ContactFactory(owner=owner, first_name="Max", last_name="Mustermann", company="Alt GmbH")
    Contact.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(days=300))
    second = ContactFactory(
        owner=owner,
        first_name="Max",
        last_name="Mustermann",
        company="Mustermann Beratung für Vertrieb und Netzwerkaufbau GmbH & Co. KG",
    )
    ContactEmailFactory(contact=second, address="max@mustermann-beratung.example")
    ledger.log_touch(second, kind=Kind.CALL, happened_at=timezone.now() - timedelta(days=2))
    log_in(page, live_server.url, email)

    page.goto(live_server.url + reverse("imports:merge", args=[first.pk, second.pk]))
    sides = page.locator("[data-testid=merge-side]")
    expect(sides).to_have_count(2)
    one, two = sides.nth(0).bounding_box(), sides.nth(1).bounding_box()
    if page.viewport_size == LAPTOP["viewport"]:
        assert one["y"] == two["y"]  # side by side
    else:
        assert two["y"] >= one["y"] + one["height"]  # stacked
    no_sideways_scroll(page)

    page.locator("[data-testid=pick_company] label", has_text="Mustermann Beratung").click()
    page.locator("#id_confirm").check()
    page.get_by_role("button", name="Zu einem Kontakt zusammenführen").click()

    page.wait_for_url(re.compile(rf"/contacts/{first.pk}/$"))
    expect(page.locator("#messages")).to_contain_text("wurde mit Max Mustermann zusammengeführt")
    first.refresh_from_db()
    assert first.company.startswith("Mustermann Beratung")
    assert not Contact.objects.filter(pk=second.pk).exists()
    assert first.touch_count == 1
    history = page.locator("[data-testid=merges]")
    history.locator("summary").click()
    expect(history).to_contain_text("max@mustermann-beratung.example")
    expect(history).to_contain_text("mit Max Mustermann zusammengeführt")
