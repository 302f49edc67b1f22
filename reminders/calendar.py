"""The calendar feed (.ics): birthdays as yearly all-day events, the next follow-up per contact,
and each open promise and one-off reminder as an all-day event on its day.

Calendar apps subscribe to a secret URL (reminders.feed_views) and poll it; every event keeps its
UID from one poll to the next, so a moved follow-up moves in the calendar instead of doubling.
The whole feed costs three queries, whatever the number of contacts: the contacts, the open
promises, the open one-off reminders.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from contacts import rules
from contacts.models import Contact
from reminders.birthdays import celebrated_on
from reminders.models import CalendarFeed, new_feed_token
from touchpoints.models import OneOffReminder, Touchpoint

if TYPE_CHECKING:
    from netzwerk.accounts.models import User

PRODID = "-//Netzwerk//Calendar feed//EN"
# Birthdays without a year start in 2000, as CardDAV servers do: a leap year, so 29 February fits.
NO_YEAR = 2000
YEARLY = {"freq": "yearly"}
# A yearly rule on 29 February has no occurrence in common years (RFC 5545 drops invalid dates),
# so many clients would show the birthday only every fourth year. The last day of February is the
# 29th in leap years and the 28th otherwise: the day reminders.birthdays.celebrated_on names.
YEARLY_ON_LAST_DAY_OF_FEBRUARY = {"freq": "yearly", "bymonth": 2, "bymonthday": -1}


def feed_url(feed: CalendarFeed) -> str:
    """Absolute, because calendar apps fetch it from elsewhere; the token is its only secret."""
    return settings.SITE_URL + reverse("calendar:feed", kwargs={"token": feed.token})


def regenerate_feed(owner: User) -> CalendarFeed:
    """A new token: the old URL answers 404 from now on."""
    feed, _created = CalendarFeed.objects.update_or_create(owner=owner, defaults={"token": new_feed_token()})
    return feed


def build_calendar(owner: User, *, now: datetime) -> Calendar:
    """The owner's feed, in the owner's language and with dates of the owner's calendar days."""
    with translation.override(owner.language):
        calendar = Calendar()
        calendar.add("prodid", PRODID)
        calendar.add("version", "2.0")
        calendar.add("x-wr-calname", "Netzwerk")
        for event in _events(owner, now=now):
            event.add("dtstamp", now)
            event.add("transp", "TRANSPARENT")  # reminders, not appointments: never "busy"
            calendar.add_component(event)
        return calendar


def _events(owner: User, *, now: datetime) -> Iterator[Event]:
    """Contacts waiting to be sorted have no birthday or follow-up here (as on Today), but their
    promises are the user's own word and stay (reminders.due says why)."""
    contacts = {contact.pk: contact for contact in Contact.objects.for_owner(owner).active().by_name()}
    for contact in contacts.values():
        if rules.waits_to_be_sorted(contact):
            continue
        month, day = contact.birthday_month, contact.birthday_day
        if month is not None and day is not None:
            yield _birthday(contact, month=month, day=day)
        progress = rules.prospect_progress(contact, owner=owner, now=now)
        if progress is not None and progress.next_due_at is not None:
            summary = _("Next touch with %(name)s") % {"name": contact.name}
            yield _follow_up("prospect", contact, owner.local_date(progress.next_due_at), summary)
        if contact.is_strong_tie:
            yellow_from = rules.cadence(contact, owner=owner, now=now).yellow_from
            summary = _("Keep in touch with %(name)s") % {"name": contact.name}
            yield _follow_up("cadence", contact, owner.local_date(yellow_from), summary)
    yield from _promises(owner, contacts)
    yield from _one_offs(owner, contacts)


def _promises(owner: User, contacts: dict[int, Contact]) -> Iterator[Event]:
    """Every open promise of an active contact with a day, on that day, each with its own UID
    (three promises to one person are three things to do, as on Today)."""
    for touch in Touchpoint.objects.for_owner(owner).open_promises().exclude(promise_due=None):
        contact = contacts.get(touch.contact_id)  # archived contacts are not in `contacts`
        if contact is None or touch.promise_due is None:
            continue
        event = _event(f"promise-{touch.pk}", contact)
        event.add(
            "summary",
            _("Promise to %(name)s: %(promise)s") % {"name": contact.name, "promise": touch.promise},
        )
        event.add("dtstart", touch.promise_due)
        yield event


def _one_offs(owner: User, contacts: dict[int, Contact]) -> Iterator[Event]:
    """Every open one-off reminder of an active contact, overdue ones too (on their day), each
    with its own UID: a changed day moves the event."""
    for reminder in OneOffReminder.objects.for_owner(owner).open():
        contact = contacts.get(reminder.contact_id)  # archived contacts are not in `contacts`
        if contact is None:
            continue
        event = _event(f"one-off-{reminder.pk}", contact)
        event.add("summary", _("%(name)s: %(text)s") % {"name": contact.name, "text": reminder.text})
        event.add("dtstart", reminder.due_on)
        yield event


def _birthday(contact: Contact, *, month: int, day: int) -> Event:
    event = _event(f"birthday-{contact.pk}", contact)
    event.add("summary", _("%(name)s's birthday") % {"name": contact.name})
    # celebrated_on also copes with a 29 February stored with a common year (the database allows it).
    event.add("dtstart", celebrated_on(month, day, contact.birthday_year or NO_YEAR))
    event.add("rrule", YEARLY_ON_LAST_DAY_OF_FEBRUARY if (month, day) == (2, 29) else YEARLY)
    return event


def _follow_up(kind: str, contact: Contact, day: date, summary: str) -> Event:
    event = _event(f"{kind}-{contact.pk}", contact)
    event.add("summary", summary)
    event.add("dtstart", day)
    return event


def uid(name: str) -> str:
    """An event's UID, unique in the world as RFC 5545 asks (`birthday-7@netzwerk.example.com`):
    one person subscribed to two Netzwerk sites gets both sites' events, none replacing another."""
    return f"{name}@{urlsplit(settings.SITE_URL).hostname or 'netzwerk'}"


def _event(name: str, contact: Contact) -> Event:
    event = Event()
    event.add("uid", uid(name))
    event.add("url", settings.SITE_URL + contact.get_absolute_url())
    return event
