"""The coach's page about one client: the network's health in counts, the mix of 12 weeks, and
the cap and cadences as a form whose changes the client is told about."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contacts.choices import Circle
from netzwerk.accounts.forms import CADENCE_FIELDS
from netzwerk.accounts.models import AccessLog, CoachLink, Sharing, User
from reminders.models import RosterReview
from tests.factories import ContactFactory, coach_of, sign_in, strong_ties
from touchpoints import ledger
from touchpoints.kinds import Kind

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    browser = Client()
    sign_in(browser, user)
    return browser


def page(client: User) -> str:
    return reverse("coach:client", kwargs={"client_id": client.pk})


def settings_of(user: User, **changes: int) -> dict[str, int]:
    return {name: getattr(user, name) for name in ["strong_tie_cap", *CADENCE_FIELDS]} | changes


def test_it_shows_the_clients_network_in_counts(owner: User) -> None:
    coach = coach_of(owner)
    (tie, *_) = strong_ties(owner, 3)
    ledger.log_touch(tie, kind=Kind.MEETING, happened_at=timezone.now() - timedelta(days=1))
    ledger.log_touch(tie, kind=Kind.EMAIL, happened_at=timezone.now() - timedelta(days=1))
    RosterReview.objects.create(owner=owner, reviewed_at=timezone.now() - timedelta(days=3), strong_ties=3)

    response = signed_in(coach).get(page(owner))

    assert response.status_code == 200
    text = response.text
    assert "Alice&#x27;s network" in text
    assert "3 / 60 (5 %)" in text
    assert response.context["weeks"][-1][1] == (1, 1)
    assert len(response.context["weeks"]) == 12
    assert 'id="client-settings"' in text
    assert "never" not in text  # the review is there
    assert AccessLog.objects.filter(coach=coach, client=owner, what="client", action="view").count() == 1


def test_the_overview_row_opens_the_client_page(owner: User) -> None:
    coach = coach_of(owner)
    assert f'href="{page(owner)}"' in signed_in(coach).get("/coach/").text


def test_a_health_only_coach_sees_counts_and_no_way_to_names(owner: User) -> None:
    ContactFactory(owner=owner, first_name="Geheimname")
    health = signed_in(coach_of(owner, sharing=Sharing.HEALTH)).get(page(owner)).text
    names = signed_in(coach_of(owner, sharing=Sharing.NAMES)).get(page(owner)).text

    assert "Geheimname" not in health
    assert "/coach/contacts/contact/" not in health
    assert f"/coach/contacts/contact/?client={owner.pk}" in names


def page_queries(coach: User, client: User) -> int:
    browser = signed_in(coach)
    browser.get(page(client))  # the session and the coach are warm
    with CaptureQueriesContext(connection) as queries:
        assert browser.get(page(client)).status_code == 200
    return len(queries)


def test_it_takes_the_same_queries_for_few_and_many_contacts(owner: User) -> None:
    coach = coach_of(owner)
    strong_ties(owner, 1)
    few = page_queries(coach, owner)
    for contact in strong_ties(owner, 20):
        ledger.log_touch(contact, kind=Kind.CALL, happened_at=timezone.now() - timedelta(days=5))
    ContactFactory.create_batch(20, owner=owner, circle=Circle.REGULAR)

    assert page_queries(coach, owner) == few


def test_the_coach_changes_the_cap_and_a_cadence_and_the_client_is_told(
    owner: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    coach = coach_of(owner, first_name="Bob")
    owner.language = "de"
    owner.save(update_fields=["language"])

    browser = signed_in(coach)

    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(page(owner), settings_of(owner, strong_tie_cap=45, cadence_strong_max=40))

    assert response.status_code == 302
    assert "Saved. Alice is told by e-mail." in browser.get(response["Location"]).text
    owner.refresh_from_db()
    assert (owner.strong_tie_cap, owner.cadence_strong_max) == (45, 40)
    assert AccessLog.objects.filter(coach=coach, client=owner, action="change", what="settings").count() == 1
    (message,) = mail.outbox
    assert message.to == [owner.email]
    assert "Bob" in message.body
    assert "60 → 45" in message.body
    assert "45 → 40" in message.body
    assert "dein" in message.body.lower()
    assert "/coaching/access-log/" in message.body


def test_a_save_without_a_change_sends_nothing(
    owner: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    coach = coach_of(owner)
    browser = signed_in(coach)
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(page(owner), settings_of(owner))
    assert mail.outbox == []
    assert "Nothing changed: these are the settings Alice has." in browser.get(response["Location"]).text
    assert not AccessLog.objects.filter(action="change").exists()


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"strong_tie_cap": 44}, "45 strong ties"),
        ({"strong_tie_cap": 61}, "less than or equal to 60"),
        ({"strong_tie_cap": -5}, "greater than or equal to 40"),
        ({"cadence_strong_ideal": -3}, "greater than or equal to 1"),
        ({"cadence_regular_ideal": 130}, "The maximum interval must be longer than the ideal one."),
    ],
)
def test_it_refuses_a_cap_below_the_roster_or_out_of_range_and_an_ideal_past_the_maximum(
    owner: User,
    changes: dict[str, int],
    error: str,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    coach = coach_of(owner)
    strong_ties(owner, 45)
    before = settings_of(owner)

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(coach).post(page(owner), settings_of(owner, **changes))

    assert response.status_code == 200
    assert error in response.text
    owner.refresh_from_db()
    assert settings_of(owner) == before
    assert mail.outbox == []
    assert not AccessLog.objects.filter(action="change").exists()


def test_another_coachs_client_is_a_404_kept_out_of_their_log(owner: User) -> None:
    coach = coach_of(owner)
    other = coach_of(User.objects.create(email="carol@netzwerk.test", first_name="Carol"))

    assert signed_in(other).get(page(owner)).status_code == 404
    assert signed_in(coach).get(reverse("coach:client", kwargs={"client_id": 999_999})).status_code == 404
    assert not AccessLog.objects.filter(client=owner).exists()  # in the security log (test_refusals.py)


def test_a_former_clients_page_is_a_404_logged_as_refused(owner: User) -> None:
    coach = coach_of(owner)
    CoachLink.objects.filter(coach=coach).update(ended_at=timezone.now())

    assert signed_in(coach).get(page(owner)).status_code == 404
    assert AccessLog.objects.filter(coach=coach, client=owner, action="denied").count() == 1


def test_in_german_the_page_has_no_english_words(owner: User) -> None:
    coach = coach_of(owner, language="de")
    strong_ties(owner, 2)

    text = signed_in(coach).get(page(owner)).text

    assert "Netzwerk von Alice" in text
    for english in ["CONTACT", "Contact", "Strong ties", "Personal", "Save", "never", "Cap and"]:
        assert english not in text, english


def test_the_settings_inputs_carry_the_real_limits(owner: User) -> None:
    """The browser stops what the server would refuse: the cap 40–60, a cadence 1–730 days."""
    text = signed_in(coach_of(owner)).get(page(owner)).text

    assert re.search(r'<input[^>]*name="strong_tie_cap"[^>]*min="40"', text)
    assert re.search(r'<input[^>]*name="strong_tie_cap"[^>]*max="60"', text)
    assert re.search(r'<input[^>]*name="cadence_strong_ideal"[^>]*min="1"', text)
    assert re.search(r'<input[^>]*name="cadence_strong_ideal"[^>]*max="730"', text)


def test_the_clients_access_log_says_in_german_that_the_coach_changed_the_settings(
    owner: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    coach = coach_of(owner, first_name="Clara", last_name="Coach")
    owner.language = "de"
    owner.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        signed_in(coach).post(page(owner), settings_of(owner, strong_tie_cap=50))

    text = signed_in(owner).get(reverse("accounts:access_log")).text

    assert "hat geändert: deine Obergrenze" in text
    assert "Geändert am" not in text
