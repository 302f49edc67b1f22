"""The demo's one-off reminders: one due today, one overdue and one next week, so that Today, the
digest and the calendar feed show the kind from the first login (`manage.py seed_demo`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from contacts.models import Contact
from contacts.moments import WAITING_TO_BE_SORTED
from netzwerk.accounts.models import User
from touchpoints.models import OneOffReminder

# (days from the user's today, text): what a user notes down after a conversation.
REMINDERS = (
    (0, "Wegen des Angebots anrufen"),
    (-2, "Glückwünsche zur neuen Stelle schicken"),
    (7, "Mittagessen im Januar vorschlagen"),
)


def seed_one_off_reminders(user: User, *, now: datetime) -> int:
    """One reminder each for the first of the user's sorted, active contacts (by name)."""
    contacts = (
        Contact.objects.for_owner(user)
        .active()
        .exclude(WAITING_TO_BE_SORTED)
        .order_by("last_name", "first_name", "pk")
    )
    today = user.local_date(now)
    made = OneOffReminder.objects.bulk_create(
        OneOffReminder(contact=contact, due_on=today + timedelta(days=days), text=text)
        for contact, (days, text) in zip(contacts[: len(REMINDERS)], REMINDERS, strict=False)
    )
    return len(made)
