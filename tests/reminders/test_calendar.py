"""The calendar feed: its secret URL, birthdays (29 February too), follow-ups, and the CardDAV references."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Component, vRecur

from contacts.choices import ProspectStatus
from contacts.models import Contact
from netzwerk.accounts.models import User
from reminders.calendar import build_calendar, uid
from reminders.models import CalendarFeed
from tests.factories import ContactFactory, UserFactory, strong_ties
from touchpoints.kinds import Kind
from touchpoints.models import OneOffReminder, Touchpoint

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
HTMX = {"HX-Request": "true"}
# Copied from ../shared/data/contacts/birthday_feed_reference (see SOURCE.md there).
REFERENCE = Path(__file__).resolve().parent / "birthday_feed_reference"


@pytest.fixture
def feed(owner: User) -> CalendarFeed:
    return CalendarFeed.objects.create(owner=owner)


def feed_path(feed: CalendarFeed) -> str:
    return reverse("calendar:feed", kwargs={"token": feed.token})


def parse(response) -> Calendar:
    assert response.status_code == 200
    return Calendar.from_ical(response.content)


def events(calendar: Calendar) -> dict[str, Component]:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def built(owner: User, *, now: datetime = NOW) -> dict[str, Component]:
    """The feed through icalendar's serialiser and parser, as a calendar app reads it."""
    return events(Calendar.from_ical(build_calendar(owner, now=now).to_ical()))


def rrule(event: Component) -> dict[str, list[object]]:
    value = event["RRULE"]
    assert isinstance(value, vRecur)
    return dict(value)


def birthday(contact: Contact) -> Component:
    found = built(contact.owner)
    return found[uid(f"birthday-{contact.pk}")]


# ---------------------------------------------------------------- the URL


def test_it_serves_the_feed_to_a_calendar_app_without_a_login(client: Client, feed: CalendarFeed) -> None:
    ContactFactory(owner=feed.owner, first_name="Forrest", last_name="Gump", birthday_day=7, birthday_month=4)

    response = client.get(feed_path(feed))

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    cache = response["Cache-Control"]
    assert "private" in cache
    assert "max-age=3600" in cache
    summaries = [str(event["SUMMARY"]) for event in parse(response).walk("VEVENT")]
    assert summaries == ["Forrest Gump's birthday"]


@pytest.mark.parametrize(
    ("language", "summary"), [("en", "Forrest's birthday"), ("de", "Geburtstag von Forrest")]
)
def test_it_names_the_owners_language_whatever_the_calendar_app_asks_for(
    client: Client, feed: CalendarFeed, language: str, summary: str
) -> None:
    feed.owner.language = language
    feed.owner.save()
    ContactFactory(owner=feed.owner, first_name="Forrest", last_name="", birthday_day=7, birthday_month=4)
    other = "de" if language == "en" else "en"

    response = client.get(feed_path(feed), HTTP_ACCEPT_LANGUAGE=other)

    assert response["Content-Language"] == language
    assert [str(event["SUMMARY"]) for event in parse(response).walk("VEVENT")] == [summary]


def test_it_answers_404_to_an_unknown_token_even_for_a_signed_in_user(
    client: Client, owner_client: Client, feed: CalendarFeed
) -> None:
    path = reverse("calendar:feed", kwargs={"token": feed.token + "x"})

    assert client.get(path).status_code == 404
    assert owner_client.get(path).status_code == 404


def test_a_deactivated_accounts_feed_is_gone(client: Client, feed: CalendarFeed) -> None:
    User.objects.filter(pk=feed.owner_id).update(is_active=False)

    assert client.get(feed_path(feed)).status_code == 404


def test_it_refuses_post_on_the_feed(client: Client, feed: CalendarFeed) -> None:
    assert client.post(feed_path(feed)).status_code == 405


