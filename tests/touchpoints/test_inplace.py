"""A touch logged in place: on the contact page the rules panel and the stage come along out of
band; in the quick log the touch can be undone for a while."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from contacts.choices import Channel, Stage
from contacts.models import Contact, StageChange
from netzwerk import undo
from netzwerk.accounts.models import User
from tests.factories import ContactFactory
from tests.reminders.test_today_inplace import oob, undo_form
from touchpoints import ledger
from touchpoints.kinds import Kind
from touchpoints.models import Touchpoint

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
HTMX = {"HX-Request": "true"}


@pytest.fixture
def online(owner: User) -> Contact:
    """Known only from LinkedIn, last written to 40 days ago."""
    with time_machine.travel(NOW - timedelta(days=60), tick=False):
        made: Contact = ContactFactory(
            owner=owner, first_name="Olga", last_name="Online", how_met=Channel.LINKEDIN, stage=Stage.ONLINE
        )
    ledger.log_touch(made, kind=Kind.EMAIL, happened_at=NOW - timedelta(days=40))
    made.refresh_from_db()
    return made


def log_on_page(client: Client, contact: Contact, kind: str) -> str:
    response = client.post(
        reverse("touchpoints:log", args=[contact.pk]),
        {"kind": kind},
        headers={**HTMX, "HX-Current-URL": f"http://testserver{contact.get_absolute_url()}"},
    )
    assert "touch-logged" in response["HX-Trigger"]
    return response.content.decode()


def test_a_touch_logged_on_the_contact_page_brings_its_panel_and_stage(
    owner_client: Client, online: Contact
) -> None:
    with time_machine.travel(NOW, tick=False):
        page = owner_client.get(online.get_absolute_url()).content.decode()
        body = log_on_page(owner_client, online, Kind.MEETING)

    assert "40 days since the last touch" in page

    assert body.lstrip().startswith('<section id="touches"')  # the main swap, as before
    status = oob(body, "contact-status")
    assert "last touch today" in status
    assert "First personal touch" in status
    assert oob(body, "contact-stage") == "Met in person"


def test_the_panel_on_its_own_page_brings_nothing_out_of_band(owner_client: Client, online: Contact) -> None:
    response = owner_client.post(
        reverse("touchpoints:log", args=[online.pk]),
        {"kind": Kind.CALL},
        headers={
            **HTMX,
            "HX-Current-URL": f"http://testserver{reverse('touchpoints:panel', args=[online.pk])}",
        },
    )

    body = response.content.decode()
    assert 'id="contact-status"' not in body
    assert 'id="contact-stage"' not in body


@pytest.mark.parametrize("touches", [1, 30])
def test_a_log_on_the_contact_page_takes_the_same_queries_at_any_size(
    owner_client: Client, online: Contact, touches: int, django_assert_num_queries
) -> None:
    for day in range(touches):
        ledger.log_touch(online, kind=Kind.EMAIL, happened_at=NOW - timedelta(days=39 - day % 30))
    # session, user, the contact (3); the form's three constraint checks, each in a savepoint (9);
    # the log: savepoint, lock, insert, summary read and saved, the milestone's entry and stage,
    # release (8: the ledger does not re-run the form's checks); out of band the rules panel's
    # contact, its stage history and its merges (3: not the rest of the page's relations, nor the
    # roster, which the panel does not show); the timeline's count and page (2). The status
    # panel's own reload, a request of 12 queries, is no longer needed.
    with time_machine.travel(NOW, tick=False), django_assert_num_queries(27):
        log_on_page(owner_client, online, Kind.MEETING)


def quick_log(client: Client, contact: Contact, **headers: str) -> tuple[str, str, str]:
    response = client.post(
        reverse("touchpoints:quick"), {"contact": contact.pk, "kind": Kind.CALL}, headers=headers
    )
    body = response.content.decode()
    action, token = undo_form(body)
    return body, action, token


def test_the_quick_log_offers_an_undo_that_takes_the_touch_back(
    owner_client: Client, online: Contact
) -> None:
    before = (online.last_touch_at, online.first_personal_touch_at, online.touch_count, online.stage)
    with time_machine.travel(NOW, tick=False):
        _body, action, token = quick_log(owner_client, online, **HTMX)
        logged = Touchpoint.objects.get(contact=online, kind=Kind.CALL)
        undone = owner_client.post(action, {"token": token}, headers=HTMX)

    body = undone.content.decode()
    assert action == reverse("touchpoints:undo", args=[logged.pk])
    assert not Touchpoint.objects.filter(pk=logged.pk).exists()
    online.refresh_from_db()
    assert (online.last_touch_at, online.first_personal_touch_at, online.touch_count, online.stage) == before
    assert not StageChange.objects.filter(
        contact=online, cause=StageChange.Cause.FIRST_PERSONAL_TOUCH
    ).exists()
    assert "touch-logged" in undone["HX-Trigger"]
    assert body.lstrip().startswith('<section id="quick-log"')
    assert "Undone: Call with Olga Online deleted." in body


def test_an_undo_never_takes_back_a_touch_edited_since(owner_client: Client, online: Contact) -> None:
    """The undo offered a call just logged; edited into a meeting with a note and a promise since,
    it is no longer that call: the undo is refused and the touch stays as edited."""
    with time_machine.travel(NOW, tick=False):
        _body, action, token = quick_log(owner_client, online, **HTMX)
        logged = Touchpoint.objects.get(contact=online, kind=Kind.CALL)
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        owner_client.post(
            reverse("touchpoints:edit", args=[logged.pk]),
            {
                "kind": Kind.MEETING,
                "note": "Lange geredet",
                "promise": "Angebot",
                "promise_due": "2026-12-10",
            },
        )
        undone = owner_client.post(action, {"token": token}, headers=HTMX)

    logged.refresh_from_db()
    assert (logged.kind, logged.note, logged.promise) == (Kind.MEETING, "Lange geredet", "Angebot")
    assert "It was changed since, so nothing was undone." in undone.content.decode()


def test_the_quick_log_undo_works_without_javascript(owner_client: Client, online: Contact) -> None:
    with time_machine.travel(NOW, tick=False):
        page = owner_client.post(
            reverse("touchpoints:quick"), {"contact": online.pk, "kind": Kind.CALL}, follow=True
        )
        action, token = undo_form(page.content.decode())
        undone = owner_client.post(action, {"token": token}, follow=True)

    assert undone.redirect_chain == [(reverse("touchpoints:quick"), 302)]
    assert "Undone: Call with Olga Online deleted." in undone.content.decode()
    assert not Touchpoint.objects.filter(contact=online, kind=Kind.CALL).exists()


def test_the_quick_log_undo_is_refused_late_for_strangers_and_for_get(
    owner_client: Client, stranger_client: Client, online: Contact
) -> None:
    with time_machine.travel(NOW, tick=False):
        _body, action, token = quick_log(owner_client, online, **HTMX)
        assert stranger_client.post(action, {"token": token}).status_code == 404
        assert owner_client.get(action).status_code == 405
    with time_machine.travel(NOW + timedelta(seconds=undo.UNDO_SECONDS + 1), tick=False):
        late = owner_client.post(action, {"token": token}, headers=HTMX)

    assert "Too late to undo" in late.content.decode()
    assert "touch-logged" not in late.headers.get("HX-Trigger", "")
    assert Touchpoint.objects.filter(contact=online, kind=Kind.CALL).exists()


def test_a_today_token_does_not_undo_in_the_quick_log(
    owner: User, owner_client: Client, online: Contact
) -> None:
    touch = ledger.log_touch(online, kind=Kind.CALL, happened_at=NOW)
    token = undo.sign(owner.pk, "today-log", pk=touch.pk, kind="cadence")

    response = owner_client.post(reverse("touchpoints:undo", args=[touch.pk]), {"token": token}, headers=HTMX)

    assert "This cannot be undone." in response.content.decode()
    assert Touchpoint.objects.filter(pk=touch.pk).exists()


@pytest.mark.parametrize("touches", [1, 30])
def test_the_quick_log_undo_takes_the_same_queries_at_any_size(
    owner_client: Client, online: Contact, touches: int, django_assert_num_queries
) -> None:
    for day in range(touches):
        ledger.log_touch(online, kind=Kind.EMAIL, happened_at=NOW - timedelta(days=39 - day % 30))
    with time_machine.travel(NOW, tick=False):
        _body, action, token = quick_log(owner_client, online, **HTMX)
        # session, user, the touch; the take-back: savepoint, lock, the touch deleted with its
        # states and import links, summary read and saved, the milestone found, the stage saved and
        # its entry deleted, release; the contact's name for the message. The fresh quick form: none.
        with django_assert_num_queries(15):
            owner_client.post(action, {"token": token}, headers=HTMX)


def test_the_undo_button_sits_in_a_message(owner_client: Client, online: Contact) -> None:
    body, _action, _token = quick_log(owner_client, online, **HTMX)

    message = re.search(r'<div class="flash flash-success">(.*?)</div>', body, re.S)
    assert message is not None
    assert 'data-undo-seconds="10"' in message.group(1)
    assert 'hx-target="#quick-log"' in message.group(1)


@pytest.mark.parametrize("htmx", [True, False])
def test_a_touch_logged_on_the_contact_page_can_be_undone_there(
    owner_client: Client, online: Contact, htmx: bool
) -> None:
    """A kind button on the contact page is a one-click log too: its undo takes the touch back
    and brings the contact's page again (with JavaScript by htmx's redirect)."""
    before = (online.last_touch_at, online.touch_count, online.stage)
    with time_machine.travel(NOW, tick=False):
        action, token = undo_form(log_on_page(owner_client, online, Kind.MEETING))
        undone = owner_client.post(action, {"token": token}, headers=HTMX if htmx else {})

    assert not Touchpoint.objects.filter(contact=online, kind=Kind.MEETING).exists()
    online.refresh_from_db()
    assert (online.last_touch_at, online.touch_count, online.stage) == before
    page = online.get_absolute_url()
    assert (undone["HX-Redirect"] if htmx else undone["Location"]) == page


def test_a_refused_undo_on_the_contact_page_brings_that_page_again(
    owner_client: Client, online: Contact
) -> None:
    """Edited since, the undo is refused: the answer must still be the contact's page (htmx
    replaces the whole body with it), never the quick log's form in its place."""
    with time_machine.travel(NOW, tick=False):
        action, token = undo_form(log_on_page(owner_client, online, Kind.MEETING))
        touch = Touchpoint.objects.get(contact=online, kind=Kind.MEETING)
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        ledger.edit_touch(touch, note="bearbeitet")
        refused = owner_client.post(action, {"token": token, "next": online.get_absolute_url()}, headers=HTMX)

    assert refused["HX-Redirect"] == online.get_absolute_url()
    assert Touchpoint.objects.filter(pk=touch.pk).exists()
