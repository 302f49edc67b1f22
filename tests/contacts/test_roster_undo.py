"""R2 and R5 with an undo: a promotion or demotion taken back for a while, with its stage history,
and the cap still holding when a demotion is taken back."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from contacts import roster
from contacts.choices import Circle, Stage
from contacts.models import Contact, StageChange
from netzwerk import undo
from netzwerk.accounts.models import User
from tests.factories import ContactFactory, strong_ties

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
HTMX = {"HX-Request": "true"}
TOKEN = re.compile(
    r'<form class="undo inline" method="post" action="([^"]+)".*?name="token" value="([^"]+)"', re.S
)


def history(contact: Contact) -> list[tuple[str, str, str]]:
    return list(contact.stage_changes.order_by("pk").values_list("from_stage", "to_stage", "cause"))


def state(contact: Contact) -> tuple[str, str, list[tuple[str, str, str]]]:
    contact.refresh_from_db()
    return contact.circle, contact.stage, history(contact)


def act(client: Client, name: str, contact: Contact, **headers: str) -> tuple[Any, str, str]:
    """Promote or demote, and the undo the answer offers."""
    response = client.post(reverse(f"contacts:{name}", args=[contact.pk]), headers=headers)
    found = TOKEN.search(response.content.decode())
    assert found is not None, "no undo offered"
    return response, found.group(1), found.group(2)


@pytest.fixture
def relation(owner: User) -> Contact:
    """Met, then a relationship: the stage a strong tie grows from, with its history."""
    contact: Contact = ContactFactory(owner=owner, first_name="Rita", last_name="Rahmen")
    contact.move_to_stage(Stage.RELATIONSHIP, cause=StageChange.Cause.EDITED, now=NOW - timedelta(days=30))
    return contact


def test_a_promotion_is_undone_with_its_stage_history(owner_client: Client, relation: Contact) -> None:
    before = state(relation)
    with time_machine.travel(NOW, tick=False):
        response, action, token = act(owner_client, "promote", relation, **HTMX)
        assert state(relation)[:2] == (Circle.STRONG, Stage.STRONG_TIE)
        undone = owner_client.post(action, {"token": token}, headers=HTMX)

    assert "Rita Rahmen is now a strong tie." in response.content.decode()
    assert state(relation) == before
    body = undone.content.decode()
    assert "Undone: Rita Rahmen is no longer a strong tie." in body
    assert reverse("contacts:promote", args=[relation.pk]) in body  # the control offers it again
    assert 'data-testid="roster-count">0 / 60<' in body  # the gauge, out of band
    assert "roster-changed" in undone["HX-Trigger"]


def test_a_demotion_is_undone_with_its_stage_history(owner_client: Client, relation: Contact) -> None:
    roster.promote(relation, now=NOW - timedelta(days=10))
    before = state(relation)
    with time_machine.travel(NOW, tick=False):
        response, action, token = act(owner_client, "demote", relation, **HTMX)
        assert state(relation)[:2] == (Circle.REGULAR, Stage.RELATIONSHIP)
        undone = owner_client.post(action, {"token": token}, headers=HTMX)

    assert "Rita Rahmen left the strong ties." in response.content.decode()
    assert state(relation) == before
    assert "Undone: Rita Rahmen is a strong tie again." in undone.content.decode()


def test_undoing_a_demotion_keeps_the_cap(owner: User, owner_client: Client, relation: Contact) -> None:
    owner.strong_tie_cap = 40
    owner.save()
    roster.promote(relation, now=NOW - timedelta(days=10))
    strong_ties(owner, 39)
    with time_machine.travel(NOW, tick=False):
        _response, action, token = act(owner_client, "demote", relation, **HTMX)
        roster.promote(ContactFactory(owner=owner), now=NOW)  # the free slot is taken meanwhile
        after = state(relation)
        refused = owner_client.post(action, {"token": token}, headers=HTMX)

    assert Contact.objects.for_owner(owner).strong_ties().count() == 40
    assert state(relation) == after
    assert "Your strong-tie roster is full (40/40)." in refused.content.decode()


def test_an_undo_after_another_change_is_refused(owner_client: Client, relation: Contact) -> None:
    with time_machine.travel(NOW, tick=False):
        _response, action, token = act(owner_client, "promote", relation, **HTMX)
        owner_client.post(reverse("contacts:demote", args=[relation.pk]), headers=HTMX)
        after = state(relation)
        refused = owner_client.post(action, {"token": token}, headers=HTMX)

    assert "Rita Rahmen has changed since; nothing was undone." in refused.content.decode()
    assert state(relation) == after


def test_the_undo_is_refused_after_two_minutes(owner_client: Client, relation: Contact) -> None:
    with time_machine.travel(NOW, tick=False):
        _response, action, token = act(owner_client, "promote", relation, **HTMX)
    after = state(relation)
    with time_machine.travel(NOW + timedelta(seconds=undo.UNDO_SECONDS + 1), tick=False):
        late = owner_client.post(action, {"token": token}, headers=HTMX)

    assert "Too late to undo: that was more than 2 minutes ago." in late.content.decode()
    assert state(relation) == after


def test_the_undo_is_the_owners_and_takes_post_only(
    owner: User, owner_client: Client, stranger_client: Client, relation: Contact
) -> None:
    other: Contact = ContactFactory(owner=owner)
    with time_machine.travel(NOW, tick=False):
        _response, action, token = act(owner_client, "promote", relation, **HTMX)
        after = state(relation)

        assert stranger_client.post(action, {"token": token}).status_code == 404
        assert owner_client.get(action).status_code == 405
        elsewhere = owner_client.post(
            reverse("contacts:roster_undo", args=[other.pk]), {"token": token}, headers=HTMX
        )

    assert "This cannot be undone." in elsewhere.content.decode()
    assert state(relation) == after


def test_the_undo_works_without_javascript_and_goes_back(owner_client: Client, relation: Contact) -> None:
    roster_page = reverse("contacts:roster")
    with time_machine.travel(NOW, tick=False):
        page = owner_client.post(
            reverse("contacts:promote", args=[relation.pk]), {"next": roster_page}, follow=True
        )
        found = TOKEN.search(page.content.decode())
        assert found is not None
        assert f'name="next" value="{roster_page}"' in page.content.decode()
        undone = owner_client.post(found.group(1), {"token": found.group(2), "next": roster_page})

    assert undone.status_code == 302
    assert undone["Location"] == roster_page
    assert relation.__class__.objects.get(pk=relation.pk).circle == Circle.REGULAR


@pytest.mark.parametrize("ties", [1, 30])
def test_the_undo_takes_the_same_queries_at_any_size(
    owner: User, owner_client: Client, relation: Contact, ties: int, django_assert_num_queries
) -> None:
    strong_ties(owner, ties)
    roster.promote(relation, now=NOW - timedelta(days=10))
    with time_machine.travel(NOW, tick=False):
        _response, action, token = act(owner_client, "demote", relation, **HTMX)
        # session, user, the contact; the undo: savepoint, the owner and the contact locked, the
        # roster counted and the slot checked, the contact saved, its history entry deleted,
        # release; the answer's roster gauge
        with django_assert_num_queries(12):
            owner_client.post(action, {"token": token}, headers=HTMX)


# ---------------------------------------------------------------- archiving, taken back


def archived(client: Client, contact: Contact) -> tuple[str, str]:
    """Archive through the page (a redirect), and the undo the next page offers."""
    response = client.post(reverse("contacts:archive", args=[contact.pk]), follow=True)
    found = TOKEN.search(response.content.decode())
    assert found is not None, "no undo offered"
    return found.group(1), found.group(2)


def test_archiving_a_strong_tie_is_undone_back_onto_the_roster(owner_client: Client, owner: User) -> None:
    (tie,) = strong_ties(owner, 1)
    before = state(tie)

    action, token = archived(owner_client, tie)
    assert state(tie)[:2] == (Circle.REGULAR, Stage.RELATIONSHIP)
    undone = owner_client.post(action, {"token": token}, headers=HTMX)

    assert (undone.status_code, undone["HX-Redirect"]) == (200, tie.get_absolute_url())
    assert state(tie) == before
    assert not Contact.objects.get(pk=tie.pk).is_archived
    assert "active again and a strong tie" in owner_client.get(tie.get_absolute_url()).text
    # taken back once: a second time is refused, nothing changes
    owner_client.post(action, {"token": token})
    assert state(tie) == before


def test_archiving_undone_with_the_roster_full_since_comes_back_regular(
    owner_client: Client, owner: User
) -> None:
    owner.strong_tie_cap = 40
    owner.save(update_fields=["strong_tie_cap"])
    ties = strong_ties(owner, 40)
    action, token = archived(owner_client, ties[0])
    strong_ties(owner, 1)  # the freed place is taken

    owner_client.post(action, {"token": token})

    ties[0].refresh_from_db()
    assert (ties[0].is_archived, ties[0].circle) == (False, Circle.REGULAR)
    assert Contact.objects.filter(owner=owner, circle=Circle.STRONG).count() == 40


def test_an_archiving_undone_after_a_restore_and_archive_again_is_refused(
    owner_client: Client, owner: User
) -> None:
    contact = ContactFactory(owner=owner)
    action, token = archived(owner_client, contact)
    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=5), tick=False):
        owner_client.post(reverse("contacts:unarchive", args=[contact.pk]))
        owner_client.post(reverse("contacts:archive", args=[contact.pk]))

    owner_client.post(action, {"token": token})

    contact.refresh_from_db()
    assert contact.is_archived  # the later archiving stands


def test_an_archiving_undone_after_an_edit_of_its_circle_says_so(owner_client: Client, owner: User) -> None:
    (tie,) = strong_ties(owner, 1)
    action, token = archived(owner_client, tie)
    Contact.objects.filter(pk=tie.pk).update(circle=Circle.LOOSE)  # edited while archived

    owner_client.post(action, {"token": token})

    page = owner_client.get(tie.get_absolute_url()).text
    assert "changed since, it stays in its circle" in page
    assert "strong ties are full" not in page
    assert Contact.objects.get(pk=tie.pk).circle == Circle.LOOSE
