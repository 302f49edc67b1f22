"""The duplicates page: candidate pairs by shared e-mail, phone or profile (certain) or by the
same folded name at the same company or organisation (likely); "Not the same person"; the
placeholder for merging."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contacts.models import Contact, ContactEmail, ContactPhone, DistinctPair, normalise_phone
from imports import duplicates
from imports.duplicates import COMPANY, NAME, ORGANISATION, Evidence
from tests.factories import (
    ContactEmailFactory,
    ContactFactory,
    ContactPhoneFactory,
    OrganisationFactory,
)

pytestmark = pytest.mark.django_db


def person(owner, first: str, last: str = "Weiß", **fields) -> Contact:
    return ContactFactory(owner=owner, first_name=first, last_name=last, **fields)


def found(owner) -> dict[tuple[int, int], list[Evidence]]:
    return {(c.first, c.second): c.evidence for c in duplicates.candidates(owner)}


# ---------------------------------------------------------------- certain evidence


def test_it_pairs_contacts_with_one_e_mail_address_whatever_its_case(owner) -> None:
    anna, hanna = person(owner, "Anna"), person(owner, "Hanna")
    ContactEmailFactory(contact=anna, address="Anna.Weiss@Beispiel.example")
    ContactEmailFactory(contact=hanna, address="anna.weiss@beispiel.example")
    ContactEmailFactory(contact=hanna, address="hanna@privat.example")

    assert found(owner) == {(anna.pk, hanna.pk): [Evidence("email", "anna.weiss@beispiel.example")]}


def test_it_pairs_phones_typed_differently_but_one_in_e164(owner) -> None:
    first, second = person(owner, "Jörg"), person(owner, "Georg")
    ContactPhoneFactory(contact=first, number=normalise_phone("030 1234567"))
    ContactPhoneFactory(contact=second, number=normalise_phone("+49 (30) 123-4567"))

    assert found(owner) == {(first.pk, second.pk): [Evidence("phone", "+49301234567")]}


def test_it_pairs_one_profile_typed_differently(owner) -> None:
    first = person(owner, "Max", linkedin_url="https://www.linkedin.com/in/Max-Weiss/")
    second = person(owner, "Maximilian", linkedin_url="http://linkedin.com/in/max-weiss")
    person(owner, "Moritz", linkedin_url="https://www.linkedin.com/in/moritz-weiss")
    person(owner, "Mia", xing_url="http://linkedin.com/in/max-weiss")  # another site's field

    assert found(owner) == {(first.pk, second.pk): [Evidence("linkedin", "linkedin.com/in/max-weiss")]}


def test_it_takes_no_company_website_for_a_person(owner) -> None:
    person(owner, "Anna", website="https://www.beispiel.example/")
    person(owner, "Berta", website="https://www.beispiel.example/")

    assert found(owner) == {}


def test_it_names_every_piece_of_evidence_of_a_pair_once(owner) -> None:
    first, second = person(owner, "Anna"), person(owner, "Anna")  # same name, same company
    for contact in (first, second):
        ContactEmailFactory(contact=contact, address="anna@beispiel.example")
        ContactPhoneFactory(contact=contact, number="+4930111111")

    assert found(owner) == {
        (first.pk, second.pk): [
            Evidence("email", "anna@beispiel.example"),
            Evidence("phone", "+4930111111"),
            Evidence(COMPANY, "Beispiel GmbH"),
        ]
    }


def test_it_gives_each_pair_of_a_small_group_and_a_star_of_a_large_one(owner) -> None:
    trio = [person(owner, name) for name in ("Anna", "Berta", "Clara")]
    for contact in trio:
        ContactEmailFactory(contact=contact, address="familie@beispiel.example")
    office = [person(owner, f"Kollege{n}") for n in range(duplicates.CLIQUE + 1)]
    for contact in office:
        ContactPhoneFactory(contact=contact, number="+49301000000")
    a, b, c = (contact.pk for contact in trio)

    pairs = set(found(owner))

    assert {(a, b), (a, c), (b, c)} <= pairs
    assert pairs - {(a, b), (a, c), (b, c)} == {(office[0].pk, other.pk) for other in office[1:]}


# ---------------------------------------------------------------- likely evidence


def test_it_pairs_the_same_folded_name_at_the_same_company(owner) -> None:
    first = person(owner, "Jörg", "Schröder", company="Müller GmbH")
    second = person(owner, "Joerg", "Schroeder", company="mueller gmbh")

    assert found(owner) == {(first.pk, second.pk): [Evidence(COMPANY, "Müller GmbH")]}


def test_it_keeps_namesakes_at_other_companies_apart_and_offers_those_a_company_cannot_tell(owner) -> None:
    """At two companies, two people; with a company on one side at most, possibly one: an
    import keeps such namesakes apart when each has its own address, and the user decides."""
    at_one = person(owner, "Thomas", "Müller", company="Beispiel GmbH")
    at_other = person(owner, "Thomas", "Mueller", company="Anders AG")
    without = person(owner, "Thomas", "Müller", company="")

    assert found(owner) == {
        (at_one.pk, without.pk): [Evidence(NAME, "Thomas Müller")],
        (at_other.pk, without.pk): [Evidence(NAME, "Thomas Mueller")],
    }
    assert [pair.possible for pair in duplicates.pairs_page(owner, number=1)] == [True, True]


def test_namesakes_at_one_company_born_on_other_days_are_two_people(owner) -> None:
    first = person(owner, "Jürgen", "Schröder", company="Siemens AG", birthday_day=7, birthday_month=4)
    second = person(owner, "Juergen", "Schroeder", company="SIEMENS AG", birthday_day=1, birthday_month=1)
    third = person(owner, "Jürgen", "Schröder", company="Siemens AG")  # no birthday: may be either

    assert found(owner) == {
        (first.pk, third.pk): [Evidence(COMPANY, "Siemens AG")],  # as written, not folded
        (second.pk, third.pk): [Evidence(COMPANY, "SIEMENS AG")],
    }


def test_it_pairs_namesakes_met_at_and_member_of_one_organisation(owner) -> None:
    club = OrganisationFactory(owner=owner, name="Rotary Club Köln")
    first = person(owner, "Ute", "Groß", company="", met_at=club)
    second = person(owner, "Ute", "Gross", company="Anders AG")
    second.organisations.add(club)

    assert found(owner) == {(first.pk, second.pk): [Evidence(ORGANISATION, "Rotary Club Köln")]}


def test_it_lists_certain_pairs_before_likely_ones(owner) -> None:
    likely = [person(owner, "Anna", "Adler"), person(owner, "Anna", "Adler")]
    certain = [person(owner, "Zoe", "Zander"), person(owner, "Zora", "Zander")]
    for contact in certain:
        ContactPhoneFactory(contact=contact, number="+4930222222")

    assert [(c.first, c.certain) for c in duplicates.candidates(owner)] == [
        (certain[0].pk, True),
        (likely[0].pk, False),
    ]


# ---------------------------------------------------------------- whose, and kept apart


def test_it_never_pairs_another_owners_contacts(owner, stranger) -> None:
    mine = person(owner, "Anna", linkedin_url="https://www.linkedin.com/in/anna")
    theirs = person(stranger, "Anna", linkedin_url="https://www.linkedin.com/in/anna")
    for contact in (mine, theirs):
        ContactEmailFactory(contact=contact, address="anna@beispiel.example")
        ContactPhoneFactory(contact=contact, number="+4930333333")

    assert found(owner) == {}
    assert found(stranger) == {}


def test_it_leaves_pairs_kept_apart_out_for_good(owner) -> None:
    first, second = person(owner, "Anna"), person(owner, "Anna")
    ContactEmailFactory(contact=first, address="anna@beispiel.example")
    ContactEmailFactory(contact=second, address="anna@beispiel.example")

    DistinctPair.keep_apart(second, first)
    DistinctPair.keep_apart(first, second)
    ContactPhoneFactory(contact=first, number="+4930444444")
    ContactPhoneFactory(contact=second, number="+4930444444")  # more evidence later

    assert found(owner) == {}
    assert list(DistinctPair.objects.values_list("first", "second")) == [(first.pk, second.pk)]


def test_it_lists_archived_contacts_marked(owner_client: Client, owner) -> None:
    first, second = person(owner, "Anna"), person(owner, "Anna")
    second.archive(now=timezone.now())

    response = owner_client.get(reverse("imports:duplicates"))

    assert found(owner) == {(first.pk, second.pk): [Evidence(COMPANY, "Beispiel GmbH")]}
    assert response.content.decode().count('class="badge archived"') == 1


# ---------------------------------------------------------------- the page


def test_the_page_shows_both_contacts_and_the_evidence_in_words(owner_client: Client, owner) -> None:
    first = person(owner, "Sören", "Groß", company="Alpha AG", position="CTO")
    second = person(owner, "Soeren", "Gross", company="Beta AG")
    ContactEmailFactory(contact=first, address="Soeren@Gross.example")
    ContactEmailFactory(contact=second, address="soeren@gross.example")
    ContactPhoneFactory(contact=second, number="+4917012345678")

    body = owner_client.get(reverse("imports:duplicates"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Same e-mail address: soeren@gross.example" in body
    assert "Certain" in body
    assert "Sören Groß" in body
    assert "Soeren Gross" in body
    assert "<dd>CTO</dd>" in body
    assert "<dd>Alpha AG</dd>" in body
    assert "+49 170 12345678" in body
    assert reverse("imports:merge", args=[first.pk, second.pk]) in body
    assert reverse("imports:dismiss", args=[first.pk, second.pk]) in body


def test_the_page_says_so_when_there_are_no_duplicates(owner_client: Client, owner) -> None:
    person(owner, "Anna")
    person(owner, "Berta")

    response = owner_client.get(reverse("imports:duplicates"), HTTP_ACCEPT_LANGUAGE="en")

    assert 'data-testid="no-duplicates"' in response.content.decode()
    assert 'data-testid="pair"' not in response.content.decode()
    assert "No pairs left to check." not in response.content.decode()  # the card says it, once


def test_the_page_speaks_german(owner_client: Client, owner) -> None:
    first, second = person(owner, "Anna"), person(owner, "Anna")
    ContactPhoneFactory(contact=first, number="+4930555555")
    ContactPhoneFactory(contact=second, number="+4930555555")
    owner.language = "de"
    owner.save(update_fields=["language"])

    body = owner_client.get(reverse("imports:duplicates")).content.decode()

    assert "Gleiche Telefonnummer: +49 30 555555" in body
    assert "Nicht dieselbe Person" in body


def network(owner, size: int) -> None:
    """`size` contacts with an e-mail, a phone and a profile each, and four pairs among them."""
    contacts = ContactFactory.create_batch(size, owner=owner, company="")
    ContactEmail.objects.bulk_create(
        ContactEmail(contact=c, address=f"person{c.pk}@beispiel.example") for c in contacts
    )
    ContactPhone.objects.bulk_create(ContactPhone(contact=c, number=f"+49301{c.pk:07d}") for c in contacts)
    club = OrganisationFactory(owner=owner)
    for n, contact in enumerate(contacts[:4]):
        twin = ContactFactory(
            owner=owner, first_name=contact.first_name, last_name=contact.last_name, met_at=club
        )
        twin.organisations.add(club)
        if n % 2:
            ContactEmailFactory(contact=twin, address=f"PERSON{contact.pk}@beispiel.example")
        ContactPhoneFactory(contact=twin, number=f"+49301{contact.pk:07d}")


@pytest.mark.parametrize("size", [6, 300])
def test_the_page_takes_the_same_queries_at_a_few_and_many_contacts(
    owner_client: Client, owner, size: int, django_assert_num_queries
) -> None:
    network(owner, size)

    # session, user; shared keys, namesakes, their memberships, pairs kept apart, names to sort
    # by; the page's contacts with met_at, their e-mails, phones, organisations
    with django_assert_num_queries(11):
        response = owner_client.get(reverse("imports:duplicates"))

    assert response.status_code == 200
    assert response.content.decode().count('data-testid="pair"') == 4


def test_the_page_is_paginated(owner_client: Client, owner) -> None:
    for n in range(duplicates.PAIRS_PER_PAGE + 1):
        person(owner, f"Paar{n}")
        person(owner, f"Paar{n}")  # a namesake at the same company

    first = owner_client.get(reverse("imports:duplicates")).content.decode()
    second = owner_client.get(reverse("imports:duplicates"), {"page": 2}).content.decode()

    assert first.count('data-testid="pair"') == duplicates.PAIRS_PER_PAGE
    assert second.count('data-testid="pair"') == 1


# ---------------------------------------------------------------- not the same person


@pytest.fixture
def pair(owner) -> tuple[Contact, Contact]:
    first, second = person(owner, "Anna"), person(owner, "Anna")
    ContactEmailFactory(contact=first, address="anna@beispiel.example")
    ContactEmailFactory(contact=second, address="anna@beispiel.example")
    return first, second


def test_not_the_same_person_without_javascript_goes_back_to_the_page(
    owner_client: Client, owner, pair: tuple[Contact, Contact]
) -> None:
    first, second = pair
    url = reverse("imports:dismiss", args=[second.pk, first.pk])  # either order

    response = owner_client.post(url, {"page": "2"})

    assert response.status_code == 302
    assert response["Location"] == reverse("imports:duplicates") + "?page=2"
    assert DistinctPair.objects.filter(owner=owner, first=first, second=second).exists()
    page = owner_client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "are kept apart" in page
    assert 'data-testid="pair"' not in owner_client.get(reverse("imports:duplicates")).content.decode()


def test_not_the_same_person_by_htmx_swaps_the_pair_out(
    owner_client: Client, owner, pair: tuple[Contact, Contact]
) -> None:
    first, second = pair
    url = reverse("imports:dismiss", args=[first.pk, second.pk])

    response = owner_client.post(url, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en")

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert 'id="pair-count"' in body
    assert 'hx-swap-oob="true"' in body
    assert "No pairs left to check." in body
    assert "are kept apart" in body
    assert DistinctPair.objects.filter(owner=owner).count() == 1


def test_not_the_same_person_takes_only_post(owner_client: Client, pair: tuple[Contact, Contact]) -> None:
    url = reverse("imports:dismiss", args=[pair[0].pk, pair[1].pk])

    assert owner_client.get(url).status_code == 405
    assert not DistinctPair.objects.exists()


def test_a_pair_with_a_strangers_contact_is_a_404(
    owner_client: Client, stranger, pair: tuple[Contact, Contact]
) -> None:
    theirs = person(stranger, "Anna")
    for first, second in ((pair[0], theirs), (theirs, pair[0]), (pair[0], pair[0])):
        url = reverse("imports:dismiss", args=[first.pk, second.pk])
        assert owner_client.post(url).status_code == 404
    assert not DistinctPair.objects.exists()


def test_deleting_a_contact_deletes_its_pairs_kept_apart(owner, pair: tuple[Contact, Contact]) -> None:
    DistinctPair.keep_apart(*pair)

    pair[1].delete()

    assert not DistinctPair.objects.exists()
