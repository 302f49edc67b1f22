"""R6 at the target on Today: the prospect's item asks "customer" or "not now", in one click."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from contacts.choices import ProspectStatus
from contacts.models import Contact
from netzwerk.accounts.models import User
from reminders import due
from reminders.models import ItemKind, ReminderState
from tests.factories import ContactFactory
from tests.reminders.conftest import DAY, NOW, at
from touchpoints.models import Touchpoint

MINUTE = timedelta(minutes=1)  # within undo.UNDO_SECONDS


@pytest.fixture
def at_target(owner: User) -> Contact:
    """Seven touches as a prospect (the default target), the last three days ago."""
    contact: Contact = ContactFactory(
        owner=owner,
        first_name="Ziel",
        prospect_status=ProspectStatus.PROSPECT,
        prospect_since=NOW - 90 * DAY,
        prospect_touches=7,
        last_touch_at=NOW - 3 * DAY,
    )
    return contact


def item_html(page: str, contact: Contact) -> str:
    found = re.search(rf'data-key="prospect:{contact.pk}">(.*?)</li>', page, re.S)
    assert found is not None
    return found.group(1)


def decide(client: Client, contact: Contact, **data: str):
    url = reverse("reminders:contact_item", args=[contact.pk])
    with at(NOW):
        return client.post(url, {"kind": "prospect", **data}, HTTP_HX_REQUEST="true")


def test_at_the_target_the_item_asks_for_the_outcome_only(owner_client: Client, at_target: Contact) -> None:
    with at(NOW):
        page = owner_client.get(reverse("reminders:today")).content.decode()

    item = item_html(page, at_target)
    assert "Target reached: customer or not now? Record the outcome." in item
    assert re.findall(r'name="outcome" value="(\w+)"[^>]*>([^<]+)<', item) == [
        ("customer", "Became a customer"),
        ("not_now", "Not now"),
    ]
    assert 'name="log"' not in item  # another touch does not decide it
    assert 'data-testid="done"' not in item
    assert 'name="days"' in item  # it can wait


@pytest.mark.parametrize(("outcome", "label"), [("customer", "Customer"), ("not_now", "Not now")])
def test_one_click_records_the_outcome_and_the_item_goes(
    owner: User, owner_client: Client, at_target: Contact, outcome: str, label: str
) -> None:
    response = decide(owner_client, at_target, outcome=outcome)

    at_target.refresh_from_db()
    assert (at_target.prospect_status, at_target.prospect_outcome_at) == (outcome, NOW)
    body = response.content.decode()
    assert f"{at_target.name}: {label}." in body
    assert f'data-key="prospect:{at_target.pk}"' not in body
    assert due.section_for(owner, ItemKind.PROSPECT, now=NOW).total == 0
    assert not ReminderState.objects.exists()  # decided, not hidden
    assert not Touchpoint.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"outcome": "prospect"},  # no outcome
        {"outcome": "none"},
        {"action": "decide"},  # without one
        {"kind": "cadence", "outcome": "customer"},  # only a prospect's item decides
    ],
)
def test_what_is_no_outcome_changes_nothing(
    owner_client: Client, at_target: Contact, data: dict[str, str]
) -> None:
    response = decide(owner_client, at_target, **data)

    assert response.status_code == 400
    at_target.refresh_from_db()
    assert at_target.prospect_status == ProspectStatus.PROSPECT
    assert at_target.prospect_outcome_at is None


def test_an_outcome_decided_meanwhile_is_not_decided_again(owner_client: Client, at_target: Contact) -> None:
    with at(NOW - DAY):
        at_target.decide_prospect(ProspectStatus.CUSTOMER, now=NOW - DAY)

    response = decide(owner_client, at_target, outcome="not_now")

    at_target.refresh_from_db()
    assert (at_target.prospect_status, at_target.prospect_outcome_at) == (ProspectStatus.CUSTOMER, NOW - DAY)
    assert "Only a prospect can become a customer" in response.content.decode()


UNDO = re.compile(
    r'<form class="undo inline" method="post" action="([^"]+)".*?name="token" value="([^"]+)"', re.S
)


def undo_of(body: str) -> tuple[str, str]:
    found = UNDO.search(body)
    assert found is not None, "no undo offered"
    return found.group(1), found.group(2)


@pytest.mark.parametrize("outcome", ["customer", "not_now"])
def test_an_outcome_is_undone_and_the_prospect_is_back_in_its_section(
    owner: User, owner_client: Client, at_target: Contact, outcome: str
) -> None:
    action, token = undo_of(decide(owner_client, at_target, outcome=outcome).content.decode())
    with at(NOW):
        undone = owner_client.post(action, {"token": token}, HTTP_HX_REQUEST="true")

    at_target.refresh_from_db()
    assert action == reverse("reminders:decide_undo", args=[at_target.pk])
    assert (at_target.prospect_status, at_target.prospect_outcome_at) == (ProspectStatus.PROSPECT, None)
    assert at_target.prospect_touches == 7  # counted as before
    body = undone.content.decode()
    assert body.lstrip().startswith('<section id="today-prospect"')
    assert f'data-key="prospect:{at_target.pk}"' in body
    assert f"Undone: {at_target.name} is a prospect again." in body


def test_an_outcome_changed_since_is_not_undone(owner_client: Client, at_target: Contact) -> None:
    action, token = undo_of(decide(owner_client, at_target, outcome="customer").content.decode())
    at_target.refresh_from_db()
    at_target.prospect_status = ProspectStatus.NONE  # changed in the form meanwhile
    at_target.save(update_fields=["prospect_status"])

    with at(NOW):
        undone = owner_client.post(action, {"token": token}, HTTP_HX_REQUEST="true")

    at_target.refresh_from_db()
    assert at_target.prospect_status == ProspectStatus.NONE
    assert "has changed since; nothing was undone." in undone.content.decode()


def test_an_outcome_token_undoes_no_other_contact(
    owner: User, owner_client: Client, at_target: Contact
) -> None:
    other = ContactFactory(owner=owner, prospect_status=ProspectStatus.CUSTOMER)
    _action, token = undo_of(decide(owner_client, at_target, outcome="customer").content.decode())

    with at(NOW):
        owner_client.post(reverse("reminders:decide_undo", args=[other.pk]), {"token": token})

    other.refresh_from_db()
    assert other.prospect_status == ProspectStatus.CUSTOMER


def test_an_outcome_undo_works_once_and_not_on_a_later_decision(
    owner_client: Client, at_target: Contact
) -> None:
    action, token = undo_of(decide(owner_client, at_target, outcome="customer").content.decode())
    with at(NOW):
        owner_client.post(action, {"token": token}, HTTP_HX_REQUEST="true")
    with at(NOW + MINUTE):
        owner_client.post(
            reverse("reminders:contact_item", args=[at_target.pk]),
            {"kind": "prospect", "outcome": "customer"},
            HTTP_HX_REQUEST="true",
        )  # decided again, a minute later

        replayed = owner_client.post(action, {"token": token}, HTTP_HX_REQUEST="true")

    at_target.refresh_from_db()
    assert (at_target.prospect_status, at_target.prospect_outcome_at) == (
        ProspectStatus.CUSTOMER,
        NOW + MINUTE,
    )
    assert "has changed since; nothing was undone." in replayed.content.decode()
