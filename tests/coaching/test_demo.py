"""The demo has a coach with two clients: the demo user sharing names, a second sharing health."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from contacts import demo
from contacts.models import Contact
from netzwerk.accounts.models import CoachLink, Sharing, User, is_coach

pytestmark = pytest.mark.django_db


def test_the_demo_coach_has_two_clients_and_a_second_run_adds_nothing() -> None:
    out = StringIO()
    call_command("seed_demo", "--contacts", "20", "--touchpoints", "40", stdout=out)
    call_command("seed_demo", "--contacts", "20", "--touchpoints", "40", stdout=StringIO())

    coach = User.objects.get(email=demo.DEMO_COACH_EMAIL)
    links = {str(link.client): link.sharing for link in CoachLink.objects.for_coach(coach)}
    assert is_coach(coach)
    assert links == {demo.DEMO_EMAIL: Sharing.NAMES, demo.DEMO_CLIENT_EMAIL: Sharing.HEALTH}
    assert Contact.objects.filter(owner__email=demo.DEMO_CLIENT_EMAIL).count() == 10
    assert CoachLink.objects.count() == 2
    assert "coach@netzwerk.example" in out.getvalue()
