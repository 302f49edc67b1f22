"""The roster review in the browser, on a laptop and a 375 px phone, in German: last quarter's
goals against what happened, a candidate promoted in place, the next quarter's goals recorded."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from contacts.choices import Channel, Circle, Stage
from contacts.models import Contact
from reminders.models import RosterReview
from tests.e2e.conftest import log_in, no_sideways_scroll
from tests.factories import ContactFactory, UserFactory, strong_ties
from touchpoints import ledger
from touchpoints.kinds import Kind

pytestmark = pytest.mark.browser


def test_the_roster_review_with_goals_and_candidates(page: Any, live_server: Any) -> None:
    email = f"ueberpruefung-{page.viewport_size['width']}@netzwerk.test"
    owner = UserFactory(email=email, language="de")
    now = timezone.now()
    RosterReview.objects.create(
        owner=owner,
        reviewed_at=now - timedelta(days=60),
        strong_ties=1,
        goal_meetings=3,
        goal_key_positions=2,
        goal_note="Mehr Messen und Verbandsabende, weniger LinkedIn",
    )
    for days in (10, 20):  # two online contacts met in person since the review
        online = ContactFactory(owner=owner, circle=Circle.LOOSE, stage=Stage.ONLINE, how_met=Channel.XING)
        ledger.log_touch(online, kind=Kind.CALL, happened_at=now - timedelta(days=days))
    (tie,) = strong_ties(owner, 1)
    Contact.objects.filter(pk=tie.pk).update(key_position=True)
    company = "Bauer & Söhne Maschinenbau und Anlagentechnik GmbH"
    for name, key in (("Klara", True), ("Bernd", False), ("Petra", False)):
        contact = ContactFactory(owner=owner, first_name=name, key_position=key, company=company)
        ledger.log_touch(contact, kind=Kind.MEETING, happened_at=now - timedelta(days=4))

    log_in(page, live_server.url, email)
    page.goto(f"{live_server.url}/today/review/")

    last = page.locator("[data-testid=last-quarter]")
    expect(last).to_contain_text("Ziel: 3 Online-Kontakte persönlich treffen – getroffen: 2.")
    expect(last).to_contain_text("Ziel: 2 enge Verbindungen in Schlüsselpositionen – jetzt 1.")
    expect(last).to_contain_text("Deine Notiz: „Mehr Messen und Verbandsabende, weniger LinkedIn“")
    expect(page.locator("[data-testid=candidates]")).to_contain_text(
        "Regelmäßige Kontakte mit einem persönlichen"
    )
    rows = page.locator("[data-testid=candidate-row]")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("Klara")  # the key position first
    no_sideways_scroll(page)

    rows.first.get_by_role("button", name=re.compile("Klara")).click()
    expect(rows.first).to_contain_text("Herausnehmen")
    expect(page.locator("[data-testid=roster-count]")).to_have_text("2 / 60")
    no_sideways_scroll(page)

    page.fill("input[name=goal_meetings]", "4")
    page.fill("input[name=goal_key_positions]", "3")
    page.fill("textarea[name=goal_note]", "Zwei Verbandsabende im Quartal")
    page.click("[data-testid=finish-review]")
    page.wait_for_url(re.compile(r"/today/$"))
    expect(page.locator("#messages")).to_contain_text("Überprüfung gespeichert.")

    recorded = RosterReview.objects.filter(owner=owner).first()
    assert recorded is not None
    assert (recorded.strong_ties, recorded.goal_meetings, recorded.goal_key_positions) == (2, 4, 3)
    assert recorded.goal_note == "Zwei Verbandsabende im Quartal"
