"""The record: R12 channel mix per month and R3 promises, per contact and across the user's contacts;
the latter is "My network", with the R2 roster, the numbers month by month and the promises made in
the twelve months, linked from Today."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from contacts.choices import Circle, Stage
from contacts.models import Contact
from tests.factories import ContactFactory, bulk_touches
from touchpoints import ledger
from touchpoints.kinds import Kind
from touchpoints.models import Touchpoint

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
HTMX = {"HX-Request": "true"}
ROW = re.compile(r'<tr><th scope="row">([^<]+)</th><td>(\d+)</td><td>(\d+)</td><td>([^<]+)</td></tr>')


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def contact(owner) -> Contact:
    return ContactFactory(owner=owner, first_name="Jürgen", last_name="Weiß")


def touch(contact: Contact, *, at: datetime = NOW - timedelta(days=1), **fields) -> Touchpoint:
    fields.setdefault("kind", Kind.CALL)
    return ledger.log_touch(contact, happened_at=at, **fields)


def record(client: Client, contact: Contact | None = None) -> str:
    url = reverse("touchpoints:record", args=[contact.pk]) if contact else reverse("touchpoints:my_record")
    response = client.get(url, headers=HTMX)
    assert response.status_code == 200
    return response.content.decode()


def bar_titles(body: str) -> list[str]:
    return re.findall(r"<title>([^<]+)</title>", body)


# ---------------------------------------------------------------- R12 channel mix


def test_it_counts_personal_and_digital_touches_per_month(owner_client: Client, contact: Contact) -> None:
    touch(contact, kind=Kind.MEETING)
    touch(contact, kind=Kind.CALL)
    touch(contact, kind=Kind.EMAIL)
    touch(contact, kind=Kind.REACTION)  # weighs nothing, never a touch
    touch(contact, kind=Kind.MASS_MAIL)
    touch(contact, kind=Kind.MESSAGE, at=datetime(2026, 9, 3, 9, tzinfo=UTC))

    body = record(owner_client, contact)

    titles = bar_titles(body)
    assert len(titles) == 12
    assert titles[0] == "December 2025: 0 personal, 0 digital"
    assert titles[-3] == "September 2026: 0 personal, 1 digital"
    assert titles[-1] == "November 2026: 2 personal, 1 digital"
    assert "2 personal touches and 2 digital in the last twelve months (50 % personal)." in body


def test_it_scales_the_bars_to_the_busiest_month(owner_client: Client, contact: Contact) -> None:
    for _ in range(3):
        touch(contact, kind=Kind.MEETING)
    touch(contact, kind=Kind.EMAIL, at=datetime(2026, 10, 5, 9, tzinfo=UTC))

    body = record(owner_client, contact)

    # November: three personal touches fill the 60 units; October: one digital, a third of it.
    assert re.search(r'<rect class="personal" x="\d+" y="0" width="14" height="60"/>', body)
    assert re.search(r'<rect class="digital" x="\d+" y="40" width="14" height="20"/>', body)


def test_it_sorts_touches_into_the_users_local_month(owner_client: Client, owner, contact: Contact) -> None:
    owner.time_zone = "Europe/Berlin"
    owner.save()
    # 31 October, 23:30 UTC is already 1 November in Berlin.
    touch(contact, kind=Kind.MEETING, at=datetime(2026, 10, 31, 23, 30, tzinfo=UTC))

    titles = bar_titles(record(owner_client, contact))

    assert titles[-1] == "November 2026: 1 personal, 0 digital"
    assert titles[-2] == "October 2026: 0 personal, 0 digital"


def test_the_contacts_record_leaves_out_other_contacts(owner_client: Client, owner, contact: Contact) -> None:
    touch(contact, kind=Kind.MEETING)
    touch(ContactFactory(owner=owner), kind=Kind.EMAIL)

    assert "1 personal touch and 0 digital" in record(owner_client, contact)


def test_the_users_record_adds_up_all_their_contacts(owner_client: Client, owner, contact: Contact) -> None:
    touch(contact, kind=Kind.MEETING)
    touch(ContactFactory(owner=owner), kind=Kind.EMAIL)
    touch(ContactFactory(), kind=Kind.EMAIL)  # another user's

    assert "1 personal touch and 1 digital" in record(owner_client)


def test_it_says_when_there_is_nothing_to_chart(owner_client: Client, contact: Contact) -> None:
    touch(contact, kind=Kind.MEETING, at=NOW - timedelta(days=400))

    body = record(owner_client, contact)

    assert "No touches in the last twelve months yet." in body
    assert "<svg" not in body
    assert "No open promises." in body
    assert "No promise has come due yet." in body


# ---------------------------------------------------------------- R3 promises


def test_it_shows_the_kept_rate_and_the_open_promises_earliest_due_first(
    owner_client: Client, owner, contact: Contact
) -> None:
    kept = touch(contact, promise="Buch leihen", promise_due=date(2026, 11, 1))
    ledger.edit_touch(kept, promise_kept_at=NOW)
    touch(contact, promise="Angebot schicken", promise_due=date(2026, 11, 10))  # overdue
    touch(contact, promise="Kontakt vermitteln")  # open, no date
    touch(contact, promise="Termin bestätigen", promise_due=date(2026, 11, 30))  # open

    body = record(owner_client, contact)

    assert "Kept rate 50 %" in body  # one kept of the two due by now
    assert "3 open, 1 overdue, 1 kept" in body
    listed = re.findall(r"<span>([^<]+)</span>", body.split('<ul class="promises">')[1])
    assert listed == ["Angebot schicken", "Termin bestätigen", "Kontakt vermitteln"]
    assert body.count('class="badge promise-overdue"') == 1
    assert "Buch leihen" not in body


def test_the_users_promises_name_the_contact(owner_client: Client, contact: Contact) -> None:
    touch(contact, promise="Angebot schicken")

    body = record(owner_client)

    assert f'<a href="{contact.get_absolute_url()}">Jürgen Weiß</a>:' in body


def test_it_lists_the_first_ten_open_promises_and_says_how_many_there_are(
    owner_client: Client, contact: Contact
) -> None:
    for day in range(12):
        touch(contact, promise=f"Versprechen {day}", promise_due=date(2026, 12, 1) + timedelta(days=day))

    body = record(owner_client, contact)

    assert body.count('<li class="promise">') == 10
    assert "Versprechen 9<" in body
    assert "Versprechen 10<" not in body
    assert "The 10 due first of 12 open promises." in body


def test_keeping_a_promise_from_the_record_reloads_it(owner_client: Client, contact: Contact) -> None:
    promised = touch(contact, promise="Angebot schicken")
    body = record(owner_client, contact)
    keep = reverse("touchpoints:keep_promise", args=[promised.pk])
    assert f'hx-post="{keep}" hx-swap="none"' in body
    assert 'hx-trigger="touch-logged from:body"' in body

    owner_client.post(keep, headers=HTMX)

    assert "No open promises." in record(owner_client, contact)


# ---------------------------------------------------------------- pages, fragments, queries


def test_the_record_is_a_page_without_htmx(owner_client: Client, contact: Contact) -> None:
    response = owner_client.get(reverse("touchpoints:record", args=[contact.pk]))

    body = response.content.decode()
    assert "<html" in body
    assert "<title>Mix and promises with Jürgen Weiß" in body
    assert f'href="{contact.get_absolute_url()}"' in body


def test_the_contact_page_and_the_quick_log_load_the_record_lazily(
    owner_client: Client, contact: Contact
) -> None:
    page = owner_client.get(contact.get_absolute_url()).content.decode()
    quick = owner_client.get(reverse("touchpoints:quick")).content.decode()

    for url in (
        reverse("touchpoints:panel", args=[contact.pk]),
        reverse("touchpoints:record", args=[contact.pk]),
    ):
        assert f'hx-get="{url}" hx-trigger="load"' in page
        assert f'<a href="{url}">' in page  # without JavaScript, a link
    assert f'hx-get="{reverse("touchpoints:my_record")}" hx-trigger="load"' in quick


def test_it_reads_german(owner_client: Client, owner, contact: Contact) -> None:
    owner.language = "de"
    owner.save()
    touch(contact, kind=Kind.MEETING, promise="Angebot schicken", promise_due=date(2026, 11, 10))

    body = record(owner_client, contact)

    assert "November 2026: 1 persönlich, 0 digital" in body
    assert "überfällig" in body


@pytest.mark.parametrize("size", [10, 1000])
def test_the_contacts_record_takes_the_same_queries_at_10_and_1000_touches(
    owner_client: Client, contact: Contact, size: int, django_assert_num_queries
) -> None:
    bulk_touches(contact, size)

    # session, user, the contact (ownership), the month mix, the promise record, the open promises
    with django_assert_num_queries(6):
        body = record(owner_client, contact)

    assert body.count('<li class="promise">') == min(len(range(0, size, 3)), 10)


@pytest.mark.parametrize("size", [10, 1000])
def test_the_users_record_takes_the_same_queries_at_10_and_1000_touches(
    owner_client: Client, owner, contact: Contact, size: int, django_assert_num_queries
) -> None:
    bulk_touches(contact, size)
    bulk_touches(ContactFactory(owner=owner), size)

    # session, user, the month mix, the promise record, the promises made in the twelve months,
    # the open promises with their contacts (the roster is only on the whole page)
    with django_assert_num_queries(6):
        body = record(owner_client)

    assert body.count('<li class="promise">') == min(2 * len(range(0, size, 3)), 10)


@pytest.mark.parametrize("size", [10, 1000])
def test_the_contact_page_takes_the_same_queries_at_10_and_1000_touches(
    owner_client: Client, contact: Contact, size: int, django_assert_num_queries
) -> None:
    bulk_touches(contact, size)

    # as with no touches: the timeline and the record load by themselves (their own tests);
    # the contact page's own queries are counted in tests/contacts/test_views.py
    with django_assert_num_queries(12):
        response = owner_client.get(contact.get_absolute_url())

    assert response.status_code == 200
    assert f"given {size // 5} · asked 0" in response.content.decode()  # the summary, not a count


# ---------------------------------------------------------------- My network (the whole page)


def page(client: Client, **headers: str) -> str:
    response = client.get(reverse("touchpoints:my_record"), headers=headers)
    assert response.status_code == 200
    return response.content.decode()


def rows(body: str) -> dict[str, tuple[int, int, str]]:
    return {
        month: (int(personal), int(digital), share) for month, personal, digital, share in ROW.findall(body)
    }


def test_it_shows_each_months_personal_and_digital_touches_and_the_share(
    owner_client: Client, owner, contact: Contact
) -> None:
    touch(contact, kind=Kind.MEETING)
    touch(contact, kind=Kind.CALL)
    touch(contact, kind=Kind.EMAIL)
    touch(ContactFactory(owner=owner), kind=Kind.MESSAGE, at=datetime(2026, 9, 3, 9, tzinfo=UTC))
    touch(contact, kind=Kind.REACTION, at=datetime(2026, 9, 4, 9, tzinfo=UTC))  # never a touch
    touch(ContactFactory(), kind=Kind.MEETING)  # another user's
    touch(contact, kind=Kind.MEETING, at=datetime(2025, 11, 30, 9, tzinfo=UTC))  # before the window

    found = rows(page(owner_client))

    assert next(iter(found)) == "November 2026"  # newest first
    assert len(found) == 12
    assert found["November 2026"] == (2, 1, "67 %")
    assert found["October 2026"] == (0, 0, "–")
    assert found["September 2026"] == (0, 1, "0 %")
    assert found["December 2025"] == (0, 0, "–")
    assert "November 2025" not in found


def test_it_shows_the_promises_made_in_the_twelve_months_and_how_many_are_kept(
    owner_client: Client, contact: Contact
) -> None:
    for promise in ("Buch leihen", "Angebot schicken", "Kontakt vermitteln"):
        kept = touch(contact, promise=promise, at=datetime(2026, 3, 2, 9, tzinfo=UTC))
        ledger.edit_touch(kept, promise_kept_at=NOW)
    touch(contact, promise="Termin bestätigen", promise_due=date(2026, 11, 30))  # open, not yet due
    older = touch(contact, promise="Rückruf", at=datetime(2025, 10, 1, 9, tzinfo=UTC))  # before the window
    ledger.edit_touch(older, promise_kept_at=NOW)

    body = page(owner_client)

    made = re.search(r'data-testid="promises-made">\s*<strong>([^<]+)</strong>\s*([^<]+?)\s*</p>', body)
    assert made is not None
    assert made.groups() == (
        "The last twelve months:",
        "In the last twelve months you made 4 promises and have kept 3 of them (75 %).",
    )
    record = re.search(r'data-testid="promise-record">\s*<strong>([^<]+)</strong>', body)
    assert record is not None
    assert record.group(1) == "All time:"  # two figures, each saying what it counts


def test_it_shows_the_roster_against_the_cap_on_the_page_but_not_in_the_fragment(
    owner_client: Client, owner
) -> None:
    ContactFactory.create_batch(2, owner=owner, circle=Circle.STRONG, stage=Stage.STRONG_TIE)

    body = page(owner_client)
    fragment = page(owner_client, **HTMX)

    assert "<title>My network" in body
    assert 'data-testid="roster-count">2 / 60' in body
    assert 'id="roster-gauge"' not in fragment
    assert "<html" not in fragment
    assert 'data-testid="mix-table"' not in fragment  # nothing touched yet: the empty state


def test_a_new_user_sees_the_empty_state(owner_client: Client) -> None:
    body = page(owner_client)

    assert 'data-testid="roster-count">0 / 60' in body
    assert "No touches in the last twelve months yet." in body
    assert not ROW.findall(body)
    assert "No promises made in the last twelve months." in body
    assert "No open promises." in body


def test_a_contacts_record_has_no_table_and_no_period(owner_client: Client, contact: Contact) -> None:
    touch(contact, kind=Kind.MEETING, promise="Angebot schicken")

    body = owner_client.get(reverse("touchpoints:record", args=[contact.pk]), headers=HTMX).content.decode()

    assert "1 personal touch and 0 digital" in body
    assert 'data-testid="mix-table"' not in body
    assert 'data-testid="promises-made"' not in body


def test_today_links_to_my_network(owner_client: Client, contact: Contact) -> None:
    """Below the gauge (which a new account without contacts does not see)."""
    body = owner_client.get(reverse("reminders:today")).content.decode()

    link = f'<a href="{reverse("touchpoints:my_record")}" data-testid="my-network">My network →</a>'
    assert link in body
    assert body.index('id="roster-gauge"') < body.index(link)


def test_my_network_reads_german(owner_client: Client, owner, contact: Contact) -> None:
    owner.language = "de"
    owner.save()
    touch(contact, kind=Kind.MEETING, promise="Angebot schicken")

    body = page(owner_client)
    today = owner_client.get(reverse("reminders:today")).content.decode()

    assert "<h1>Mein Netzwerk</h1>" in body
    assert rows(body)["November 2026"] == (1, 0, "100 %")
    assert "Persönlicher Anteil" in body
    assert "In den letzten zwölf Monaten hast du 1 Zusage gemacht und 0 gehalten (0 %)." in body
    assert "Mein Netzwerk →" in today


@pytest.mark.parametrize("size", [5, 50])
def test_my_network_takes_the_same_queries_at_5_and_50_contacts(
    owner_client: Client, owner, size: int, django_assert_num_queries
) -> None:
    contacts = ContactFactory.create_batch(size, owner=owner)
    for contact in contacts:
        bulk_touches(contact, 4)
    Contact.objects.filter(pk__in=[contact.pk for contact in contacts[::5]]).update(
        circle=Circle.STRONG, stage=Stage.STRONG_TIE
    )

    # session, user, the roster, the month mix, the promise record, the promises made in the
    # twelve months, the open promises with their contacts
    with django_assert_num_queries(7):
        body = page(owner_client)

    assert f'data-testid="roster-count">{len(contacts[::5])} / 60' in body
    assert sum(personal + digital for personal, digital, _ in rows(body).values()) == 4 * size