def test_it_never_shows_another_users_contacts(client: Client, feed: CalendarFeed, stranger: User) -> None:
    mine = ContactFactory(owner=feed.owner, first_name="Alices", birthday_day=1, birthday_month=5)
    theirs = ContactFactory(owner=stranger, first_name="Charlies", birthday_day=1, birthday_month=5)
    stranger_feed = CalendarFeed.objects.create(owner=stranger)

    own = events(parse(client.get(feed_path(feed))))
    other = events(parse(client.get(feed_path(stranger_feed))))

    assert set(own) == {uid(f"birthday-{mine.pk}")}
    assert set(other) == {uid(f"birthday-{theirs.pk}")}
    assert b"Charlies" not in client.get(feed_path(feed)).content


# ---------------------------------------------------------------- the settings fragment


def test_the_settings_offer_an_address_and_a_get_creates_nothing(owner_client: Client, owner: User) -> None:
    first = owner_client.get(reverse("calendar:settings"), headers=HTMX).content.decode()

    assert not CalendarFeed.objects.filter(owner=owner).exists()
    assert "<html" not in first
    assert "Create my calendar address" in first
    assert "hx-confirm" not in first  # nothing to lose yet

    owner_client.post(reverse("calendar:regenerate"), headers=HTMX)
    feed = CalendarFeed.objects.get(owner=owner)
    body = owner_client.get(reverse("calendar:settings"), headers=HTMX).content.decode()

    assert f'value="{settings.SITE_URL}{feed_path(feed)}"' in body
    assert "readonly" in body
    assert "Anyone with this address" in body
    assert f'hx-post="{reverse("calendar:regenerate")}"' in body
    assert "hx-confirm" in body
    owner_client.get(reverse("calendar:settings"))
    assert CalendarFeed.objects.get(owner=owner).token == feed.token  # a view changes nothing


def test_it_retires_the_old_address_when_a_new_one_is_generated(
    owner_client: Client, client: Client, feed: CalendarFeed
) -> None:
    old = feed_path(feed)

    response = owner_client.post(reverse("calendar:regenerate"))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:preferences")
    feed.refresh_from_db()
    assert feed_path(feed) != old
    assert client.get(old).status_code == 404
    assert client.get(feed_path(feed)).status_code == 200


def test_it_answers_htmx_with_the_fragment_and_the_new_address(
    owner_client: Client, feed: CalendarFeed
) -> None:
    old = feed.token

    response = owner_client.post(reverse("calendar:regenerate"), headers=HTMX)

    feed.refresh_from_db()
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert feed.token != old
    assert feed_path(feed) in body
    assert old not in body


def test_it_generates_a_first_address_for_a_user_without_a_feed(owner_client: Client, owner: User) -> None:
    owner_client.post(reverse("calendar:regenerate"))

    assert CalendarFeed.objects.filter(owner=owner).count() == 1


def test_it_takes_only_post_to_generate_a_new_address(owner_client: Client, feed: CalendarFeed) -> None:
    assert owner_client.get(reverse("calendar:regenerate")).status_code == 405
    assert CalendarFeed.objects.get(pk=feed.pk).token == feed.token


# ---------------------------------------------------------------- birthdays


def test_it_starts_a_birthday_without_a_year_in_2000(owner: User) -> None:
    contact = ContactFactory(
        owner=owner, first_name="Ada", last_name="Lang", birthday_day=7, birthday_month=4
    )

    event = birthday(contact)

    assert event.decoded("DTSTART") == date(2000, 4, 7)
    assert event["DTSTART"].params["VALUE"] == "DATE"
    assert rrule(event) == {"FREQ": ["YEARLY"]}
    assert event["TRANSP"] == "TRANSPARENT"
    assert event["SUMMARY"] == "Ada Lang's birthday"
    assert "DTSTAMP" in event
    assert event["URL"] == settings.SITE_URL + contact.get_absolute_url()


def test_it_starts_a_birthday_with_a_year_in_the_year_of_birth(owner: User) -> None:
    contact = ContactFactory(owner=owner, birthday_day=31, birthday_month=12, birthday_year=1970)

    event = birthday(contact)

    assert event.decoded("DTSTART") == date(1970, 12, 31)
    assert rrule(event) == {"FREQ": ["YEARLY"]}


