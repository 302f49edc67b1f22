"""An import that brings a matched contact only a phone or an e-mail still changes the contact's
moment of change: Today, kept until its contacts change, offers the new number at once."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from contacts.choices import Channel
from contacts.models import Contact
from netzwerk.accounts.models import User
from tests.factories import ContactEmailFactory, ContactFactory
from tests.imports.helpers import imported
from tests.reminders.conftest import DAY, NOW, at

pytestmark = pytest.mark.django_db

ONLY_A_PHONE = """BEGIN:VCARD
VERSION:3.0
N:Schröder;Jürgen
FN:Jürgen Schröder
TEL;TYPE=CELL:0171 2345678
EMAIL:j.schroeder@bauer-soehne.de
END:VCARD
"""


def test_a_phone_an_import_adds_shows_on_todays_kept_page(owner: User, owner_client: Client) -> None:
    with at(NOW - 300 * DAY):
        juergen = ContactFactory(
            owner=owner, first_name="Jürgen", last_name="Schröder", company="", how_met=Channel.OTHER
        )
        ContactEmailFactory(contact=juergen, address="j.schroeder@bauer-soehne.de")
    before = Contact.objects.get(pk=juergen.pk).updated_at

    with at(NOW):
        html = owner_client.get(reverse("reminders:today")).content.decode()  # kept
        assert "tel:" not in html
        assert str(juergen.pk) in re.findall(r'data-key="cadence:(\d+)"', html)
        imported(owner, ("kontakt.vcf", ONLY_A_PHONE), now=datetime.now(UTC))
        html = owner_client.get(reverse("reminders:today")).content.decode()

    assert list(juergen.phones.values_list("number", flat=True)) == ["+491712345678"]
    assert Contact.objects.get(pk=juergen.pk).updated_at > before
    assert 'href="tel:+491712345678"' in html
