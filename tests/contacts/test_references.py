"""The moments the rules count from, as the database stores them (contacts.moments.CADENCE_REFERENCE
and the others, generated columns), against contacts/rules.py for any state of a contact: Today's
sections and the coach's counts filter on the columns, the items show what the rules say."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from contacts import rules
from contacts.choices import Channel, Circle, ProspectStatus, Sorting
from contacts.models import Contact
from netzwerk.accounts.models import User
from reminders import due
from reminders.models import ItemKind
from tests.factories import ContactFactory, UserFactory

pytestmark = pytest.mark.django_db

START = datetime(2025, 1, 1, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
moments = st.one_of(
    st.none(),
    st.integers(min_value=0, max_value=400).map(lambda days: START + timedelta(days=days, minutes=days * 7)),
)
required_moments = st.integers(min_value=0, max_value=400).map(lambda days: START + timedelta(days=days))


@pytest.fixture
def owner() -> User:
    return UserFactory()


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    created_at=required_moments,
    first_touch_at=moments,
    last_touch_at=moments,
    first_personal_touch_at=moments,
    sorted_at=moments,
    sorting=st.sampled_from(Sorting.values),
    circle=st.sampled_from(Circle.values),
    how_met=st.sampled_from(["", *Channel.values]),
    prospect_status=st.sampled_from(ProspectStatus.values),
    prospect_since=moments,
    archived=st.booleans(),
)
def test_the_stored_references_are_what_the_rules_count_from(owner: User, **state: object) -> None:
    archived = state.pop("archived")
    assume(not (archived and state["circle"] == Circle.STRONG))  # a constraint: never both
    contact = ContactFactory(owner=owner, circle=Circle.REGULAR)
    # Any combination, as a bulk write or a migration could leave it (update() bypasses save()).
    Contact.objects.filter(pk=contact.pk).update(archived_at=NOW if archived else None, **state)
    contact.refresh_from_db()

    assert contact.cadence_reference == rules.cadence_reference(contact)
    progress = rules.prospect_progress(contact, owner=owner, now=NOW)
    expected = None
    if progress is not None and progress.next_due_at is not None:
        expected = progress.next_due_at - owner.prospect_interval_days * rules.DAY
    elif progress is not None:  # at the target: the same moment counts, though nothing waits on it
        expected = max(contact.prospect_since, contact.last_touch_at or contact.prospect_since)
    assert contact.prospect_reference == expected
    online = rules.online_only(contact, owner=owner, now=NOW)
    assert contact.online_reference == (rules.online_window_start(contact) if online else None)


def test_a_write_that_bypasses_save_still_moves_the_contact_into_today(owner: User) -> None:
    contact = ContactFactory(owner=owner, circle=Circle.REGULAR)
    Contact.objects.filter(pk=contact.pk).update(created_at=START, last_touch_at=NOW - timedelta(days=5))
    assert due.section_for(owner, ItemKind.CADENCE, now=NOW).total == 0

    # A bulk writer sets the last touch far back: the stored reference follows, with no code of ours.
    Contact.objects.filter(pk=contact.pk).update(last_touch_at=NOW - timedelta(days=200))

    section = due.section_for(owner, ItemKind.CADENCE, now=NOW)
    assert [item.contact.pk for item in section.items if item.contact] == [contact.pk]
    assert section.counts == {"red": 1, "yellow": 0}
