"""The coach's client page shows the client's last roster review with its goals, against what
happened since; the note only to a coach the client shares notes with."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contacts.choices import Channel, Stage
from contacts.models import Contact
from netzwerk.accounts.models import Sharing, User
from reminders.models import RosterReview
from tests.coaching.test_client_page import page_queries
from tests.factories import ContactFactory, coach_of, sign_in, strong_ties
from touchpoints import ledger
from touchpoints.kinds import Kind

pytestmark = pytest.mark.django_db


def client_page(coach: User, client: User) -> str:
    browser = Client()
    sign_in(browser, coach)
    response = browser.get(reverse("coach:client", kwargs={"client_id": client.pk}))
    assert response.status_code == 200
    return response.text


def reviewed_with_goals(owner: User) -> None:
    now = timezone.now()
    RosterReview.objects.create(
        owner=owner,
        reviewed_at=now - timedelta(days=60),
        strong_ties=1,
        goal_meetings=4,
        goal_key_positions=2,
        goal_note="Mehr Messen besuchen",
    )
    online = ContactFactory(owner=owner, stage=Stage.ONLINE, how_met=Channel.LINKEDIN)
    ledger.log_touch(online, kind=Kind.MEETING, happened_at=now - timedelta(days=5))
    (key, _) = strong_ties(owner, 2)
    Contact.objects.filter(pk=key.pk).update(key_position=True)


def test_the_coach_sees_the_last_reviews_goals_against_what_happened(owner: User) -> None:
    reviewed_with_goals(owner)

    text = client_page(coach_of(owner, sharing=Sharing.NOTES), owner)

    assert 'id="client-goals"' in text
    assert "Online contacts Alice wants to meet in person" in text
    assert "goal 4, met 1 since the review" in text
    assert "goal 2, 1 now" in text
    assert "Mehr Messen besuchen" in text


def test_the_note_stays_hidden_from_a_coach_without_notes(owner: User) -> None:
    reviewed_with_goals(owner)

    text = client_page(coach_of(owner, sharing=Sharing.NAMES), owner)

    assert "goal 4, met 1 since the review" in text
    assert "Mehr Messen besuchen" not in text
    assert "Alice shares no notes with you." in text


def test_the_coach_is_told_when_there_was_no_review_or_no_goals(owner: User) -> None:
    coach = coach_of(owner)
    assert "Alice has not recorded a roster review yet." in client_page(coach, owner)

    RosterReview.objects.create(owner=owner, reviewed_at=timezone.now(), strong_ties=0)

    assert "Alice set no goals at the last review on" in client_page(coach, owner)


def test_the_goals_take_the_same_queries_for_few_and_many(owner: User) -> None:
    coach = coach_of(owner)
    reviewed_with_goals(owner)
    few = page_queries(coach, owner)
    for contact in ContactFactory.create_batch(15, owner=owner, stage=Stage.ONLINE, how_met=Channel.XING):
        ledger.log_touch(contact, kind=Kind.CALL, happened_at=timezone.now() - timedelta(days=3))
    strong_ties(owner, 10)

    assert page_queries(coach, owner) == few
