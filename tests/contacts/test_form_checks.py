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


@pytest.mark.parametrize(
    ("how_met", "stage", "refused"),
    [
        ("linkedin", "met", True),
        ("linkedin", "relationship", True),
        ("linkedin", "online", False),
        ("event", "met", False),
        ("", "met", False),
    ],
)
def test_a_stage_past_online_needs_the_meeting_of_a_contact_known_only_online(
    owner_client: Client, how_met: str, stage: str, refused: bool
) -> None:
    """R1: a LinkedIn contact is "met in person" once a personal touch is logged, not because
    the form says so (its page would say both "met in person" and "arrange a meeting")."""
    response = owner_client.post(reverse("contacts:create"), contact_form_data(how_met=how_met, stage=stage))

    assert Contact.objects.exists() is not refused
    assert ("You know them only online so far" in response.text) is refused


def test_an_online_contact_met_since_may_move_on_and_a_stored_stage_is_left_alone(
    owner_client: Client, owner: User
) -> None:
    from tests.factories import ContactFactory
    from touchpoints import ledger
    from touchpoints.kinds import Kind

    online = ContactFactory(owner=owner, how_met="linkedin", stage="online")
    edit = reverse("contacts:edit", args=[online.pk])
    owner_client.post(edit, contact_form_data(how_met="linkedin", stage="met"))
    online.refresh_from_db()
    assert online.stage == "online"

    ledger.log_touch(online, kind=Kind.CALL, happened_at=TODAY)  # met: the stage moves on
    owner_client.post(edit, contact_form_data(how_met="linkedin", stage="relationship"))
    online.refresh_from_db()
    assert online.stage == "relationship"

    # a stage stored before this rule stays: an edit of another field is not refused for it
    legacy = ContactFactory(owner=owner, how_met="linkedin", stage="met")
    owner_client.post(
        reverse("contacts:edit", args=[legacy.pk]),
        contact_form_data(how_met="linkedin", stage="met", company="Neu"),
    )
    legacy.refresh_from_db()
    assert legacy.company == "Neu"


@pytest.mark.parametrize(
    ("zone", "stored", "code"),
    [("Europe/Vienna", "+436641234567", "+43"), ("Europe/Berlin", "+496641234567", "+49")],
)
def test_a_number_without_a_country_code_is_read_in_the_owners_country_as_an_import_reads_it(
    client: Client, zone: str, stored: str, code: str
) -> None:
    from tests.factories import UserFactory, sign_in

    owner = UserFactory(time_zone=zone)
    sign_in(client, owner)
    assert f"get {code}, the code of your time zone" in client.get(reverse("contacts:create")).text

    client.post(reverse("contacts:create"), contact_form_data(**{"phones-0-number": "0664 1234567"}))

    assert list(Contact.objects.get(owner=owner).phones.values_list("number", flat=True)) == [stored]


def test_an_online_origin_given_later_does_not_keep_a_stage_typed_before(
    owner_client: Client, owner: User
) -> None:
    """Created with no origin at "met in person", then LinkedIn chosen as the origin: known only
    online, with no meeting logged, it cannot stay "met" (the page would say both)."""
    owner_client.post(reverse("contacts:create"), contact_form_data(how_met="", stage="met"))
    contact = Contact.objects.get(owner=owner)

    response = owner_client.post(
        reverse("contacts:edit", args=[contact.pk]), contact_form_data(how_met="linkedin", stage="met")
    )

    assert "You know them only online so far" in response.text
    contact.refresh_from_db()
    assert (contact.how_met, contact.stage) == ("", "met")


def test_an_origin_corrected_to_an_event_moves_the_stage_on_in_one_step(
    owner_client: Client, owner: User
) -> None:
    from tests.factories import ContactFactory

    contact = ContactFactory(owner=owner, how_met="linkedin", stage="online")

    owner_client.post(
        reverse("contacts:edit", args=[contact.pk]), contact_form_data(how_met="event", stage="online")
    )

    contact.refresh_from_db()
    assert (contact.how_met, contact.stage) == ("event", "met")
