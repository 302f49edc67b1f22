"""R6 at the target: the contact page asks for the outcome and records it with its date."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from contacts.choices import ProspectStatus
from contacts.models import Contact
from tests.factories import ContactFactory

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def prospect(owner, *, touches: int) -> Contact:
    contact: Contact = ContactFactory(
        owner=owner,
        prospect_status=ProspectStatus.PROSPECT,
        prospect_since=NOW - timedelta(days=90),
        prospect_touches=touches,
        last_touch_at=NOW - timedelta(days=3),
    )
    return contact


def decide(client: Client, contact: Contact, outcome: str):
    return client.post(reverse("contacts:decide", args=[contact.pk]), {"outcome": outcome}, follow=True)


def test_it_asks_for_the_outcome_at_the_target_only(owner_client: Client, owner) -> None:
    at_target, short = prospect(owner, touches=7), prospect(owner, touches=6)

    assert 'data-testid="decide"' in owner_client.get(at_target.get_absolute_url()).content.decode()
    assert 'data-testid="decide"' not in owner_client.get(short.get_absolute_url()).content.decode()


@pytest.mark.parametrize(("outcome", "label"), [("customer", "Customer"), ("not_now", "Not now")])
def test_it_records_the_outcome_with_its_date(owner_client: Client, owner, outcome: str, label: str) -> None:
    contact = prospect(owner, touches=7)

    response = decide(owner_client, contact, outcome)

    contact.refresh_from_db()
    assert contact.prospect_status == outcome
    assert contact.prospect_outcome_at == NOW
    body = response.content.decode()
    assert response.redirect_chain == [(contact.get_absolute_url(), 302)]
    assert f"{contact.name}: {label}." in body
    assert "decided Nov. 20, 2026" in body  # English dates in the English order
    assert 'data-testid="decide"' not in body


def test_it_refuses_an_outcome_for_a_contact_that_is_no_prospect(owner_client: Client, owner) -> None:
    contact: Contact = ContactFactory(owner=owner, prospect_status=ProspectStatus.CUSTOMER)

    response = decide(owner_client, contact, "not_now")

    contact.refresh_from_db()
    assert contact.prospect_status == ProspectStatus.CUSTOMER
    assert contact.prospect_outcome_at is None
    assert "Only a prospect can become a customer" in response.content.decode()


@pytest.mark.parametrize("outcome", ["prospect", "none", "", "boss"])
def test_it_refuses_what_is_no_outcome(owner_client: Client, owner, outcome: str) -> None:
    contact = prospect(owner, touches=7)

    decide(owner_client, contact, outcome)

    contact.refresh_from_db()
    assert contact.prospect_status == ProspectStatus.PROSPECT
    assert contact.prospect_outcome_at is None


def test_a_stranger_cannot_decide(stranger_client: Client, owner) -> None:
    contact = prospect(owner, touches=7)

    response = stranger_client.post(reverse("contacts:decide", args=[contact.pk]), {"outcome": "customer"})

    assert response.status_code == 404
    contact.refresh_from_db()
    assert contact.prospect_status == ProspectStatus.PROSPECT


def test_an_outcome_on_the_contact_page_is_undone_for_a_while(owner_client: Client, owner) -> None:
    contact = prospect(owner, touches=7)
    body = decide(owner_client, contact, "customer").content.decode()
    found = re.search(
        r'<form class="undo inline" method="post" action="([^"]+)".*?name="token" value="([^"]+)"', body, re.S
    )
    assert found is not None, "no undo offered"
    action, token = found.groups()

    response = owner_client.post(action, {"token": token}, follow=True)

    contact.refresh_from_db()
    assert action == reverse("contacts:decide_undo", args=[contact.pk])
    assert (contact.prospect_status, contact.prospect_outcome_at) == (ProspectStatus.PROSPECT, None)
    assert response.redirect_chain == [(contact.get_absolute_url(), 302)]
    assert f"Undone: {contact.name} is a prospect again." in response.content.decode()
    with time_machine.travel(NOW + timedelta(minutes=3), tick=False):
        late = owner_client.post(action, {"token": token}, follow=True)  # past undo.UNDO_SECONDS
    assert "Too late to undo" in late.content.decode()