@pytest.mark.parametrize(("year", "start"), [(None, date(2000, 2, 29)), (1988, date(1988, 2, 29))])
def test_it_repeats_29_february_on_the_last_day_of_february(
    owner: User, year: int | None, start: date
) -> None:
    contact = ContactFactory(owner=owner, birthday_day=29, birthday_month=2, birthday_year=year)

    event = birthday(contact)

    assert event.decoded("DTSTART") == start
    assert rrule(event) == {"FREQ": ["YEARLY"], "BYMONTH": [2], "BYMONTHDAY": [-1]}


def test_it_leaves_out_contacts_without_a_birthday(owner: User) -> None:
    ContactFactory(owner=owner)

    assert built(owner) == {}


def test_it_writes_the_summary_in_the_users_language(owner: User) -> None:
    owner.language = "de"
    owner.save()
    contact = ContactFactory(
        owner=owner, first_name="Forrest", last_name="Gump", birthday_day=7, birthday_month=4
    )

    assert birthday(contact)["SUMMARY"] == "Geburtstag von Forrest Gump"


# ---------------------------------------------------------------- follow-ups


def test_it_dates_the_next_follow_ups_in_the_users_time_zone(owner: User) -> None:
    # 23:30 UTC is already the next day in Berlin (the owner's zone)
    late = datetime(2026, 11, 20, 23, 30, tzinfo=UTC)
    prospect = ContactFactory(owner=owner, prospect_status=ProspectStatus.PROSPECT, prospect_since=late)
    (tie,) = strong_ties(owner, 1)
    Contact.objects.filter(pk=tie.pk).update(last_touch_at=late)
    offer = Touchpoint.objects.create(
        contact=prospect,
        kind=Kind.CALL,
        happened_at=late,
        promise="Angebot schicken",
        promise_due=date(2026, 12, 3),
    )
    later = Touchpoint.objects.create(
        contact=prospect, kind=Kind.CALL, happened_at=late, promise="Später", promise_due=date(2027, 1, 9)
    )

    found = built(owner)

    next_day = date(2026, 11, 21)
    assert found[uid(f"prospect-{prospect.pk}")].decoded("DTSTART") == next_day + timedelta(days=10)
    # the first day Today calls it due: 31 days after the touch (30 days ago is within 30)
    assert found[uid(f"cadence-{tie.pk}")].decoded("DTSTART") == next_day + timedelta(days=31)
    promise = found[uid(f"promise-{offer.pk}")]
    assert promise.decoded("DTSTART") == date(2026, 12, 3)
    assert promise["SUMMARY"] == f"Promise to {prospect.name}: Angebot schicken"
    # every open promise on its day: two to one person are two things to do
    assert found[uid(f"promise-{later.pk}")].decoded("DTSTART") == date(2027, 1, 9)
    assert found[uid(f"cadence-{tie.pk}")]["SUMMARY"] == f"Keep in touch with {tie.name}"
    assert found[uid(f"prospect-{prospect.pk}")]["SUMMARY"] == f"Next touch with {prospect.name}"
    assert len(found) == 4


def test_it_leaves_out_kept_promises_and_promises_without_a_date(owner: User) -> None:
    contact = ContactFactory(owner=owner)
    Touchpoint.objects.create(
        contact=contact,
        kind=Kind.CALL,
        happened_at=NOW,
        promise="Erledigt",
        promise_due=date(2026, 12, 3),
        promise_kept_at=NOW,
    )
    Touchpoint.objects.create(contact=contact, kind=Kind.CALL, happened_at=NOW, promise="Irgendwann")

    assert built(owner) == {}


def test_it_leaves_out_archived_contacts(owner: User) -> None:
    contact = ContactFactory(
        owner=owner,
        birthday_day=7,
        birthday_month=4,
        prospect_status=ProspectStatus.PROSPECT,
        prospect_since=NOW,
    )
    Touchpoint.objects.create(
        contact=contact, kind=Kind.CALL, happened_at=NOW, promise="Anrufen", promise_due=date(2026, 12, 3)
    )
    assert len(built(owner)) == 3

    contact.archive(now=NOW)

    assert built(owner) == {}


