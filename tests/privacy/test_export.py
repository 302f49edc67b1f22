"""F1/F2: one click gives all of the account's data, as JSON and vCard 4.0, and nobody else's
(prepared by a worker: privacy.jobs, tests/privacy/test_export_jobs.py)."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from datetime import datetime, timedelta
from typing import Any

import pytest
import vobject
from django.apps import apps
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from contacts.models import Contact
from netzwerk.accounts.models import User
from privacy import export, jobs, registry
from tests.factories import ContactEmailFactory, ContactFactory, ContactPhoneFactory, TagFactory, UserFactory
from tests.privacy.conftest import Seeded, signed_in
from tests.privacy.schema import rows_referring

# One query per exported model; the contacts for the vCards and their e-mails, phones and tags.
EXPORT_QUERIES = len(registry.EXPORTED) + 4


def unzip(response: Any) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def prepared(user: User) -> Any:
    """Ask for an export as the page does, let the worker's function build it, and fetch it."""
    client = signed_in(user)
    assert client.post(reverse("privacy:export")).status_code == 302
    job = jobs.latest(user)
    assert job is not None
    assert jobs.build(job.pk, now=timezone.now()) == "ready"
    response = client.get(reverse("privacy:export_download", kwargs={"pk": job.pk}))
    assert response.status_code == 200
    return response


def download(user: User) -> dict[str, bytes]:
    return unzip(prepared(user))


def test_it_downloads_a_zip_named_by_the_day_that_no_cache_keeps(alice: Seeded) -> None:
    response = prepared(alice.user)

    day = alice.user.local_date(timezone.now())
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == f'attachment; filename="netzwerk-export-{day.isoformat()}.zip"'
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert sorted(unzip(response)) == ["contacts.vcf", "netzwerk.json"]


def test_it_exports_every_row_of_every_exported_model_and_none_of_another_users(
    alice: Seeded, bob: Seeded
) -> None:
    files = download(alice.user)
    data = json.loads(files["netzwerk.json"])

    assert list(data) == list(registry.EXPORTED)
    # every exported model holds rows of hers, and exactly the rows the schema ties to her
    referring = rows_referring(get_user_model(), alice.user.pk)
    for label, rows in data.items():
        pk = apps.get_model(label)._meta.pk.attname
        assert rows, f"no {label} row in the export: seed one in tests/privacy/conftest.py"
        assert {row[pk] for row in rows} == referring[label], label
    everything = b"".join(files.values()).decode()
    for string in alice.strings:
        assert string in everything, string
    for string in bob.strings:
        assert string not in everything, string


def test_it_writes_plain_json_with_iso_moments_and_no_credentials(alice: Seeded) -> None:
    files = download(alice.user)
    data = json.loads(files["netzwerk.json"])

    (user,) = data["accounts.User"]
    assert user["email"] == alice.user.email
    assert "password" not in user
    assert "token" not in data["reminders.CalendarFeed"][0]
    # ISO 8601, to the millisecond
    assert abs(datetime.fromisoformat(user["date_joined"]) - alice.user.date_joined) < timedelta(
        milliseconds=1
    )
    (touch,) = data["touchpoints.Touchpoint"]
    assert touch["promise_due"] == alice.touch.promise_due.isoformat()  # type: ignore[union-attr]
    everything = b"".join(files.values()).decode()
    for secret in alice.secrets:
        assert secret not in everything


def test_it_writes_every_contact_as_a_vcard_that_a_parser_reads_back(alice: Seeded) -> None:
    owner = alice.user
    ContactFactory(owner=owner, first_name="Jürgen", last_name="Weiß", birthday_day=29, birthday_month=2)
    archived = ContactFactory(
        owner=owner,
        first_name="Änne",
        last_name="Öztürk",
        birthday_year=1970,
        birthday_month=12,
        birthday_day=1,
    )
    archived.archive(now=timezone.now())
    ContactEmailFactory(contact=archived, address="aenne@beispiel.test", label="privat")
    ContactPhoneFactory(contact=archived, number="+4915112345678", label="Handy")
    archived.tags.add(TagFactory(owner=owner, name="Kunden, A"), TagFactory(owner=owner, name="Golf"))

    cards = list(vobject.readComponents(download(owner)["contacts.vcf"].decode()))
    by_name = {card.fn.value: card for card in cards}

    assert len(cards) == Contact.objects.for_owner(owner).count() == 4
    uids = [card.uid.value for card in cards]
    assert len(set(uids)) == len(uids)
    assert all(uuid.UUID(uid.removeprefix("urn:uuid:")).version == 5 for uid in uids)
    assert all(card.version.value == "4.0" for card in cards)
    juergen = by_name["Jürgen Weiß"]
    assert (juergen.n.value.given, juergen.n.value.family) == ("Jürgen", "Weiß")
    assert juergen.bday.value == "--0229"
    aenne = by_name["Änne Öztürk"]
    assert aenne.bday.value == "19701201"
    assert aenne.email.value == "aenne@beispiel.test"
    assert aenne.email.type_param == "home"
    assert (aenne.tel.value, aenne.tel.type_param, aenne.tel.value_param) == (
        "tel:+4915112345678",
        "cell",
        "uri",
    )
    assert sorted(aenne.categories.value) == ["Golf", "Kunden, A"]
    mine = by_name[alice.contact.name]
    assert mine.note.value == alice.contact.notes
    assert "\n" in mine.note.value
    assert "," in mine.note.value
    assert mine.bday.value == "--0314"
    assert mine.org.value == [alice.contact.company]
    assert mine.title.value == alice.contact.position
    assert [url.value for url in mine.contents["url"]] == [alice.contact.linkedin_url]
    assert mine.email.type_param == "work"


def test_it_keeps_each_cards_uid_from_one_export_to_the_next_and_per_site(alice: Seeded) -> None:
    def uids() -> list[str]:
        return [
            card.uid.value for card in vobject.readComponents(download(alice.user)["contacts.vcf"].decode())
        ]

    first = uids()
    assert uids() == first
    with override_settings(SITE_URL="https://netzwerk.example.org"):
        assert set(uids()).isdisjoint(first)


@pytest.mark.parametrize("contacts", [1, 6])
def test_it_exports_in_the_same_number_of_queries_whatever_the_size(
    contacts: int, db: None, django_assert_num_queries: Any
) -> None:
    owner = UserFactory()
    for made in ContactFactory.create_batch(contacts, owner=owner):
        ContactEmailFactory(contact=made)
        ContactPhoneFactory(contact=made)
        made.tags.add(TagFactory(owner=owner))

    with django_assert_num_queries(EXPORT_QUERIES):
        export.write_export(owner).close()
