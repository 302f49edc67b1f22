"""The contact list as CSV: safe against formula injection, readable by Excel, the list's filter."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from contacts.choices import Circle, Sorting, Stage
from contacts.export import spreadsheet_safe
from contacts.models import Contact
from netzwerk.accounts.models import User
from tests.factories import ContactEmailFactory, ContactFactory, ContactPhoneFactory, TagFactory


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ('=HYPERLINK("http://evil.example","Klick")', '\'=HYPERLINK("http://evil.example","Klick")'),
        ("+4930123456", "'+4930123456"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Müller", "Müller"),
        ("a=b", "a=b"),  # only the start makes a formula
        (" =1+1", " =1+1"),
        ("", ""),
        ("'quoted", "'quoted"),
    ],
)
def test_a_cell_that_would_be_a_formula_is_text(cell: str, safe: str) -> None:
    assert spreadsheet_safe(cell) == safe


def export(client: Client, **params: str) -> tuple[Any, list[list[str]]]:
    response = client.get(reverse("contacts:export_csv"), params)
    assert response.streaming
    body = response.getvalue().decode("utf-8")
    assert body.startswith("\ufeff")  # Excel reads the umlauts
    delimiter = ";" if response.wsgi_request.LANGUAGE_CODE == "de" else ","
    return response, list(csv.reader(io.StringIO(body.removeprefix("\ufeff")), delimiter=delimiter))


@pytest.fixture
def jurgen(owner: User) -> Contact:
    contact = ContactFactory(
        owner=owner,
        first_name="Jürgen",
        last_name="Weiß",
        company="Bauer & Söhne GmbH",
        position="Geschäftsführer",
        birthday_day=28,
        birthday_month=11,
        birthday_year=1970,
        circle=Circle.REGULAR,
        stage=Stage.MET,
        how_met="linkedin",
        linkedin_url="https://www.linkedin.com/in/juergen-weiss",
        notes='=HYPERLINK("http://evil.example","Klick")\nzweite Zeile',
        sorting=Sorting.REGULAR,
    )
    ContactEmailFactory(contact=contact, address="juergen@bauer.example")
    ContactEmailFactory(contact=contact, address="jw@privat.example")
    ContactPhoneFactory(contact=contact, number="+4930123456")
    contact.tags.add(TagFactory(owner=owner, name="Golf"), TagFactory(owner=owner, name="-Presse"))
    return contact


def test_it_exports_every_column_as_safe_text(owner_client: Client, jurgen: Contact) -> None:
    response, rows = export(owner_client)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="netzwerk-')
    assert rows[0] == [
        "First name",
        "Last name",
        "Company",
        "Position",
        "E-mails",
        "Phones",
        "Birthday",
        "Circle",
        "Stage",
        "Tags",
        "LinkedIn",
        "XING",
        "Notes",
        "How we met",
        "Sorted as",
    ]
    assert rows[1] == [
        "Jürgen",
        "Weiß",
        "Bauer & Söhne GmbH",
        "Geschäftsführer",
        "juergen@bauer.example, jw@privat.example",
        "'+4930123456",
        "11/28/1970",
        "Regular",
        "Met in person",
        "'-Presse, Golf",
        "https://www.linkedin.com/in/juergen-weiss",
        "",
        '\'=HYPERLINK("http://evil.example","Klick")\nzweite Zeile',
        "LinkedIn",
        "Regular",
    ]


def test_it_writes_what_german_excel_reads(owner: User, owner_client: Client, jurgen: Contact) -> None:
    """Semicolons (German Excel's list separator), German headings and dates."""
    owner.language = "de"
    owner.save(update_fields=["language"])
    ContactFactory(owner=owner, first_name="Ohne", last_name="Jahr", birthday_day=29, birthday_month=2)

    _response, rows = export(owner_client)

    assert len(rows[0]) == 15
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Jürgen"][6] == "28.11.1970"
    assert by_name["Ohne"][6] == "29. Februar"


def test_it_exports_the_lists_filter_on_every_page_and_nothing_of_others(
    owner: User, stranger: User, owner_client: Client
) -> None:
    ContactFactory.create_batch(30, owner=owner, company="Bauer & Söhne")
    ContactFactory(owner=owner, company="Anders AG")
    ContactFactory.create_batch(2, owner=stranger, company="Bauer & Söhne")

    _response, everything = export(owner_client)
    _response, filtered = export(owner_client, q="Bauer")

    assert len(everything) == 1 + 31
    assert len(filtered) == 1 + 30
    assert {row[2] for row in filtered[1:]} == {"Bauer & Söhne"}


@pytest.mark.parametrize("size", [5, 50])
def test_it_takes_the_same_queries_at_any_size(
    owner: User, owner_client: Client, size: int, django_assert_num_queries: Any
) -> None:
    for contact in ContactFactory.create_batch(size, owner=owner):
        ContactEmailFactory(contact=contact)
        contact.tags.add(TagFactory(owner=owner))

    # session, user, the contacts, their e-mails, phones and tags (per 500 contacts)
    with django_assert_num_queries(6):
        _response, rows = export(owner_client)

    assert len(rows) == 1 + size


def test_the_list_links_to_the_export_of_its_filter(owner: User, owner_client: Client) -> None:
    ContactFactory(owner=owner, sorting=Sorting.UNSORTED)

    body = owner_client.get(reverse("contacts:list"), {"sorting": "unsorted"}).content.decode()

    assert f'href="{reverse("contacts:export_csv")}?sorting=unsorted"' in body
    assert "Export as CSV" in body


def test_the_export_wants_a_signed_in_user(client: Client) -> None:
    response = client.get(reverse("contacts:export_csv"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
