"""Archiving a strong tie on its page, and taking it back with the undo in the message."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from contacts.choices import Circle
from contacts.models import Contact
from tests.e2e.conftest import log_in
from tests.factories import UserFactory, strong_ties


def test_archiving_a_strong_tie_is_taken_back_onto_the_roster(page: Any, live_server: Any) -> None:
    email = f"archiv-{page.viewport_size['width']}@netzwerk.test"
    owner = UserFactory(email=email, language="de")
    (tie,) = strong_ties(owner, 1)
    log_in(page, live_server.url, email)

    page.goto(f"{live_server.url}{tie.get_absolute_url()}")
    page.get_by_role("button", name="Archivieren").click()
    expect(page.locator("#messages")).to_contain_text("wurde archiviert")
    page.locator("#messages").get_by_role("button", name="Rückgängig machen").click()

    expect(page.locator("#messages")).to_contain_text("ist wieder aktiv und eine enge Verbindung")
    page.wait_for_url(re.compile(rf"{tie.get_absolute_url()}$"))
    tie = Contact.objects.get(pk=tie.pk)
    assert (tie.is_archived, tie.circle) == (False, Circle.STRONG)
