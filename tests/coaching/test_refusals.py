"""A refused coach read lands in the client's access log only when the owner is or was the
coach's client; a refusal for anyone else goes to the security log, and a coach probing ids is
stopped with a 429 after COACH_REFUSALS_LIMIT refusals in a window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contacts.models import Contact
from netzwerk.accounts import coaching as links
from netzwerk.accounts.models import AccessLog, CoachLink, Sharing, User
from tests.factories import ContactFactory, UserFactory, coach_of, sign_in

pytestmark = pytest.mark.django_db

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # the start of a 10-minute window
LIMIT = 3


def contact_page(contact: Contact) -> str:
    return reverse("coach:contacts_contact_change", kwargs={"object_id": contact.pk})


def client_page(user: User) -> str:
    return reverse("coach:client", kwargs={"client_id": user.pk})


def security_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == "netzwerk.security"]


@pytest.fixture
def coach(owner: User) -> User:
    """Bob coaches Alice, who shares names."""
    return coach_of(owner, sharing=Sharing.NAMES, first_name="Bob", email="bob.coach@netzwerk.test")


@pytest.fixture
def limit(settings: Any) -> int:
    settings.COACH_REFUSALS_LIMIT = LIMIT
    return LIMIT


@pytest.mark.parametrize("page", ["contact", "client"])
def test_a_strangers_id_leaves_no_row_in_their_log_and_one_security_line(
    coach: User, stranger: User, page: str, caplog: pytest.LogCaptureFixture
) -> None:
    contact = ContactFactory(owner=stranger, first_name="Charlottes", last_name="Kontakt")
    url = contact_page(contact) if page == "contact" else client_page(stranger)
    browser = sign_in(Client(), coach)

    caplog.clear()
    with caplog.at_level("INFO", logger="netzwerk.security"):
        response = browser.get(url)

    assert response.status_code == 404
    assert not AccessLog.objects.filter(client=stranger).exists()
    what, object_id = ("contact", contact.pk) if page == "contact" else ("client", stranger.pk)
    assert security_lines(caplog) == [
        f"coach refused coach={coach.pk} user={stranger.pk} what={what} object={object_id}"
    ]
    everything = "\n".join(record.getMessage() for record in caplog.records)
    for personal in [stranger.email, coach.email, "Charlie", "Charlottes", "Bob"]:
        assert personal not in everything


def test_an_id_of_nothing_is_a_probe_too(coach: User, caplog: pytest.LogCaptureFixture) -> None:
    browser = sign_in(Client(), coach)
    caplog.clear()

    with caplog.at_level("INFO", logger="netzwerk.security"):
        response = browser.get(reverse("coach:contacts_contact_change", kwargs={"object_id": 987_654}))

    assert response.status_code == 404
    assert AccessLog.objects.filter(action=AccessLog.Action.DENIED).count() == 0
    assert security_lines(caplog) == [f"coach refused coach={coach.pk} user=None what=contact object=987654"]


def test_a_clients_refused_read_is_logged_for_the_client(
    owner: User, coach: User, caplog: pytest.LogCaptureFixture
) -> None:
    CoachLink.objects.filter(coach=coach).update(sharing=Sharing.HEALTH)  # names no longer shared
    contact = ContactFactory(owner=owner)
    browser = sign_in(Client(), coach)
    caplog.clear()

    with caplog.at_level("INFO", logger="netzwerk.security"):
        response = browser.get(contact_page(contact))

    assert response.status_code == 404
    entry = AccessLog.objects.get(action=AccessLog.Action.DENIED)
    assert (entry.coach, entry.client, entry.what, entry.object_id) == (coach, owner, "contact", contact.pk)
    assert security_lines(caplog) == []


@pytest.mark.parametrize("page", ["contact", "client"])
def test_a_former_clients_refused_read_is_logged_for_them(owner: User, coach: User, page: str) -> None:
    """They ended the link: the attempt after it is what their log is there to show."""
    contact = ContactFactory(owner=owner)
    links.end(CoachLink.objects.get(coach=coach), owner, now=timezone.now())

    response = sign_in(Client(), coach).get(
        contact_page(contact) if page == "contact" else client_page(owner)
    )

    assert response.status_code == 404
    entry = AccessLog.objects.get(action=AccessLog.Action.DENIED)
    assert (entry.coach, entry.client) == (coach, owner)


def test_the_limit_answers_429_after_exactly_the_limit_and_resets_after_the_window(
    owner: User, coach: User, stranger: User, limit: int, caplog: pytest.LogCaptureFixture
) -> None:
    foreign = ContactFactory.create_batch(limit + 2, owner=stranger)
    browser = sign_in(Client(), coach)
    caplog.clear()
    with time_machine.travel(START, tick=False) as traveller, caplog.at_level("INFO", "netzwerk.security"):
        allowed = [browser.get(contact_page(contact)).status_code for contact in foreign[:limit]]
        limited = [browser.get(contact_page(contact)).status_code for contact in foreign[limit:]]
        own_client = browser.get(client_page(owner)).status_code

        traveller.shift(timedelta(minutes=9, seconds=59))
        still_limited = browser.get(contact_page(foreign[0])).status_code
        traveller.shift(timedelta(seconds=1))
        after_the_window = browser.get(contact_page(foreign[0])).status_code

    assert allowed == [404] * limit
    assert limited == [429, 429]
    assert own_client == 200
    assert (still_limited, after_the_window) == (429, 404)
    lines = security_lines(caplog)
    assert lines.count(f"coach refusals limited coach={coach.pk} refusals={limit + 1}") == 1
    assert len([line for line in lines if line.startswith("coach refused")]) == limit + 1
    assert not AccessLog.objects.filter(client=stranger).exists()


def test_the_limit_page_speaks_german_and_english(coach: User, stranger: User, limit: int) -> None:
    probe = client_page(stranger)
    english = sign_in(Client(), coach)
    for _ in range(limit):
        english.get(probe)

    refused = english.get(probe)
    User.objects.filter(pk=coach.pk).update(language="de")
    german = english.get(probe)

    assert refused.status_code == german.status_code == 429
    assert "belong to none of your clients" in refused.text
    assert "Please wait up to 10 minutes" in refused.text
    assert "die keiner deiner Klient·innen gehören" in german.text
    assert "Warte bis zu 10 Minuten" in german.text
    assert reverse("coach:index") in german.text


def test_refusals_of_the_coachs_own_clients_do_not_count(
    owner: User, coach: User, stranger: User, limit: int
) -> None:
    CoachLink.objects.filter(coach=coach).update(sharing=Sharing.HEALTH)
    own = ContactFactory(owner=owner)
    browser = sign_in(Client(), coach)

    answers = [browser.get(contact_page(own)).status_code for _ in range(limit + 2)]

    assert answers == [404] * (limit + 2)
    assert AccessLog.objects.filter(client=owner, action=AccessLog.Action.DENIED).count() == limit + 2
    assert browser.get(client_page(stranger)).status_code == 404


def test_each_coach_has_a_limit_of_their_own(owner: User, coach: User, stranger: User, limit: int) -> None:
    other = sign_in(Client(), coach_of(UserFactory()))
    for _ in range(limit + 1):
        other.get(client_page(stranger))

    assert sign_in(Client(), coach).get(client_page(stranger)).status_code == 404
