"""Imported contacts wait to be sorted (R1, R10): in no section of Today or the digest, not in the
calendar feed nor the coach's counts, until the user sorts them; then their rules count from the
day sorted. Today says how many wait, and the kept page follows every import and sort."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client, TestCase
from django.urls import reverse
from icalendar import Calendar

from contacts import roster, rules, sorting
from contacts.choices import Channel, Circle, ProspectStatus, Sorting, Stage
from contacts.models import Contact
from netzwerk.accounts.models import User
from reminders import digest, due, health
from reminders.calendar import build_calendar
from reminders.models import ItemKind
from tests.contacts.test_rules import CONNECTED as CONNECTED_TEXT
from tests.contacts.test_rules import ONLINE_SORTED_CASES, SORTED_CADENCE_CASES
from tests.contacts.test_rules import at as berlin
from tests.factories import ContactFactory
from tests.reminders.conftest import CONNECTED, DAY, NOW, TODAY, at, imported, shown_in, shown_on_page
from touchpoints import ledger
from touchpoints.kinds import Kind


@pytest.fixture
def waiting(owner: User) -> dict[str, Contact]:
    """Imported contacts, each of which would be in a section if it were not waiting; one with a
    promise the user made meanwhile."""
    made = {
        "red": imported(owner, "Wartend"),
        "birthday": imported(owner, "Wartegeburtstag", birthday_month=11, birthday_day=28),
        "prospect": imported(
            owner, "Warteinteressent", prospect_status=ProspectStatus.PROSPECT, prospect_since=CONNECTED
        ),
        "promise": imported(owner, "Warteversprechen"),
    }
    ledger.log_touch(
        made["promise"],
        kind=Kind.MESSAGE,
        happened_at=NOW - 3 * DAY,
        promise="Kontakt vermitteln",
        promise_due=TODAY - DAY,
    )
    return made


def test_today_and_the_digest_leave_them_out_of_every_section_but_promises(
    owner: User, network: dict[str, Contact], waiting: dict[str, Contact]
) -> None:
    """Promises stay: an import brings none, so one is the user's own word (R3)."""
    today = due.today_for(owner, now=NOW)

    waiting_pks = {c.pk for c in waiting.values()}
    contacts_shown = {item.contact.pk for section in today.sections for item in section.items if item.contact}
    assert contacts_shown & waiting_pks == {waiting["promise"].pk}
    assert [item.kind for s in today.sections for item in s.items if item.contact == waiting["promise"]] == [
        ItemKind.PROMISE
    ]
    assert today.to_sort == 4
    assert digest.render(owner, today)[1].count("Warte") == 1  # the promise alone


def test_the_page_says_how_many_wait_and_links_to_them(
    owner: User, owner_client: Client, waiting: dict[str, Contact]
) -> None:
    with at(NOW):
        body = owner_client.get(reverse("reminders:today")).content.decode()

    assert 'data-testid="today-to-sort"' in body
    assert "4 imported contacts to sort" in body
    assert f'href="{reverse("imports:sort")}"' in body


def test_no_line_without_contacts_to_sort(owner_client: Client, network: dict[str, Contact]) -> None:
    with at(NOW):
        body = owner_client.get(reverse("reminders:today")).content.decode()

    assert "today-to-sort" not in body


def test_once_sorted_their_rules_count_from_that_day(owner: User, waiting: dict[str, Contact]) -> None:
    """Sorted as regular today, messages from 2019 are no overdue cadence; pursued, the online
    window starts today; as a new prospect, the next touch is due ten days on. A contact the user
    had already made a prospect keeps counting from then."""
    new = imported(owner, "Warteneu")

    def sort(contact: Contact, choice: str) -> None:
        sorting.sort_contacts(owner, Contact.objects.filter(pk=contact.pk), choice, now=NOW)

    sort(waiting["red"], Sorting.REGULAR)
    sort(waiting["birthday"], Sorting.PURSUE)
    sort(waiting["prospect"], Sorting.PROSPECT)
    sort(new, Sorting.PROSPECT)

    def names(moment: datetime) -> dict[str, set[str]]:
        return {
            s.kind: {
                i.contact.first_name
                for i in s.items
                if i.contact and i.contact.first_name.startswith("Warte")
            }
            for s in due.todays_for([owner], now=moment, expanded=None)[owner.pk].sections
        }

    assert names(NOW + timedelta(hours=1)) == {
        ItemKind.CADENCE: set(),
        ItemKind.BIRTHDAY: {"Wartegeburtstag"},  # sorted: the card is due again
        ItemKind.PROMISE: {"Warteversprechen"},
        ItemKind.ONE_OFF: set(),
        ItemKind.PROSPECT: {"Warteinteressent"},  # a prospect since 2018
        ItemKind.ONLINE_ONLY: set(),
        ItemKind.ROSTER_REVIEW: set(),
    }
    assert names(NOW + 10 * DAY - timedelta(minutes=1))[ItemKind.PROSPECT] == {"Warteinteressent"}
    assert names(NOW + 10 * DAY)[ItemKind.PROSPECT] == {"Warteinteressent", "Warteneu"}
    assert names(NOW + 14 * DAY - timedelta(minutes=1))[ItemKind.ONLINE_ONLY] == set()
    # sorted today: the pursued one's window starts today; the regular and the prospects are
    # asked about by their own rules, not R1
    assert names(NOW + 14 * DAY)[ItemKind.ONLINE_ONLY] == {"Wartegeburtstag"}
    assert names(NOW + 91 * DAY)[ItemKind.CADENCE] == {"Wartend"}
    item = next(
        i
        for s in due.today_for(owner, now=NOW + 91 * DAY).sections
        for i in s.items
        if i.contact == waiting["red"]
    )
    assert item.meta.startswith("Regular · sorted 91 days ago, no touch since")