# ---------------------------------------------------------------- the CardDAV server's references


def read_vcard(path: Path) -> dict[str, str]:
    """Property name (with its parameters) to value, for the few single-line properties used here."""
    lines = path.read_text().splitlines()
    return dict(line.split(":", 1) for line in lines if ":" in line)


def vcard_birthday(card: dict[str, str]) -> tuple[int, int, int | None] | None:
    """(day, month, year) from BDAY: `1604-04-07` with X-APPLE-OMIT-YEAR=1604 or `--04-07` have no year."""
    (key,) = [key for key in card if key == "BDAY" or key.startswith("BDAY;")]
    value = card[key]
    if match := re.fullmatch(r"--(\d\d)-?(\d\d)", value):
        return int(match[2]), int(match[1]), None
    if match := re.fullmatch(r"(\d{4})-?(\d\d)-?(\d\d)", value):
        year = None if f"X-APPLE-OMIT-YEAR={match[1]}" in key else int(match[1])
        return int(match[3]), int(match[2]), year
    return None


def test_it_matches_the_carddav_reference_feeds(db: None) -> None:
    cards = sorted(REFERENCE.glob("*.vcf"))
    assert len(cards) == 3, f"the reference vCards are missing: {REFERENCE}"
    for card_path in cards:
        card = read_vcard(card_path)
        last_name, first_name = card["N"].split(";")[:2]
        owner = UserFactory()
        bday = vcard_birthday(card)
        day, month, year = bday if bday else (None, None, None)
        ContactFactory(
            owner=owner,
            first_name=first_name,
            last_name=last_name,
            birthday_day=day,
            birthday_month=month,
            birthday_year=year,
        )
        expected_path = card_path.with_name(card_path.name.removesuffix(".vcf") + ".expected.ics")
        expected = Calendar.from_ical(expected_path.read_bytes()).walk("VEVENT")

        actual = list(built(owner).values())

        assert len(actual) == len(expected), card_path.name
        for mine, theirs in zip(actual, expected, strict=True):
            assert mine.decoded("DTSTART") == theirs.decoded("DTSTART"), card_path.name
            assert rrule(mine)["FREQ"] == rrule(theirs)["FREQ"], card_path.name
            assert mine["TRANSP"] == theirs["TRANSP"], card_path.name
            assert card["FN"] in str(mine["SUMMARY"]), card_path.name


# ---------------------------------------------------------------- queries


@pytest.mark.parametrize("size", [3, 30])
def test_the_feed_takes_the_same_queries_at_3_and_30_contacts(
    client: Client, feed: CalendarFeed, size: int, django_assert_num_queries
) -> None:
    owner = feed.owner
    contacts = ContactFactory.create_batch(
        size,
        owner=owner,
        birthday_day=29,
        birthday_month=2,
        prospect_status=ProspectStatus.PROSPECT,
        prospect_since=timezone.now(),
    )
    strong_ties(owner, size)
    Touchpoint.objects.bulk_create(
        Touchpoint(
            contact=c, kind=Kind.CALL, happened_at=NOW, promise="Rückruf", promise_due=date(2026, 12, 1)
        )
        for c in contacts
    )
    OneOffReminder.objects.bulk_create(
        OneOffReminder(contact=c, due_on=date(2026, 12, 3), text="Angebot nachfassen") for c in contacts
    )

    # the feed with its owner, the active contacts, the open promises, the open one-off reminders
    with django_assert_num_queries(4):
        response = client.get(feed_path(feed))

    assert len(parse(response).walk("VEVENT")) == 5 * size


def test_the_uids_name_the_site_so_two_sites_never_share_one(owner: User, settings: Any) -> None:
    contact = ContactFactory(owner=owner, birthday_day=7, birthday_month=4)
    settings.SITE_URL = "https://netzwerk.example.com"

    assert set(built(owner)) == {f"birthday-{contact.pk}@netzwerk.example.com"}
