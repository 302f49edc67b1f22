"""The coach admin in German throughout, with the client's local dates and times (issue 14)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone, translation

from netzwerk.accounts.models import Sharing, User
from reminders.models import RosterReview
from tests.factories import ContactFactory, UserFactory, coach_of, sign_in
from touchpoints import ledger
from touchpoints.kinds import Kind
from touchpoints.models import Touchpoint

pytestmark = pytest.mark.django_db

# Words only English has (German shares "Filter", "Name", "Start", "Design", "Link", "Position").
ENGLISH = [
    "CONTACT",
    "Contact",
    "Pagination",
    "entries",
    "entry",
    "Touchpoint",
    "Touchpoints",
    "Client",
    "Save",
    "Delete",
    "History",
    "Close",
    "View",
    "Change",
    "Select",
    "Home",
    "Welcome",
    "Log out",
    "touchpoint",
    "contact",
    "client",
    "when",
    "Pages",
    "of",
    "the",
]


def visible_text(html: str) -> str:
    """The words a reader sees or hears: text, headings hidden for screen readers, labels, titles."""
    html = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html)
    html = re.sub(r'\b(?:aria-label|title|alt|placeholder|value)="([^"]*)"', r" \1 ", html)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def german_coach() -> tuple[Client, User, Touchpoint]:
    owner = UserFactory(language="de", first_name="Klara", last_name="Klientin", time_zone="Europe/Berlin")
    contact = ContactFactory(owner=owner, first_name="Max", last_name="Muster")
    touch = ledger.log_touch(contact, kind=Kind.CALL, happened_at=datetime(2025, 12, 31, 23, 30, tzinfo=UTC))
    coach = coach_of(owner, sharing=Sharing.NOTES, language="de", time_zone="America/New_York")
    browser = Client()
    sign_in(browser, coach)
    return browser, owner, touch


def test_a_german_coach_reads_no_english(german_coach: tuple[Client, User, Touchpoint]) -> None:
    browser, owner, touch = german_coach
    contact = touch.contact
    urls = [
        "/coach/",
        f"/coach/clients/{owner.pk}/",
        "/coach/contacts/contact/",
        f"/coach/contacts/contact/{contact.pk}/change/",
        f"/coach/contacts/contact/{contact.pk}/history/",
        "/coach/touchpoints/touchpoint/",
        f"/coach/touchpoints/touchpoint/{touch.pk}/change/",
        f"/coach/touchpoints/touchpoint/{touch.pk}/history/",
        "/coach/coaching/client/",
        f"/coach/coaching/client/{owner.pk}/change/",
    ]

    for url in urls:
        response = browser.get(url)
        assert response.status_code == 200, url
        words = set(re.findall(r"[\w-]+", visible_text(response.text)))
        multiword = {word for word in ENGLISH if " " in word and word in visible_text(response.text)}
        assert (words & set(ENGLISH)) | multiword == set(), url


def test_times_are_the_clients_local_times(german_coach: tuple[Client, User, Touchpoint]) -> None:
    """23:30 UTC on 31 December is 00:30 on 1 January in Berlin, where the client lives; the coach
    in New York reads the client's day, not their own (31 December) or UTC's."""
    browser, _, touch = german_coach

    with translation.override("de"):
        assert str(touch) == "Anruf · 01.01.2026"
    listing = visible_text(browser.get("/coach/touchpoints/touchpoint/").text)
    assert "1. Januar 2026 00:30" in listing
    assert "31. Dezember 2025" not in listing
    contacts = visible_text(browser.get("/coach/contacts/contact/").text)
    assert "1. Januar 2026 00:30" in contacts
    page = visible_text(browser.get(f"/coach/touchpoints/touchpoint/{touch.pk}/change/").text)
    assert "Anruf · 01.01.2026" in page
    assert "1. Januar 2026 00:30" in page
    assert "31. Dezember" not in page
    contact_page = visible_text(browser.get(f"/coach/contacts/contact/{touch.contact.pk}/change/").text)
    assert "1. Januar 2026 00:30" in contact_page
    assert "31. Dezember" not in contact_page


def test_the_coach_reads_about_the_client_not_to_them(german_coach: tuple[Client, User, Touchpoint]) -> None:
    """The cap's help text and the review's goals are the client's own words on the client's pages
    ("dein Coach", "die du treffen willst"); the coach reads them in the third person."""
    browser, owner, _ = german_coach
    RosterReview.objects.create(
        owner=owner, reviewed_at=timezone.now() - timedelta(days=3), strong_ties=1, goal_meetings=4
    )

    client_page = visible_text(browser.get(f"/coach/clients/{owner.pk}/").text)
    change_form = visible_text(browser.get(f"/coach/coaching/client/{owner.pk}/change/").text)

    assert "Online-Kontakte, die Klara Klientin persönlich treffen will" in client_page
    for text in (client_page, change_form):
        assert "Höchstens so viele enge Verbindungen für diese Klientin oder diesen Klienten (40–60)." in text
        assert "dein Coach" not in text
        assert "die du persönlich treffen willst" not in text