# ---------------------------------------------------------------- the rules' tables through the SQL


@pytest.mark.parametrize(("circle", "last", "sorted_at", "now", "expected"), SORTED_CADENCE_CASES)
def test_the_cadence_section_selects_what_the_rule_calls_due(
    owner: User, circle: str, last: str | None, sorted_at: str | None, now: str, expected: str
) -> None:
    stored = ContactFactory(owner=owner, circle=Circle.REGULAR)
    Contact.objects.filter(pk=stored.pk).update(  # a strong tie without the roster: fine here
        circle=circle,
        created_at=berlin(CONNECTED_TEXT),
        last_touch_at=berlin(last) if last else None,
        sorting=Sorting.REGULAR if sorted_at else Sorting.UNSORTED,
        sorted_at=berlin(sorted_at) if sorted_at else None,
    )
    fresh = Contact.objects.get(pk=stored.pk)
    called_due = rules.cadence(fresh, owner=owner, now=berlin(now)).status != "green"

    section = due.section_for(owner, ItemKind.CADENCE, now=berlin(now))

    assert section.total == int(called_due and not rules.waits_to_be_sorted(fresh))
    assert section.total == int(expected != "green" and sorted_at is not None)


@pytest.mark.parametrize(("sorting_", "circle", "first", "sorted_at", "now", "expected"), ONLINE_SORTED_CASES)
def test_the_online_section_selects_what_the_rule_calls_due(
    owner: User,
    sorting_: str,
    circle: str,
    first: str | None,
    sorted_at: str | None,
    now: str,
    expected: str | None,
) -> None:
    stored = ContactFactory(owner=owner, circle=Circle.REGULAR)
    Contact.objects.filter(pk=stored.pk).update(
        circle=circle,
        how_met=Channel.LINKEDIN,
        created_at=berlin(CONNECTED_TEXT),
        first_touch_at=berlin(first) if first else None,
        touch_count=1 if first else 0,
        sorting=sorting_,
        sorted_at=berlin(sorted_at) if sorted_at else None,
    )
    fresh = Contact.objects.get(pk=stored.pk)
    online = rules.online_only(fresh, owner=owner, now=berlin(now))

    section = due.section_for(owner, ItemKind.ONLINE_ONLY, now=berlin(now))

    assert section.total == int(online is not None and online.is_due) == int(expected == "due")
    assert health.network_health([owner], now=berlin(now))[owner.pk].online_backlog == section.total


@pytest.mark.parametrize("sorting_", [Sorting.PURSUE, Sorting.REGULAR])
def test_the_online_section_asks_about_a_pursued_phone_contact(owner: User, sorting_: str) -> None:
    stored = ContactFactory(owner=owner, circle=Circle.LOOSE, how_met="")
    Contact.objects.filter(pk=stored.pk).update(
        created_at=berlin(CONNECTED_TEXT), sorting=sorting_, sorted_at=berlin("2026-01-01 09:00")
    )
    now = berlin("2026-01-15 09:00")
    online = rules.online_only(Contact.objects.get(pk=stored.pk), owner=owner, now=now)

    section = due.section_for(owner, ItemKind.ONLINE_ONLY, now=now)

    assert section.total == int(online is not None and online.is_due) == int(sorting_ == Sorting.PURSUE)


