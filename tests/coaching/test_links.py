"""Coach and client: invitation, acceptance, sharing, ending; nothing before acceptance."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from netzwerk.accounts import coaching
from netzwerk.accounts.coaching import make_coach
from netzwerk.accounts.models import COACHES_GROUP, AccessLog, CoachLink, Sharing, Side, User, is_coach
from tests.factories import UserFactory, coach_of, sign_in

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    client = Client()
    sign_in(client, user)
    return client


def test_a_new_user_has_no_coach_and_sees_the_empty_states(owner_client: Client, owner: User) -> None:
    response = owner_client.get(reverse("accounts:coaching"))

    assert CoachLink.objects.count() == 0
    assert "You have no coach" in response.text
    assert "No coach has looked at your data" in response.text


def test_a_client_invites_a_coach_who_accepts_and_becomes_a_coach(
    owner: User, django_capture_on_commit_callbacks: Any
) -> None:
    coach = UserFactory(email="coach@netzwerk.test", first_name="Cora")
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(owner).post(
            reverse("accounts:coaching_invite"),
            {"email": "Coach@Netzwerk.test", "role": "coach", "sharing": Sharing.NAMES},
        )
    assert response.status_code == 302
    link = CoachLink.objects.get()
    assert (link.client, link.coach, link.email, link.sharing) == (
        owner,
        None,
        "coach@netzwerk.test",
        "names",
    )
    assert CoachLink.objects.for_coach(coach).count() == 0  # nothing before acceptance
    (invitation,) = mail.outbox
    assert invitation.to == ["coach@netzwerk.test"]
    assert "/settings/coaching/" in str(invitation.body)

    coach_client = signed_in(coach)
    page = coach_client.get(reverse("accounts:coaching"))
    assert "asks you to be their coach" in page.text
    coach_client.post(reverse("accounts:coaching_accept", kwargs={"pk": link.pk}))

    link.refresh_from_db()
    assert link.coach == coach
    assert link.is_active
    coach.refresh_from_db()
    assert is_coach(coach)
    assert coach.groups.filter(name=COACHES_GROUP).exists()
    assert CoachLink.objects.for_coach(coach).get().client == owner


def test_a_coach_invites_a_client_who_chooses_what_to_share(owner: User) -> None:
    coach = UserFactory(is_staff=True, totp=True)
    make_coach(coach)
    signed_in(coach).post(reverse("accounts:coaching_invite"), {"email": owner.email, "role": "client"})
    link = CoachLink.objects.get()
    assert link.client is None
    assert link.coach == coach

    signed_in(owner).post(reverse("accounts:coaching_accept", kwargs={"pk": link.pk}), {"sharing": "notes"})

    accepted = CoachLink.objects.get(pk=link.pk)
    assert (accepted.client, accepted.sharing, accepted.is_active) == (owner, Sharing.NOTES, True)


def test_only_coaches_can_invite_clients(owner: User, stranger: User) -> None:
    client = signed_in(owner)
    assert 'value="client"' not in client.get(reverse("accounts:coaching")).text

    forged = client.post(reverse("accounts:coaching_invite"), {"email": stranger.email, "role": "client"})

    assert forged.status_code == 422
    assert CoachLink.objects.count() == 0


def test_an_invitation_cannot_be_accepted_by_someone_else_or_without_a_verified_address(
    owner: User, stranger: User
) -> None:
    link = CoachLink.objects.create(client=owner, invited_by="client", email="coach@netzwerk.test")
    unverified = UserFactory(email="coach@netzwerk.test", verified=False)

    for intruder in (stranger, unverified):
        response = signed_in(intruder).post(reverse("accounts:coaching_accept", kwargs={"pk": link.pk}))
        assert response.status_code == 404
    link.refresh_from_db()
    assert link.accepted_at is None
    assert link.coach is None


def test_inviting_yourself_or_twice_is_refused_with_a_message(owner: User) -> None:
    client = signed_in(owner)
    own = client.post(reverse("accounts:coaching_invite"), {"email": owner.email, "role": "coach"})
    assert own.status_code == 422
    assert "your own address" in own.text
    client.post(reverse("accounts:coaching_invite"), {"email": "c@netzwerk.test", "role": "coach"})
    twice = client.post(reverse("accounts:coaching_invite"), {"email": "c@netzwerk.test", "role": "coach"})
    assert twice.status_code == 422
    assert "already invited" in twice.text
    assert CoachLink.objects.count() == 1


def test_the_invitation_reveals_nothing_about_the_address(
    owner: User, stranger: User, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in(owner)
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(reverse("accounts:coaching_invite"), {"email": stranger.email, "role": "coach"})
        unknown = client.post(
            reverse("accounts:coaching_invite"), {"email": "nobody@netzwerk.test", "role": "coach"}
        )

    assert known.status_code == unknown.status_code == 302
    assert len(mail.outbox) == 2


def test_the_client_changes_what_the_coach_sees(owner: User) -> None:
    coach = coach_of(owner)
    link = CoachLink.objects.get()
    signed_in(owner).post(reverse("accounts:coaching_sharing", kwargs={"pk": link.pk}), {"sharing": "notes"})
    assert CoachLink.objects.get().sharing == Sharing.NOTES
    signed_in(owner).post(reverse("accounts:coaching_sharing", kwargs={"pk": link.pk}), {"sharing": "names"})
    # the coach cannot raise it
    response = signed_in(coach).post(
        reverse("accounts:coaching_sharing", kwargs={"pk": link.pk}), {"sharing": "notes"}
    )
    assert response.status_code == 404
    assert CoachLink.objects.get().sharing == Sharing.NAMES


@pytest.mark.parametrize("side", ["client", "coach"])
def test_either_side_ends_the_link_and_the_other_is_told(
    owner: User, side: str, django_capture_on_commit_callbacks: Any
) -> None:
    coach = coach_of(owner, first_name="Cora")
    link = CoachLink.objects.get()
    ender, other = (owner, coach) if side == "client" else (coach, owner)

    with django_capture_on_commit_callbacks(execute=True):
        signed_in(ender).post(reverse("accounts:coaching_end", kwargs={"pk": link.pk}))

    link.refresh_from_db()
    assert link.ended_at is not None
    assert link.ended_by == side
    assert CoachLink.objects.for_coach(coach).count() == 0
    (notice,) = mail.outbox
    assert notice.to == [other.email]


def test_the_client_sees_the_access_log_without_content(owner: User) -> None:
    coach = coach_of(owner, first_name="Cora")
    AccessLog.objects.create(coach=coach, client=owner, action="view", what="contact", object_id=7)
    AccessLog.objects.create(coach=None, client=owner, action="view", what="overview")

    page = signed_in(owner).get(reverse("accounts:access_log"))

    assert "Cora" in page.text
    assert "a contact" in page.text
    assert "#7" in page.text
    assert "a deleted account" in page.text


def test_the_access_log_is_the_clients_own(owner: User, stranger: User) -> None:
    coach = coach_of(owner, first_name="Cora")
    AccessLog.objects.create(coach=coach, client=owner, action="view", what="contact", object_id=7)

    page: Any = signed_in(stranger).get(reverse("accounts:access_log"))

    assert "Cora" not in page.text
    assert "No coach has looked" in page.text


def test_invitations_are_limited_to_ten_a_day(owner: User) -> None:
    client = signed_in(owner)
    for number in range(10):
        client.post(
            reverse("accounts:coaching_invite"), {"email": f"c{number}@netzwerk.test", "role": "coach"}
        )
        CoachLink.objects.filter(email=f"c{number}@netzwerk.test").update(ended_at=timezone.now())

    eleventh = client.post(
        reverse("accounts:coaching_invite"), {"email": "c10@netzwerk.test", "role": "coach"}
    )

    assert eleventh.status_code == 422
    assert "enough invitations for today" in eleventh.text
    assert CoachLink.objects.count() == 10
    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=1)):
        later = client.post(
            reverse("accounts:coaching_invite"), {"email": "c10@netzwerk.test", "role": "coach"}
        )
    assert later.status_code == 302


@pytest.mark.django_db(transaction=True)
def test_parallel_invitations_at_nine_make_ten_not_more(database_vendor: str) -> None:
    """The inviter's row lock serialises the count and the insert (SQLite: IMMEDIATE mode)."""
    inviter = UserFactory()
    now = timezone.now()
    for number in range(9):
        CoachLink.objects.create(client=inviter, invited_by="client", email=f"c{number}@netzwerk.test")
    barrier = threading.Barrier(3)
    outcomes: list[str] = []

    def invite(number: int) -> None:
        try:
            barrier.wait()
            coaching.invite(inviter, as_side=Side.CLIENT, email=f"neu{number}@netzwerk.test", now=now)
            outcomes.append("sent")
        except coaching.CoachingError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=invite, args=(number,)) for number in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["refused", "refused", "sent"]
    assert CoachLink.objects.filter(client=inviter).count() == 10
