"""The contact page's call and e-mail links, and the list's folding filters (issue 14)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from contacts.models import Contact
from netzwerk.accounts.models import User
from tests.factories import ContactEmailFactory, ContactFactory, ContactPhoneFactory


def test_the_contact_page_links_every_phone_and_e_mail_and_offers_the_first_at_the_top(
    owner: User, owner_client: Client
) -> None:
    contact: Contact = ContactFactory(owner=owner)
    for number in ("+4930123456", "+491712345678"):
        ContactPhoneFactory(contact=contact, number=number)
    for address in ("erste@beispiel.test", "zweite@beispiel.test"):
        ContactEmailFactory(contact=contact, address=address)

    html = owner_client.get(reverse("contacts:detail", args=[contact.pk])).content.decode()

    assert re.findall(r'href="tel:([^"]+)"', html) == ["+4930123456", "+4930123456", "+491712345678"]
    assert re.findall(r'href="mailto:([^"]+)"', html) == [
        "erste@beispiel.test",
        "erste@beispiel.test",
        "zweite@beispiel.test",
    ]
    top = html.split('class="actions contact-reach"', 1)[1].split("</p>", 1)[0]
    assert 'data-testid="call"' in top
    assert 'data-testid="write"' in top


def test_a_contact_without_phone_or_e_mail_has_no_call_or_write_button(
    owner: User, owner_client: Client
) -> None:
    contact = ContactFactory(owner=owner)
    html = owner_client.get(reverse("contacts:detail", args=[contact.pk])).content.decode()
    assert "contact-reach" not in html
    assert "tel:" not in html
    assert "mailto:" not in html


@pytest.mark.parametrize(
    ("query", "opened"),
    [
        ("", False),
        ("?q=weiß", False),  # the search stays in view on a phone
        ("?sort=cadence", False),  # an order filters nothing
        ("?circle=regular", True),
        ("?key=on", True),
        ("?sorting=unsorted&q=x", True),
    ],
)
def test_the_folded_filters_open_while_one_is_set(
    owner: User, owner_client: Client, query: str, opened: bool
) -> None:
    ContactFactory(owner=owner)
    html = owner_client.get(reverse("contacts:list") + query).content.decode()
    (toggle,) = re.findall(r'<details class="filters-toggle"[^>]*>', html)
    assert ("open" in toggle) is opened