@pytest.mark.parametrize(
    ("how_met", "sorting_", "expected"),
    [
        (Channel.LINKEDIN, "", 1),
        (Channel.EVENT, "", 0),  # met at an event: met in person, whatever the touches since
        (Channel.REFERRAL, "", 0),  # only an online origin makes a contact online-only
        (Channel.TRADE_FAIR, Sorting.PURSUE, 0),
    ],
)
def test_the_online_section_asks_only_about_contacts_first_met_online(
    owner: User, how_met: str, sorting_: str, expected: int
) -> None:
    stored = ContactFactory(owner=owner, circle=Circle.LOOSE)
    Contact.objects.filter(pk=stored.pk).update(
        how_met=how_met,
        stage=Stage.ONLINE,
        sorting=sorting_,
        created_at=berlin(CONNECTED_TEXT),
        first_touch_at=berlin("2025-06-01 09:00"),
        touch_count=2,
    )
    now = berlin("2026-01-15 09:00")
    online = rules.online_only(Contact.objects.get(pk=stored.pk), owner=owner, now=now)

    section = due.section_for(owner, ItemKind.ONLINE_ONLY, now=now)

    assert section.total == int(online is not None and online.is_due) == expected


# ---------------------------------------------------------------- the kept page follows


def test_the_kept_page_follows_an_import_and_a_sort(
    owner: User, owner_client: Client, network: dict[str, Contact]
) -> None:
    seen = NOW - timedelta(hours=1)
    with at(seen):
        before = owner_client.get(reverse("reminders:today"))
    assert "today-to-sort" not in before.content.decode()

    with at(seen + timedelta(minutes=1)):
        new = roster.create_contacts(
            owner,
            [
                Contact(owner=owner, first_name=f"Import{n}", circle=Circle.LOOSE, sorting=Sorting.UNSORTED)
                for n in range(3)
            ],
        )
    with at(seen + timedelta(minutes=2)):
        imported_page = owner_client.get(reverse("reminders:today")).content.decode()
    assert "3 imported contacts to sort" in imported_page

    with at(seen + timedelta(minutes=3)):
        owner_client.post(
            reverse("contacts:sort"), {"contacts": [new[0].pk, new[1].pk], "choice": Sorting.PURSUE}
        )
        owner_client.post(
            reverse("contacts:sort"), {"contacts": [network["yellow"].pk], "choice": Sorting.LOOSE}
        )
    moment = seen + timedelta(minutes=4)
    with at(moment):
        after = owner_client.get(reverse("reminders:today"))

    body = after.content.decode()
    assert "1 imported contact to sort" in body
    assert shown_on_page(after) == shown_in(due.today_for(owner, now=moment))
    assert f"cadence:{network['yellow'].pk}" not in body  # kept loose: its cadence is a loose one


def test_a_window_from_sorting_passing_ends_the_kept_page(
    owner: User, owner_client: Client, network: dict[str, Contact]
) -> None:
    """Sorted as pursue 14 days before NOW + 1 hour: the online window passes an hour after NOW.
    Sorted as regular 90 days before: the cadence turns yellow at the owner's midnight."""
    pursued = imported(owner, "Verfolgt")
    window_end = NOW + timedelta(hours=1)
    sorting.sort_contacts(
        owner, Contact.objects.filter(pk=pursued.pk), Sorting.PURSUE, now=window_end - 14 * DAY
    )
    sorted_regular = imported(owner, "Regelmäßig")
    ideal = owner.cadence(Circle.REGULAR)[0]
    sorting.sort_contacts(
        owner, Contact.objects.filter(pk=sorted_regular.pk), Sorting.REGULAR, now=window_end - ideal * DAY
    )

    with at(window_end - timedelta(minutes=1)):
        before = shown_on_page(owner_client.get(reverse("reminders:today")))
    with at(window_end + timedelta(seconds=1)):
        after = shown_on_page(owner_client.get(reverse("reminders:today")))

    assert f"online_only:{pursued.pk}" not in before[5][2]
    assert f"online_only:{pursued.pk}" in after[5][2]
    midnight = datetime(2026, 11, 24, tzinfo=owner.zone)
    with at(midnight - timedelta(minutes=1)):
        before = shown_on_page(owner_client.get(reverse("reminders:today")))
    with at(midnight):
        after = shown_on_page(owner_client.get(reverse("reminders:today")))
    assert f"cadence:{sorted_regular.pk}" not in before[0][2]
    assert f"cadence:{sorted_regular.pk}" in after[0][2]


