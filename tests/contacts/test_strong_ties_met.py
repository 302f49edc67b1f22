"""R5 with R2: only a contact met in person joins the strong ties, and the circle and the stage
tell one story, on every path that makes or unmakes a strong tie."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.contrib.admin.sites import site as admin_site
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import Client, RequestFactory
from django.urls import reverse

from contacts import roster
from contacts.admin import ContactAdmin
from contacts.choices import Channel, Circle, Stage
from contacts.models import Contact, StageChange
from netzwerk.accounts.models import User
from tests.factories import ContactFactory, UserFactory, contact_form_data, strong_ties
from touchpoints import ledger
from touchpoints.kinds import Kind

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def online(owner: User, **fields: object) -> Contact:
    return ContactFactory(owner=owner, circle=Circle.LOOSE, stage=Stage.ONLINE, **fields)


def history(contact: Contact) -> list[tuple[str, str, str]]:
    """In the order recorded: (from, to, cause)."""
    changes = contact.stage_changes.order_by("pk")
    return [(c.from_stage, c.to_stage, c.cause) for c in changes]


# ---------------------------------------------------------------- the rule, in the roster


def test_it_refuses_to_promote_a_contact_known_only_online(owner: User) -> None:
    contact = online(owner)

    with pytest.raises(roster.NotMetYet):
        roster.promote(contact, now=NOW)

    assert (contact.circle, contact.stage) == (Circle.LOOSE, Stage.ONLINE)  # in memory too
    contact.refresh_from_db()
    assert (contact.circle, contact.stage) == (Circle.LOOSE, Stage.ONLINE)
    assert not contact.stage_changes.exists()


def test_it_refuses_a_new_contact_saved_as_an_online_strong_tie(owner: User) -> None:
    with pytest.raises(roster.NotMetYet):
        roster.save_contact(Contact(owner=owner, last_name="Neu", circle=Circle.STRONG), now=NOW)

    assert not Contact.objects.for_owner(owner).exists()


def test_a_swap_for_a_contact_known_only_online_demotes_nobody(owner: User) -> None:
    (leaving,) = strong_ties(owner, 1)
    contact = online(owner)

    with pytest.raises(roster.NotMetYet):
        roster.swap(promote_contact=contact, demote_contact=leaving, now=NOW)

    assert (leaving.circle, leaving.stage) == (Circle.STRONG, Stage.STRONG_TIE)
    leaving.refresh_from_db()
    assert (leaving.circle, leaving.stage) == (Circle.STRONG, Stage.STRONG_TIE)


@pytest.mark.parametrize("stage", [Stage.MET, Stage.RELATIONSHIP])
def test_joining_the_strong_ties_moves_the_stage_with_its_history(owner: User, stage: str) -> None:
    contact = ContactFactory(owner=owner, stage=stage)

    roster.promote(contact, now=NOW)

    contact.refresh_from_db()
    assert (contact.circle, contact.stage) == (Circle.STRONG, Stage.STRONG_TIE)
    assert history(contact) == [(stage, Stage.STRONG_TIE, StageChange.Cause.JOINED_STRONG_TIES)]
    assert contact.stage_changes.get().changed_at == NOW


def test_leaving_the_strong_ties_moves_the_stage_back_with_its_history(owner: User) -> None:
    (tie,) = strong_ties(owner, 1)

    roster.demote(tie, now=NOW)

    tie.refresh_from_db()
    assert (tie.circle, tie.stage) == (Circle.REGULAR, Stage.RELATIONSHIP)
    assert history(tie)[-1] == (Stage.STRONG_TIE, Stage.RELATIONSHIP, StageChange.Cause.DEMOTED)


def test_a_swap_tells_both_stories(owner: User) -> None:
    (leaving,) = strong_ties(owner, 1)
    contact = ContactFactory(owner=owner, stage=Stage.MET)

    roster.swap(promote_contact=contact, demote_contact=leaving, now=NOW)

    leaving.refresh_from_db()
    contact.refresh_from_db()
    assert (leaving.circle, leaving.stage) == (Circle.REGULAR, Stage.RELATIONSHIP)
    assert (contact.circle, contact.stage) == (Circle.STRONG, Stage.STRONG_TIE)


def test_an_archived_strong_tie_leaves_the_strong_ties_at_relationship(owner: User) -> None:
    (tie,) = strong_ties(owner, 1)

    tie.archive(now=NOW)

    tie.refresh_from_db()
    assert (tie.circle, tie.stage) == (Circle.REGULAR, Stage.RELATIONSHIP)
    assert history(tie)[-1] == (Stage.STRONG_TIE, Stage.RELATIONSHIP, StageChange.Cause.ARCHIVED)


# ---------------------------------------------------------------- every caller shows the way


@pytest.mark.parametrize("htmx", [False, True])
def test_the_promote_button_shows_the_way_forward(owner: User, owner_client: Client, htmx: bool) -> None:
    contact = online(owner, first_name="Ute", last_name="Online")
    headers = {"HX-Request": "true"} if htmx else {}

    response = owner_client.post(reverse("contacts:promote", args=[contact.pk]), headers=headers, follow=True)

    body = response.content.decode()
    assert "You have not met Ute Online in person yet" in body
    assert (
        f'<a href="{reverse("touchpoints:panel", args=[contact.pk])}">Log your first meeting with Ute' in body
    )
    contact.refresh_from_db()
    assert contact.circle == Circle.LOOSE


def test_the_swap_button_shows_the_way_forward(owner: User, owner_client: Client) -> None:
    (leaving,) = strong_ties(owner, 1)
    contact = online(owner, first_name="Ute", last_name="Online")

    response = owner_client.post(reverse("contacts:swap", args=[contact.pk, leaving.pk]), follow=True)

    assert "Log your first meeting with Ute Online" in response.content.decode()
    assert Contact.objects.get(pk=leaving.pk).circle == Circle.STRONG


def test_the_admin_action_refuses_a_contact_known_only_online(owner: User) -> None:
    superuser = UserFactory(is_staff=True, is_superuser=True, totp=True)
    contact = online(owner)
    request = RequestFactory().post("/admin/contacts/contact/")
    request.user = superuser
    request.session = {}  # type: ignore[assignment]
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]

    ContactAdmin(Contact, admin_site).promote_to_strong_tie(request, Contact.objects.filter(pk=contact.pk))

    assert Contact.objects.get(pk=contact.pk).circle == Circle.LOOSE
    assert "not met in person yet" in " ".join(str(m) for m in request._messages)  # type: ignore[attr-defined]


# ---------------------------------------------------------------- the contact form


def test_the_form_refuses_an_online_strong_tie_with_a_field_error(owner: User, owner_client: Client) -> None:
    data = contact_form_data(circle=Circle.STRONG, stage=Stage.ONLINE)

    response = owner_client.post(reverse("contacts:create"), data)

    assert response.status_code == 200
    assert "Only someone you have met in person can be a strong tie: log your first meeting first." in (
        response.content.decode()
    )
    assert not Contact.objects.for_owner(owner).exists()


def test_the_form_refuses_promoting_an_online_contact(owner: User, owner_client: Client) -> None:
    contact = online(owner, first_name="Ute", last_name="Online")
    data = contact_form_data(first_name="Ute", last_name="Online", circle=Circle.STRONG, stage=Stage.ONLINE)

    response = owner_client.post(reverse("contacts:edit", args=[contact.pk]), data)

    assert response.status_code == 200
    assert "log your first meeting first" in response.content.decode()
    assert Contact.objects.get(pk=contact.pk).circle == Circle.LOOSE


def test_the_form_adds_a_strong_tie_at_the_strong_tie_stage(owner: User, owner_client: Client) -> None:
    owner_client.post(reverse("contacts:create"), contact_form_data(circle=Circle.STRONG, stage=Stage.MET))

    contact = Contact.objects.for_owner(owner).get()
    assert (contact.circle, contact.stage) == (Circle.STRONG, Stage.STRONG_TIE)
    assert history(contact) == [("", Stage.STRONG_TIE, StageChange.Cause.CREATED)]


def test_the_form_promotes_and_records_why(owner: User, owner_client: Client) -> None:
    contact = ContactFactory(owner=owner, first_name="Ute", stage=Stage.MET)
    data = contact_form_data(first_name="Ute", circle=Circle.STRONG, stage=Stage.RELATIONSHIP)

    owner_client.post(reverse("contacts:edit", args=[contact.pk]), data)

    contact.refresh_from_db()
    assert contact.stage == Stage.STRONG_TIE
    assert history(contact) == [
        (Stage.MET, Stage.RELATIONSHIP, StageChange.Cause.EDITED),
        (Stage.RELATIONSHIP, Stage.STRONG_TIE, StageChange.Cause.JOINED_STRONG_TIES),
    ]


def test_the_form_demotes_and_records_why(owner: User, owner_client: Client) -> None:
    (tie,) = strong_ties(owner, 1)
    data = contact_form_data(
        first_name=tie.first_name, last_name=tie.last_name, circle=Circle.REGULAR, stage=Stage.STRONG_TIE
    )

    response = owner_client.post(reverse("contacts:edit", args=[tie.pk]), data)

    assert response.status_code == 302
    tie.refresh_from_db()
    assert (tie.circle, tie.stage) == (Circle.REGULAR, Stage.RELATIONSHIP)
    assert history(tie)[-1] == (Stage.STRONG_TIE, Stage.RELATIONSHIP, StageChange.Cause.DEMOTED)


def test_a_strong_ties_stage_stays_with_its_circle_in_the_form(owner: User, owner_client: Client) -> None:
    (tie,) = strong_ties(owner, 1)
    data = contact_form_data(
        first_name=tie.first_name, last_name=tie.last_name, circle=Circle.STRONG, stage=Stage.MET
    )

    owner_client.post(reverse("contacts:edit", args=[tie.pk]), data)

    tie.refresh_from_db()
    assert tie.stage == Stage.STRONG_TIE
    assert history(tie)[-1][1] == Stage.STRONG_TIE


# ---------------------------------------------------------------- R1: met at an event


@pytest.mark.parametrize(
    ("how_met", "expected"),
    [
        (Channel.EVENT, Stage.MET),
        (Channel.CLUB, Stage.MET),
        (Channel.TRADE_FAIR, Stage.MET),
        (Channel.LINKEDIN, Stage.ONLINE),
        (Channel.REFERRAL, Stage.ONLINE),
    ],
)
def test_a_contact_met_at_an_event_starts_met_in_person(
    owner: User, owner_client: Client, how_met: str, expected: str
) -> None:
    owner_client.post(reverse("contacts:create"), contact_form_data(how_met=how_met, stage=Stage.ONLINE))

    contact = Contact.objects.for_owner(owner).get()
    assert contact.stage == expected
    assert history(contact) == [("", expected, StageChange.Cause.CREATED)]


def test_a_contact_met_at_a_fair_can_be_added_as_a_strong_tie(owner: User, owner_client: Client) -> None:
    data = contact_form_data(how_met=Channel.TRADE_FAIR, circle=Circle.STRONG, stage=Stage.ONLINE)

    owner_client.post(reverse("contacts:create"), data)

    contact = Contact.objects.for_owner(owner).get()
    assert (contact.circle, contact.stage) == (Circle.STRONG, Stage.STRONG_TIE)


@pytest.mark.parametrize("stage", [Stage.MET, Stage.RELATIONSHIP, Stage.STRONG_TIE])
def test_a_stage_typed_in_the_form_does_not_stand_in_for_meeting_an_online_contact(
    owner: User, owner_client: Client, stage: str
) -> None:
    """Met on LinkedIn, never met in person: choosing a later stage in the form is no way around
    the first meeting (the online-only reminder would still ask for it)."""
    data = contact_form_data(how_met=Channel.LINKEDIN, circle=Circle.STRONG, stage=stage)

    response = owner_client.post(reverse("contacts:create"), data)

    assert response.status_code == 200
    assert "log your first meeting first" in response.content.decode()
    assert not Contact.objects.for_owner(owner).exists()


def test_editing_the_stage_of_an_online_contact_does_not_make_it_a_strong_tie(
    owner: User, owner_client: Client
) -> None:
    contact = online(owner, first_name="Nina", last_name="Netz", how_met=Channel.LINKEDIN)
    data = contact_form_data(
        first_name="Nina", last_name="Netz", how_met=Channel.LINKEDIN, circle=Circle.STRONG, stage=Stage.MET
    )

    owner_client.post(reverse("contacts:edit", args=[contact.pk]), data)

    contact.refresh_from_db()
    assert contact.circle == Circle.LOOSE
    with pytest.raises(roster.NotMetYet):
        roster.promote(Contact.objects.get(pk=contact.pk), now=NOW)


@pytest.mark.parametrize("how_met", ["", Channel.EVENT])
def test_changing_the_origin_in_the_same_step_does_not_make_an_online_contact_a_strong_tie(
    owner: User, owner_client: Client, how_met: str
) -> None:
    """Clearing "how met" (or typing an event) with the strong circle in one edit: the stored
    origin, LinkedIn, still asks for the first meeting."""
    contact = online(owner, first_name="Nina", last_name="Netz", how_met=Channel.LINKEDIN)
    data = contact_form_data(
        first_name="Nina", last_name="Netz", how_met=how_met, circle=Circle.STRONG, stage=Stage.MET
    )

    response = owner_client.post(reverse("contacts:edit", args=[contact.pk]), data)

    assert "log your first meeting first" in response.content.decode()
    contact.refresh_from_db()
    assert (contact.circle, contact.how_met) == (Circle.LOOSE, Channel.LINKEDIN)


def test_an_online_contact_joins_once_a_meeting_is_logged(owner: User, owner_client: Client) -> None:
    contact = online(owner, first_name="Nina", last_name="Netz", how_met=Channel.LINKEDIN)
    ledger.log_touch(contact, kind=Kind.MEETING, happened_at=NOW)
    data = contact_form_data(
        first_name="Nina", last_name="Netz", how_met=Channel.LINKEDIN, circle=Circle.STRONG, stage=Stage.MET
    )

    owner_client.post(reverse("contacts:edit", args=[contact.pk]), data)

    contact.refresh_from_db()
    assert (contact.circle, contact.stage) == (Circle.STRONG, Stage.STRONG_TIE)


def test_a_constraint_speaks_the_users_language_beside_another_error(
    owner: User, owner_client: Client
) -> None:
    """A loose contact at the strong-tie stage with an impossible birthday: the clean() that
    explains the stage stops at the birthday, and the constraint answers, in words, not by name."""
    data = contact_form_data(
        circle=Circle.LOOSE, stage=Stage.STRONG_TIE, birthday_day="31", birthday_month="2"
    )

    body = owner_client.post(reverse("contacts:create"), data).content.decode()

    assert "contact_strong_tie_stage_in_strong_circle" not in body
    assert "The strong-tie stage belongs to contacts in the strong-tie circle." in body
    for constraint in Contact._meta.constraints:
        if constraint.name.startswith("contact_") and "valid" not in constraint.name:
            assert constraint.violation_error_message != constraint.default_violation_error_message, (
                constraint
            )


def test_promoting_on_the_contacts_page_says_the_new_circle_and_stage_in_its_facts(
    owner: User, owner_client: Client
) -> None:
    contact = ContactFactory(
        owner=owner, first_name="Jürgen", circle=Circle.REGULAR, stage=Stage.RELATIONSHIP
    )
    page = contact.get_absolute_url()
    headers = {"HX-Request": "true", "HX-Current-URL": f"http://testserver{page}"}

    on_page = owner_client.post(
        reverse("contacts:promote", args=[contact.pk]), headers=headers
    ).content.decode()
    elsewhere = owner_client.post(
        reverse("contacts:demote", args=[contact.pk]),
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/contacts/"},
    ).content.decode()

    circle = re.search(r'<dd id="contact-circle"[^>]*hx-swap-oob="true">([^<]*)</dd>', on_page)
    stage = re.search(r'<dd id="contact-stage"[^>]*hx-swap-oob="true">([^<]*)</dd>', on_page)
    assert circle is not None
    assert stage is not None
    assert (circle[1], stage[1]) == ("Strong tie", "Strong tie")
    assert 'id="contact-circle"' not in elsewhere  # the list has no such facts to update
