"""The ledger leaves the table's check constraints to the database (the form checked them for the
user): a caller passing what they forbid still writes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from netzwerk.accounts.models import User
from tests.factories import ContactFactory
from touchpoints import ledger
from touchpoints.models import Touchpoint

pytestmark = pytest.mark.django_db(transaction=True)

WHEN = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def test_a_due_date_without_a_promise_is_refused_and_nothing_is_written(owner: User) -> None:
    contact = ContactFactory(owner=owner)

    with pytest.raises(IntegrityError):
        ledger.log_touch(contact, kind="call", happened_at=WHEN, promise_due=date(2026, 11, 9))

    assert not Touchpoint.objects.filter(contact=contact).exists()
    contact.refresh_from_db()
    assert contact.touch_count == 0


def test_an_unknown_kind_is_still_a_validation_error(owner: User) -> None:
    contact = ContactFactory(owner=owner)

    with pytest.raises(ValidationError):
        ledger.log_touch(contact, kind="carrier-pigeon", happened_at=WHEN)

    assert not Touchpoint.objects.filter(contact=contact).exists()