@pytest.mark.parametrize("size", [10, 1000])
def test_the_count_costs_no_query_of_its_own(
    owner: User, owner_client: Client, network: dict[str, Contact], size: int, django_assert_num_queries: Any
) -> None:
    with at(CONNECTED):
        roster.create_contacts(
            owner,
            [
                Contact(
                    owner=owner,
                    first_name=f"Import{n}",
                    circle=Circle.LOOSE,
                    how_met=Channel.LINKEDIN,
                    birthday_month=11,
                    birthday_day=25,
                    sorting=Sorting.UNSORTED,
                )
                for n in range(size)
            ],
        )
    moment = NOW - timedelta(hours=1)

    # as without them: session, user, stamp, contact sections, birthday states, promises, one-off
    # reminders, the review (with the count), when the lists may change, the roster gauge; kept: three
    with at(moment), django_assert_num_queries(14):
        response = owner_client.get(reverse("reminders:today"))
    with at(moment + timedelta(minutes=1)), django_assert_num_queries(3):
        again = owner_client.get(reverse("reminders:today"))

    assert f"{size} imported contacts to sort" in response.content.decode()
    assert shown_on_page(again) == shown_on_page(response)
    # a key names its contact second (a promise's names its touch: promises of unsorted contacts
    # stay, and a touch's id may equal an unsorted contact's)
    shown = {
        key.split(":")[1]
        for _kind, _total, keys in shown_on_page(response)
        for key in keys
        if not key.startswith("promise:")
    }
    assert not shown & {str(pk) for pk in Contact.objects.unsorted().values_list("pk", flat=True)}


# ---------------------------------------------------------------- digest, calendar, coach


def test_no_digest_when_only_contacts_to_sort_would_be_due(owner: User, stranger: User) -> None:
    """The stranger sorted the same contact: their digest has the birthday card."""
    for user in (owner, stranger):
        user.date_joined = NOW - 10 * DAY  # no roster review due
        user.save(update_fields=["date_joined"])
        imported(user, "Wartend", birthday_month=11, birthday_day=26)
    sorting.sort_contacts(stranger, Contact.objects.all(), Sorting.REGULAR, now=NOW - 30 * DAY)
    monday = datetime(2026, 11, 23, 7, 0, tzinfo=owner.zone)

    with TestCase.captureOnCommitCallbacks(execute=True):
        digest.sweep(monday, send=lambda claims: digest.deliver(claims, now=monday))

    assert [message.to for message in mail.outbox] == [[stranger.email]]
    assert "Wartend" in mail.outbox[0].body


def test_the_calendar_feed_leaves_them_out_but_keeps_their_promises(owner: User) -> None:
    person = imported(owner, "Wartend", birthday_month=4, birthday_day=7)
    Contact.objects.filter(pk=person.pk).update(prospect_status=ProspectStatus.PROSPECT, prospect_since=NOW)
    promised = ledger.log_touch(
        person, kind=Kind.CALL, happened_at=NOW, promise="Angebot", promise_due=date(2026, 12, 1)
    )
    tie = imported(owner, "Befördert", messaged=False, stage=Stage.MET)
    ledger.log_touch(tie, kind=Kind.MEETING, happened_at=NOW - timedelta(days=200))  # met (R5)
    roster.promote(Contact.objects.get(pk=tie.pk), now=NOW)  # a strong tie never waits

    def uids() -> set[str]:
        calendar = Calendar.from_ical(build_calendar(owner, now=NOW).to_ical())
        return {str(event["UID"]).split("@")[0] for event in calendar.walk("VEVENT")}

    assert uids() == {f"promise-{promised.pk}", f"cadence-{tie.pk}"}
    sorting.sort_contacts(owner, Contact.objects.filter(pk=person.pk), Sorting.REGULAR, now=NOW)
    assert uids() == {
        f"promise-{promised.pk}",
        f"cadence-{tie.pk}",
        f"birthday-{person.pk}",
        f"prospect-{person.pk}",
    }


def test_the_coachs_counts_leave_them_out(owner: User, network: dict[str, Contact]) -> None:
    before = health.network_health([owner], now=NOW)[owner.pk]
    waiting_ones = [imported(owner, f"Wartend{n}") for n in range(3)]

    assert health.network_health([owner], now=NOW)[owner.pk] == before
    sorting.sort_contacts(
        owner,
        Contact.objects.filter(pk__in=[c.pk for c in waiting_ones]),
        Sorting.REGULAR,
        now=NOW - 100 * DAY,
    )
    sorting.sort_contacts(
        owner, Contact.objects.filter(pk=waiting_ones[0].pk), Sorting.PURSUE, now=NOW - 100 * DAY
    )
    after = health.network_health([owner], now=NOW)[owner.pk]
    # sorted 100 days ago: the two regular ones are yellow; the pursued one is past its window
    assert (after.yellow, after.online_backlog) == (before.yellow + 2, before.online_backlog + 1)
