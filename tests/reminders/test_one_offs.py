"""One-off reminders: set on the contact page or with a touch, on Today from their day until done
(or snoozed), in the digest and in the calendar feed, edited and deleted on the contact page."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation
from icalendar import Calendar

from contacts.models import Contact
from netzwerk.accounts.models import User
from reminders import digest, due, items, one_offs, states
from reminders.calendar import uid
from reminders.models import CalendarFeed, ItemKind, ReminderState
from tests.reminders.conftest import DAY, NOW, TODAY, at, contact, shown_on_page
from touchpoints.forms import OneOffReminderForm
from touchpoints.kinds import Kind
from touchpoints.models import REMINDER_TEXT_MAX, OneOffReminder, Touchpoint


@pytest.fixture
def anna(owner: User) -> Contact:
    return contact(owner, "Anna", touched=2 * DAY)


def remind(person: Contact, day: date, text: str = "Anrufen wegen Angebot") -> OneOffReminder:
    return OneOffReminder.objects.create(contact=person, due_on=day, text=text)


def due_texts(owner: User, moment: Any = NOW) -> list[str]:
    section = due.section_for(owner, ItemKind.ONE_OFF, now=moment)
    return [item.one_off.text for item in section.items if item.one_off is not None]


# ---------------------------------------------------------------- the form


def form(data: dict[str, str], instance: OneOffReminder | None = None) -> OneOffReminderForm:
    return OneOffReminderForm(data, instance=instance, today=TODAY)


@pytest.mark.django_db
@translation.override("de")  # as the users read it, whatever an earlier test left active
def test_the_form_takes_today_and_later_days_and_refuses_a_past_one() -> None:
    assert form({"due_on": "2026-11-23", "text": "Anrufen"}).is_valid()
    assert form({"due_on": "2027-01-15", "text": "Anrufen"}).is_valid()
    past = form({"due_on": "2026-11-22", "text": "Anrufen"})
    assert not past.is_valid()
    assert past.errors["due_on"] == ["Dieser Tag ist vorbei. Wähle heute oder einen späteren Tag."]


@pytest.mark.django_db
@translation.override("de")
def test_the_form_wants_a_text_within_its_limit() -> None:
    empty = form({"due_on": "2026-11-23", "text": "   "})
    assert empty.errors["text"] == ["Schreib, woran du erinnert werden möchtest."]
    too_long = form({"due_on": "2026-11-23", "text": "x" * (REMINDER_TEXT_MAX + 1)})
    assert "text" in too_long.errors
    assert form({"due_on": "2026-11-23", "text": "x" * REMINDER_TEXT_MAX}).is_valid()
    missing_day = form({"due_on": "", "text": "Anrufen"})
    assert missing_day.errors["due_on"] == ["Wähle den Tag, an dem du erinnert werden möchtest."]


def test_an_overdue_reminder_keeps_its_day_when_edited_but_moves_to_no_other_past_day(anna: Contact) -> None:
    overdue = remind(anna, TODAY - 3 * DAY)
    assert form({"due_on": "2026-11-20", "text": "Anders formuliert"}, instance=overdue).is_valid()
    moved = form({"due_on": "2026-11-21", "text": "Anders formuliert"}, instance=overdue)
    assert "due_on" in moved.errors


def test_the_database_refuses_an_empty_text(anna: Contact) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        OneOffReminder.objects.create(contact=anna, due_on=TODAY, text="")


# ---------------------------------------------------------------- setting one on the contact page


def test_the_contact_page_loads_the_panel_which_lists_the_open_reminders(
    owner_client: Client, anna: Contact
) -> None:
    remind(anna, TODAY + 5 * DAY, "Zum Jubiläum gratulieren")
    done = remind(anna, TODAY, "Schon erledigt")
    done.mark_done(now=NOW)
    panel = reverse("reminders:one_off_panel", args=[anna.pk])

    with at(NOW):
        page = owner_client.get(anna.get_absolute_url()).content.decode()
        fragment = owner_client.get(panel, HTTP_HX_REQUEST="true").content.decode()
        full = owner_client.get(panel).content.decode()

    assert f'hx-get="{panel}"' in page  # lazy, with a link without JavaScript
    assert f'href="{panel}"' in page
    assert "<html" not in fragment
    assert "<html" in full
    for body in (fragment, full):
        assert "Zum Jubiläum gratulieren" in body
        assert "Schon erledigt" not in body
        assert body.count('data-testid="one-off"') == 1


def test_setting_one_shows_it_and_says_so(owner: User, owner_client: Client, anna: Contact) -> None:
    with at(NOW):
        response = owner_client.post(
            reverse("reminders:one_off_create", args=[anna.pk]),
            {"due_on": "2027-01-15", "text": "Anrufen wegen Angebot"},
            HTTP_HX_REQUEST="true",
        )

    (reminder,) = OneOffReminder.objects.for_owner(owner)
    assert (reminder.contact, reminder.due_on, reminder.text) == (
        anna,
        date(2027, 1, 15),
        "Anrufen wegen Angebot",
    )
    body = response.content.decode()
    assert "Reminder set for Jan. 15, 2027: Anrufen wegen Angebot" in body
    assert 'data-testid="one-off"' in body


def test_bad_input_changes_nothing_and_keeps_what_was_typed(
    owner: User, owner_client: Client, anna: Contact
) -> None:
    url = reverse("reminders:one_off_create", args=[anna.pk])
    with at(NOW):
        for headers in ({"HX-Request": "true"}, {}):
            response = owner_client.post(
                url, {"due_on": "2026-11-01", "text": "Rückruf zur Messe"}, headers=headers
            )
            body = response.content.decode()
            assert response.status_code == 200
            assert "This day has passed. Choose today or a later day." in body
            assert 'value="Rückruf zur Messe"' in body
            assert 'value="2026-11-01"' in body

    assert not OneOffReminder.objects.exists()


def test_without_javascript_setting_one_returns_to_the_contact(owner_client: Client, anna: Contact) -> None:
    with at(NOW):
        response = owner_client.post(
            reverse("reminders:one_off_create", args=[anna.pk]), {"due_on": "2026-11-23", "text": "Anrufen"}
        )

    assert response.status_code == 302
    assert response["Location"] == anna.get_absolute_url()


# ---------------------------------------------------------------- setting one with a touch


def test_the_touch_log_form_sets_a_reminder_with_the_touch(owner_client: Client, anna: Contact) -> None:
    with at(NOW):
        response = owner_client.post(
            reverse("touchpoints:log", args=[anna.pk]),
            {"kind": Kind.CALL, "remind_on": "2026-12-01", "remind_about": "Angebot nachfassen"},
            HTTP_HX_REQUEST="true",
        )

    assert response.status_code == 200
    assert Touchpoint.objects.filter(contact=anna).count() == 2  # the one from the fixture, and this
    (reminder,) = OneOffReminder.objects.filter(contact=anna)
    assert (reminder.due_on, reminder.text) == (date(2026, 12, 1), "Angebot nachfassen")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"remind_on": "2026-12-01"}, "remind_about", "Say what to remind you of."),
        ({"remind_about": "Angebot nachfassen"}, "remind_on", "Choose the day to be reminded on."),
        (
            {"remind_on": "2026-11-22", "remind_about": "Angebot"},
            "remind_on",
            "This day has passed. Choose today or a later day.",
        ),
    ],
)
def test_a_half_or_past_reminder_logs_no_touch_and_says_why(
    owner_client: Client, anna: Contact, data: dict[str, str], field: str, message: str
) -> None:
    with at(NOW):
        response = owner_client.post(
            reverse("touchpoints:log", args=[anna.pk]), {"kind": Kind.CALL, **data}, HTTP_HX_REQUEST="true"
        )

    assert message in response.content.decode()
    assert Touchpoint.objects.filter(contact=anna).count() == 1  # the fixture's only
    assert not OneOffReminder.objects.exists()


def test_editing_a_touch_offers_no_reminder(owner_client: Client, anna: Contact) -> None:
    touch = Touchpoint.objects.get(contact=anna)
    body = owner_client.get(reverse("touchpoints:edit", args=[touch.pk])).content.decode()
    assert 'name="remind_on"' not in body
    panel = owner_client.get(reverse("touchpoints:panel", args=[anna.pk])).content.decode()
    assert 'name="remind_on"' in panel


# ---------------------------------------------------------------- on Today


def test_it_is_on_today_on_its_day_and_while_overdue_but_not_before(owner: User, anna: Contact) -> None:
    remind(anna, TODAY + 2 * DAY, "Anrufen wegen Angebot")

    assert due_texts(owner, NOW) == []
    assert due_texts(owner, NOW + 1 * DAY) == []
    assert due_texts(owner, NOW + 2 * DAY) == ["Anrufen wegen Angebot"]
    assert due_texts(owner, NOW + 30 * DAY) == ["Anrufen wegen Angebot"]
    section = due.section_for(owner, ItemKind.ONE_OFF, now=NOW + 30 * DAY)
    assert section.counts == {"overdue": 1}
    with translation.override("en"):
        assert section.items[0].meta == "due since Nov. 25, 2026"


def test_the_most_overdue_comes_first_and_others_reminders_stay_theirs(
    owner: User, stranger: User, anna: Contact
) -> None:
    remind(anna, TODAY, "Heute")
    remind(anna, TODAY - 5 * DAY, "Längst fällig")
    remind(contact(stranger, "Fremd"), TODAY - DAY, "Nicht meins")

    assert due_texts(owner) == ["Längst fällig", "Heute"]


def test_an_archived_contacts_reminder_waits_and_its_panel_says_so(
    owner: User, owner_client: Client, anna: Contact
) -> None:
    remind(anna, TODAY)
    anna.archive(now=NOW)
    assert due_texts(owner) == []
    panel = owner_client.get(reverse("reminders:one_off_panel", args=[anna.pk])).content.decode()
    assert 'data-testid="one-offs-archived"' in panel
    anna.unarchive()
    assert due_texts(owner) == ["Anrufen wegen Angebot"]


def test_the_page_shows_it_linked_to_the_contact_with_done_touches_and_snooze(
    owner_client: Client, anna: Contact
) -> None:
    reminder = remind(anna, TODAY - DAY)
    with at(NOW):
        body = owner_client.get(reverse("reminders:today")).content.decode()

    assert 'id="today-one_off-title"' in body
    assert f'href="{anna.get_absolute_url()}"' in body
    assert "Anrufen wegen Angebot" in body
    assert f'data-key="one_off:{anna.pk}:{reminder.pk}"' in body
    assert f'action="{reverse("reminders:one_off_item", args=[reminder.pk])}"' in body
    assert 'name="log" value="call"' in body


def test_marking_it_done_takes_it_off_today_and_the_contact_page(
    owner: User, owner_client: Client, anna: Contact
) -> None:
    reminder = remind(anna, TODAY)
    with at(NOW):
        response = owner_client.post(
            reverse("reminders:one_off_item", args=[reminder.pk]), {"action": "done"}, HTTP_HX_REQUEST="true"
        )
        panel = owner_client.get(reverse("reminders:one_off_panel", args=[anna.pk])).content.decode()

    reminder.refresh_from_db()
    assert reminder.done_at == NOW
    assert "This section is done." in response.content.decode()
    assert due_texts(owner) == []
    assert "Anrufen wegen Angebot" not in panel
    assert Touchpoint.objects.filter(contact=anna).count() == 1  # no touch without one pressed


def test_done_with_a_call_logs_the_call(owner: User, owner_client: Client, anna: Contact) -> None:
    reminder = remind(anna, TODAY)
    with at(NOW):
        response = owner_client.post(
            reverse("reminders:one_off_item", args=[reminder.pk]), {"log": Kind.CALL}, HTTP_HX_REQUEST="true"
        )

    assert "touch-logged" in response["HX-Trigger"]
    assert Touchpoint.objects.filter(contact=anna, kind=Kind.CALL, happened_at=NOW).exists()
    reminder.refresh_from_db()
    assert reminder.done_at == NOW


def test_snoozing_hides_it_until_the_snooze_ends(owner: User, owner_client: Client, anna: Contact) -> None:
    reminder = remind(anna, TODAY - DAY)
    with at(NOW):
        response = owner_client.post(reverse("reminders:one_off_item", args=[reminder.pk]), {"days": "3"})

    assert response.status_code == 302
    state = ReminderState.objects.get(owner=owner)
    assert state.key == one_offs.state_key(contact_id=anna.pk, reminder_id=reminder.pk)
    assert state.snoozed_until == TODAY + 3 * DAY
    assert due_texts(owner, NOW) == []
    assert due_texts(owner, NOW + 2 * DAY) == []
    assert due_texts(owner, NOW + 3 * DAY) == ["Anrufen wegen Angebot"]
    reminder.refresh_from_db()
    assert reminder.done_at is None


def test_the_state_key_is_the_items_key(owner: User, anna: Contact) -> None:
    reminder = remind(anna, TODAY)
    (item,) = due.section_for(owner, ItemKind.ONE_OFF, now=NOW).items
    assert item.key == one_offs.state_key(contact_id=anna.pk, reminder_id=reminder.pk)


def one_off_keys(response: Any) -> list[str]:
    return next((keys for kind, _total, keys in shown_on_page(response) if kind == ItemKind.ONE_OFF), [])


@pytest.mark.parametrize("change", ["set", "edit", "done", "delete"])
def test_a_change_to_a_reminder_ends_the_kept_page(
    owner_client: Client, anna: Contact, change: str, django_assert_num_queries: Any
) -> None:
    """The kept Today (reminders.due.kept) names the reminders as they stand: each change shows."""
    reminder = remind(anna, TODAY, "Schon da") if change != "set" else None
    with at(NOW):
        owner_client.get(reverse("reminders:today"))
        with django_assert_num_queries(3):  # kept: session, user, stamp
            before = one_off_keys(owner_client.get(reverse("reminders:today")))
        if reminder is None:
            remind(anna, TODAY, "Gleich anrufen")
        elif change == "edit":
            reminder.due_on = TODAY + DAY
            reminder.save()
        elif change == "done":
            reminder.mark_done(now=NOW)
        else:
            reminder.delete()
        after = one_off_keys(owner_client.get(reverse("reminders:today")))

    assert len(before) == (0 if change == "set" else 1)
    assert len(after) == (1 if change == "set" else 0)


def test_a_bad_action_changes_nothing(owner_client: Client, anna: Contact) -> None:
    reminder = remind(anna, TODAY)
    with at(NOW):
        for data in ({"action": "decide", "outcome": "customer"}, {"days": "5"}, {}):
            assert (
                owner_client.post(reverse("reminders:one_off_item", args=[reminder.pk]), data).status_code
                == 302
            )

    reminder.refresh_from_db()
    assert reminder.done_at is None
    assert not ReminderState.objects.exists()


# ---------------------------------------------------------------- the digest and the feed


def test_the_digest_lists_it_in_text_and_html(owner: User, anna: Contact) -> None:
    owner.language = "en"
    remind(anna, TODAY - DAY, "Anrufen wegen Angebot")
    _subject, text, html = digest.render(owner, due.today_for(owner, now=NOW))

    assert "== Reminders (1) ==" in text
    url = settings.SITE_URL + anna.get_absolute_url()
    line = f"- {anna.name}: Anrufen wegen Angebot, due since Nov. 22, 2026 {url}"
    assert line in text.splitlines()
    assert "Anrufen wegen Angebot" in html
    assert f"{anna.get_absolute_url()}" in html


def test_the_feed_has_each_open_reminder_as_an_all_day_event(
    owner: User, client: Client, anna: Contact
) -> None:
    feed = CalendarFeed.objects.create(owner=owner)
    reminder = remind(anna, date(2027, 1, 15), "Anrufen wegen Angebot")
    remind(anna, date(2027, 1, 16), "Erledigt").mark_done(now=NOW)
    url = reverse("calendar:feed", kwargs={"token": feed.token})

    first = Calendar.from_ical(client.get(url).content)
    again = Calendar.from_ical(client.get(url).content)

    uid_of_reminder = uid(f"one-off-{reminder.pk}")
    found = [event for event in first.walk("VEVENT") if str(event["UID"]).startswith("one-off-")]
    assert [str(event["UID"]) for event in found] == [uid_of_reminder]
    (event,) = found
    assert event.decoded("DTSTART") == date(2027, 1, 15)  # a date: all day
    assert event["DTSTART"].params.get("VALUE") == "DATE"
    assert str(event["SUMMARY"]) == f"{anna.name}: Anrufen wegen Angebot"
    assert str(event["URL"]).endswith(anna.get_absolute_url())
    assert [str(e["UID"]) for e in again.walk("VEVENT") if str(e["UID"]).startswith("one-off-")] == [
        uid_of_reminder
    ]


# ---------------------------------------------------------------- edit and delete


def test_editing_it_saves_and_returns_to_the_contact(owner_client: Client, anna: Contact) -> None:
    reminder = remind(anna, TODAY - DAY)
    url = reverse("reminders:one_off_edit", args=[reminder.pk])
    with at(NOW):
        assert 'value="Anrufen wegen Angebot"' in owner_client.get(url).content.decode()
        refused = owner_client.post(url, {"due_on": "2026-11-01", "text": "Neu"})
        saved = owner_client.post(url, {"due_on": "2026-12-24", "text": "Frohe Weihnachten wünschen"})

    assert "This day has passed" in refused.content.decode()
    assert saved.status_code == 302
    assert saved["Location"] == anna.get_absolute_url()
    reminder.refresh_from_db()
    assert (reminder.due_on, reminder.text) == (date(2026, 12, 24), "Frohe Weihnachten wünschen")


def test_deleting_asks_first_then_deletes_it_and_its_snooze(
    owner: User, owner_client: Client, anna: Contact
) -> None:
    reminder = remind(anna, TODAY)
    states.snooze(owner, ItemKind.ONE_OFF, days=1, now=NOW, contact=anna, occasion=str(reminder.pk))
    url = reverse("reminders:one_off_delete", args=[reminder.pk])

    confirm = owner_client.get(url)
    assert "Delete this reminder?" in confirm.content.decode()
    assert OneOffReminder.objects.filter(pk=reminder.pk).exists()

    response = owner_client.post(url)
    assert response.status_code == 302
    assert response["Location"] == anna.get_absolute_url()
    assert not OneOffReminder.objects.exists()
    assert not ReminderState.objects.exists()


def test_a_done_reminder_is_not_edited_any_more(owner_client: Client, anna: Contact) -> None:
    reminder = remind(anna, TODAY)
    reminder.mark_done(now=NOW)
    assert owner_client.get(reverse("reminders:one_off_edit", args=[reminder.pk])).status_code == 404
    assert (
        owner_client.post(
            reverse("reminders:one_off_item", args=[reminder.pk]), {"action": "done"}
        ).status_code
        == 302
    )


# ---------------------------------------------------------------- queries


@pytest.mark.parametrize("size", [3, 60])
def test_the_panel_takes_the_same_queries_at_any_size(
    owner_client: Client, anna: Contact, size: int, django_assert_num_queries: Any
) -> None:
    OneOffReminder.objects.bulk_create(
        OneOffReminder(contact=anna, due_on=TODAY + n * DAY, text=f"Erinnerung {n}") for n in range(size)
    )
    # session, user, the contact, its open reminders
    with at(NOW), django_assert_num_queries(4):
        response = owner_client.get(
            reverse("reminders:one_off_panel", args=[anna.pk]), HTTP_HX_REQUEST="true"
        )

    assert response.content.decode().count('data-testid="one-off"') == size


@pytest.mark.parametrize("size", [3, 60])
def test_the_digest_builder_takes_the_same_queries_at_any_size(
    owner: User, stranger: User, size: int, django_assert_num_queries: Any
) -> None:
    for user in (owner, stranger):
        person = contact(user, "Viele")
        OneOffReminder.objects.bulk_create(
            OneOffReminder(contact=person, due_on=TODAY - (n % 9) * DAY, text=f"Erinnerung {n}")
            for n in range(size)
        )
    # what snoozes hide, cadences, birthdays, promises, one-off reminders, prospects, online-only,
    # review, the shown contacts' phones and e-mails
    with django_assert_num_queries(9):
        todays = due.todays_for([owner, stranger], now=NOW)

    assert [todays[user.pk].sections[3].total for user in (owner, stranger)] == [size, size]
    assert len(todays[owner.pk].sections[3].items) == min(size, items.SHOWN)
