"""The contact form and the settings say what is wrong in words, before the database would."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from contacts.models import Contact
from netzwerk.accounts.forms import PreferencesForm, canonical_zones, time_zone_choices
from netzwerk.accounts.models import User
from tests.factories import contact_form_data

pytestmark = pytest.mark.django_db
TODAY = dt.datetime(2026, 12, 6, 12, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("day", "month", "year", "error"),
    [
        ("7", "12", "2026", "A birthday cannot be in the future."),
        ("1", "1", "2027", "Enter a year between 1900 and 2026."),
        ("31", "12", "1899", "Enter a year between 1900 and 2026."),
    ],
)
def test_a_birthday_is_a_day_that_has_been(
    owner_client: Client, day: str, month: str, year: str, error: str
) -> None:
    data = contact_form_data(birthday_day=day, birthday_month=month, birthday_year=year)

    with time_machine.travel(TODAY, tick=False):
        response = owner_client.post(reverse("contacts:create"), data)

    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Contact.objects.exists()


def test_a_birthday_earlier_this_year_is_taken(owner_client: Client) -> None:
    data = contact_form_data(birthday_day="6", birthday_month="12", birthday_year="2026")

    with time_machine.travel(TODAY, tick=False):
        response = owner_client.post(reverse("contacts:create"), data)

    assert response.status_code == 302


def test_a_contact_without_a_name_is_told_so_not_the_constraints_name(owner_client: Client) -> None:
    response = owner_client.post(reverse("contacts:create"), contact_form_data(first_name="", last_name=""))

    body = response.content.decode()
    assert "Enter a first or a last name." in body
    assert "contact_has_a_name" not in body


def test_the_model_says_it_in_words_too_where_no_form_checks_first(owner: User) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        Contact(owner=owner, first_name="", last_name="").validate_constraints()

    assert refused.value.messages == ["A contact needs a first or a last name."]


def test_the_time_zones_are_the_countries_zones_ours_first(owner: User) -> None:
    zones = [zone for zone, _label in time_zone_choices()]

    assert zones[:3] == ["Europe/Berlin", "Europe/Vienna", "Europe/Zurich"]
    assert {"Europe/Amsterdam", "America/New_York", "Asia/Tokyo"} <= set(zones)
    assert not {"US/Eastern", "Etc/GMT+5", "Europe/Belfast", "UTC", "GB"} & set(zones)
    owner.time_zone = "US/Eastern"  # an alias chosen before stays choosable
    field = PreferencesForm(instance=owner).fields["time_zone"]
    assert field.choices[0][0] == "US/Eastern"  # type: ignore[attr-defined]
    assert "US/Eastern" not in canonical_zones()


@pytest.mark.parametrize(
    ("leads", "field", "error"),
    [
        ({"birthday_gift_days": "3", "birthday_card_days": "5"}, "birthday_card_days", "at most the gift"),
        ({"birthday_card_days": "2", "birthday_call_days": "4"}, "birthday_call_days", "at most the card"),
    ],
)
def test_the_birthday_gestures_keep_their_order(
    owner: User, leads: dict[str, str], field: str, error: str
) -> None:
    from tests.accounts.test_accounts import METHOD_DEFAULTS

    data = {**METHOD_DEFAULTS, "language": "en", "time_zone": "Europe/Berlin", "digest_frequency": "weekly",
            "digest_hour": "7", **leads}  # fmt: skip
    form = PreferencesForm(data, instance=owner)

    assert not form.is_valid()
    assert error in " ".join(str(message) for message in form.errors[field])
    assert PreferencesForm({**data, **dict.fromkeys(leads, "0")}, instance=owner).is_valid()
