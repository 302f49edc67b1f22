"""Today's items offer a call and an e-mail (tel: and mailto:), and a new account's Today says
how to start."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from contacts.models import Contact, ContactEmail, ContactPhone
from netzwerk.accounts.models import User
from reminders import due
from reminders.reach import with_reach
from tests.factories import ContactEmailFactory, ContactFactory, ContactPhoneFactory, contact_form_data
from tests.reminders.conftest import NOW, at
from tests.reminders.test_today import grow


def reach(owner_client: Client) -> tuple[list[str], list[str]]:
    html = owner_client.get(reverse("reminders:today")).content.decode()
    return re.findall(r'href="tel:([^"]+)"', html), re.findall(r'href="mailto:([^"]+)"', html)


def test_each_item_offers_its_contacts_first_phone_and_e_mail(
    owner: User, owner_client: Client, network: dict[str, Contact]
) -> None:
    for n, key in enumerate(["red", "birthday", "promise", "prospect", "online", "one_off"]):
        ContactPhoneFactory(contact=network[key], number=f"+4930123456{n}")
        ContactPhoneFactory(contact=network[key], number=f"+4930765432{n}")  # a second: not offered
    ContactEmailFactory(contact=network["promise"], address="versprechen@beispiel.test")
    ContactEmailFactory(contact=network["promise"], address="zweite@beispiel.test")

    with at(NOW):
        phones, emails = reach(owner_client)

    assert sorted(phones) == [f"+4930123456{n}" for n in range(6)]  # yellow has none: no link
    assert emails == ["versprechen@beispiel.test"]
    items = [item for section in due.today_for(owner, now=NOW).sections for item in section.items]
    (promise,) = [item for item in items if item.kind == "promise"]
    assert (promise.phone, promise.phone_display, promise.email) == (
        "+49301234562",
        "+49 30 1234562",
        "versprechen@beispiel.test",
    )


@pytest.mark.parametrize("size", [50, 5000])
def test_the_calls_and_e_mails_take_no_query_more_at_any_size(
    owner: User, owner_client: Client, network: dict[str, Contact], size: int, django_assert_num_queries
) -> None:
    grow(owner, size)
    contacts = list(Contact.objects.for_owner(owner).values_list("pk", flat=True))
    ContactPhone.objects.bulk_create(ContactPhone(contact_id=pk, number=f"+49301{pk:07d}") for pk in contacts)
    ContactEmail.objects.bulk_create(
        ContactEmail(contact_id=pk, address=f"k{pk}@beispiel.test") for pk in contacts
    )

    moment = NOW - timedelta(hours=1)
    # As test_today's: session, user, stamp, the contact sections, birthday states, promises,
    # review, when the lists may change, the roster gauge. The phones and e-mails come with the
    # sections and the promises.
    with at(moment), django_assert_num_queries(14):
        html = owner_client.get(reverse("reminders:today")).content.decode()

    shown = len(re.findall(r'data-testid="item"', html)) - 1  # the roster review has no contact
    assert len(re.findall(r'href="tel:\+49301\d{7}"', html)) == shown
    assert len(re.findall(r'href="mailto:k\d+@beispiel.test"', html)) == shown


def test_a_phone_added_in_the_form_shows_on_the_kept_page(
    owner: User, owner_client: Client, network: dict[str, Contact]
) -> None:
    red = network["red"]
    with at(NOW):
        assert reach(owner_client) == ([], [])  # and kept
        data = contact_form_data(first_name=red.first_name, last_name=red.last_name, stage=red.stage)
        data |= {"circle": red.circle, "phones-0-number": "030 1234567"}
        assert owner_client.post(reverse("contacts:edit", args=[red.pk]), data).status_code == 302
        assert reach(owner_client) == (["+49301234567"], [])


def test_a_new_account_sees_three_first_steps_until_its_first_contact(
    owner: User, owner_client: Client
) -> None:
    html = owner_client.get(reverse("reminders:today")).content.decode()

    start = html.split('data-testid="today-start"', 1)[1].split("</section>", 1)[0]
    assert re.findall(r'<li>\s*<a class="button[^"]*" href="([^"]+)"', start) == [
        reverse("contacts:create"),
        reverse("imports:upload"),
        reverse("accounts:coaching") + "#invite",
    ]
    assert 'data-testid="today-empty"' not in html  # nothing due is no news to a new account
    assert 'data-testid="roster-count"' not in html  # nor "0 / 60" strong ties

    ContactFactory(owner=owner)
    html = owner_client.get(reverse("reminders:today")).content.decode()
    assert 'data-testid="today-start"' not in html
    assert 'data-testid="today-empty"' in html
    assert 'data-testid="roster-count"' in html


def test_a_contact_gone_since_its_section_was_read_is_shown_without_a_phone(
    owner: User, network: dict[str, Contact]
) -> None:
    ContactPhoneFactory(contact=network["red"], number="+49301234567")
    sections = due.todays_for([owner], now=NOW)[owner.pk].sections
    found = {
        owner.pk: [
            replace(section, items=[replace(item, phone="") for item in section.items])
            for section in sections
        ]
    }
    Contact.objects.filter(pk=network["red"].pk).delete()  # merged or erased in another request

    items = [item for section in with_reach(found)[owner.pk] for item in section.items]

    assert [item.phone for item in items if item.contact and item.contact.pk == network["red"].pk] == [""]
