"""The data migration that brings existing contacts in line with R1, R2 and R5 (contacts 0008),
run on rows the old rules allowed, with the real apps registry."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime
from typing import Any

import pytest
from django.apps import apps

from contacts.choices import Channel, Circle, Stage
from contacts.models import Contact, StageChange
from netzwerk.accounts.models import User
from tests.factories import ContactFactory

migration = importlib.import_module("contacts.migrations.0008_stages_follow_the_rules")
MET_AT = datetime(2025, 5, 1, 9, 0, tzinfo=UTC)


def stored_as(owner: User, **fields: Any) -> Contact:
    """A contact as the old rules could leave it (written past the roster)."""
    contact = ContactFactory(owner=owner)
    Contact.objects.filter(pk=contact.pk).update(**fields)
    return contact


def after(contact: Contact) -> tuple[str, str, list[tuple[str, str]]]:
    contact.refresh_from_db()
    moves = contact.stage_changes.filter(cause=StageChange.Cause.BROUGHT_IN_LINE).order_by("pk")
    return contact.circle, contact.stage, [(m.from_stage, m.to_stage) for m in moves]


CASES = [
    # before: circle, stage, how met, met in person?  after: circle, stage, the stage's moves
    ((Circle.LOOSE, Stage.ONLINE, Channel.EVENT, False), (Circle.LOOSE, Stage.MET, [("online", "met")])),
    ((Circle.REGULAR, Stage.ONLINE, Channel.CLUB, True), (Circle.REGULAR, Stage.MET, [("online", "met")])),
    ((Circle.LOOSE, Stage.ONLINE, Channel.LINKEDIN, False), (Circle.LOOSE, Stage.ONLINE, [])),
    ((Circle.LOOSE, Stage.ONLINE, "", False), (Circle.LOOSE, Stage.ONLINE, [])),
    # the loophole: an online connection declared a strong tie leaves the strong ties
    ((Circle.STRONG, Stage.ONLINE, Channel.LINKEDIN, False), (Circle.REGULAR, Stage.ONLINE, [])),
    ((Circle.STRONG, Stage.ONLINE, Channel.EMAIL, False), (Circle.REGULAR, Stage.ONLINE, [])),
    # met, as a personal touch or an origin shows: the stage was only left at "online"
    (
        (Circle.STRONG, Stage.ONLINE, Channel.XING, True),
        (Circle.STRONG, Stage.STRONG_TIE, [("online", "strong_tie")]),
    ),
    ((Circle.STRONG, Stage.ONLINE, "", False), (Circle.STRONG, Stage.STRONG_TIE, [("online", "strong_tie")])),
    (
        (Circle.STRONG, Stage.ONLINE, Channel.TRADE_FAIR, False),
        (Circle.STRONG, Stage.STRONG_TIE, [("online", "met"), ("met", "strong_tie")]),
    ),
    (
        (Circle.STRONG, Stage.RELATIONSHIP, Channel.LINKEDIN, True),
        (Circle.STRONG, Stage.STRONG_TIE, [("relationship", "strong_tie")]),
    ),
    ((Circle.STRONG, Stage.STRONG_TIE, Channel.LINKEDIN, True), (Circle.STRONG, Stage.STRONG_TIE, [])),
]


@pytest.mark.parametrize(("before", "expected"), CASES)
def test_it_brings_each_contact_in_line(
    owner: User, before: tuple[Any, ...], expected: tuple[Any, ...]
) -> None:
    circle, stage, how_met, met = before
    contact = stored_as(
        owner, circle=circle, stage=stage, how_met=how_met, first_personal_touch_at=MET_AT if met else None
    )

    migration.bring_in_line(apps, None)

    assert after(contact) == expected


def test_it_changes_nothing_the_second_time(owner: User) -> None:
    stored_as(owner, circle=Circle.STRONG, stage=Stage.RELATIONSHIP)
    stored_as(owner, circle=Circle.STRONG, stage=Stage.ONLINE, how_met=Channel.LINKEDIN)
    migration.bring_in_line(apps, None)
    changes = StageChange.objects.count()
    states = list(Contact.objects.order_by("pk").values_list("circle", "stage"))

    migration.bring_in_line(apps, None)

    assert StageChange.objects.count() == changes
    assert list(Contact.objects.order_by("pk").values_list("circle", "stage")) == states
