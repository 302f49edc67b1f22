"""The Today tests' network: one item for each section at NOW."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

import pytest
import time_machine

from contacts import roster
from contacts.choices import Channel, Circle, ProspectStatus, Sorting, Stage
from contacts.models import Contact
from netzwerk.accounts.models import User
from reminders import due
from tests.factories import ContactFactory
from touchpoints import ledger
from touchpoints.kinds import Kind
from touchpoints.models import OneOffReminder

NOW = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)  # noon in Berlin
TODAY = date(2026, 11, 23)
DAY = timedelta(days=1)


def at(moment: datetime) -> time_machine.travel:
    return time_machine.travel(moment, tick=False)


CONNECTED = datetime(2018, 3, 1, 9, 0, tzinfo=UTC)  # an imported LinkedIn connection's day


def imported(owner: User, name: str, *, messaged: bool = True, **fields: Any) -> Contact:
    """A contact from an import, waiting to be sorted, with a LinkedIn message from 2019 and
    whatever would make it due: connected in 2018, so its cadence and online window ran out long ago."""
    values: dict[str, Any] = {
        "circle": Circle.LOOSE,
        "stage": Stage.ONLINE,
        "how_met": Channel.LINKEDIN,
        "sorting": Sorting.UNSORTED,
    }
    with at(CONNECTED):
        made = ContactFactory(owner=owner, first_name=name, **(values | fields))
    if messaged:
        ledger.log_touch(made, kind=Kind.MESSAGE, happened_at=datetime(2019, 5, 1, tzinfo=UTC))
    made.refresh_from_db()
    return made


def contact(
    owner: User, name: str, *, touched: timedelta | None = 1 * DAY, kind: str = Kind.CALL, **fields: object
) -> Contact:
    """A contact added 200 days before NOW, last touched `touched` before NOW."""
    with at(NOW - 200 * DAY):
        made = ContactFactory(owner=owner, first_name=name, **fields)
    if touched is not None:
        ledger.log_touch(made, kind=kind, happened_at=NOW - touched)
    made.refresh_from_db()
    return made


@pytest.fixture
def network(owner: User) -> dict[str, Contact]:
    """One item for each section at NOW, and one contact with nothing due."""
    owner.date_joined = NOW - 100 * DAY
    owner.save(update_fields=["date_joined"])
    red = contact(owner, "Rot", touched=50 * DAY)
    roster.promote(red, now=NOW)
    made = {
        "red": red,
        "yellow": contact(owner, "Gelb", touched=100 * DAY),
        "green": contact(owner, "Grün", touched=10 * DAY),
        "birthday": contact(owner, "Geburtstag", birthday_month=11, birthday_day=28, birthday_year=1970),
        "online": contact(owner, "Online", touched=2 * DAY, kind=Kind.EMAIL, how_met=Channel.LINKEDIN),
        "promise": contact(owner, "Versprechen", touched=None),
        "prospect": contact(
            owner,
            "Interessent",
            touched=12 * DAY,
            prospect_status=ProspectStatus.PROSPECT,
            prospect_since=NOW - 30 * DAY,
        ),
    }
    ledger.log_touch(
        made["promise"],
        kind=Kind.MEETING,
        happened_at=NOW - 5 * DAY,
        promise="Artikel schicken",
        promise_due=TODAY - DAY,
    )
    made["one_off"] = contact(owner, "Erinnerung", touched=2 * DAY)
    OneOffReminder.objects.create(contact=made["one_off"], due_on=TODAY - 2 * DAY, text="Angebot nachfassen")
    return made


SECTION = re.compile(r'<section id="today-(\w+)"(.*?)</section>', re.S)


class Page(Protocol):
    content: bytes


# A section as shown: its kind, its total and the keys of its items, in order.
Shown = tuple[str, int, list[str]]


def shown_on_page(response: Page) -> list[Shown]:
    """The sections as the Today page shows them."""
    html = response.content.decode()
    shown = []
    for kind, body in SECTION.findall(html):
        count = re.search(rf'data-testid="count-{kind}">(\d+)<', body)
        shown.append((kind, int(count.group(1)) if count else 0, re.findall(r'data-key="([^"]+)"', body)))
    return shown


def shown_in(today: due.Today) -> list[Shown]:
    """The sections as `today` has them."""
    return [
        (section.kind.value, section.total, [item.key for item in section.items])
        for section in today.sections
    ]
