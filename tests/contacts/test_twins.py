"""Saving a contact with a certain duplicate (the same e-mail, phone or profile as another of the
owner's contacts) warns, with links to the other contact and to the duplicates page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from contacts import evidence
from contacts.models import Contact, DistinctPair
from tests.factories import ContactEmailFactory, ContactFactory, ContactPhoneFactory, contact_form_data

pytestmark = pytest.mark.django_db


def warnings_after(client: Client, url: str, data: dict[str, str]) -> list[str]:
    response = client.post(url, data, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    warnings = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    for warning in warnings:
        assert warning in response.content.decode()  # its links as links, not escaped
    return warnings


def test_it_warns_on_create_when_the_e_mail_is_another_contacts(owner_client: Client, owner) -> None:
    other = ContactFactory(owner=owner, first_name="Sören", last_name="Gross")
    ContactEmailFactory(contact=other, address="Soeren@Gross.example")

    (warning,) = warnings_after(
        owner_client,
        reverse("contacts:create"),
        contact_form_data(**{"emails-0-address": "soeren@gross.example"}),
    )

    assert f'<a href="{other.get_absolute_url()}">Sören Gross</a> shares' in warning
    assert "with Sören Groß: soeren@gross.example." in warning
    assert f'<a href="{reverse("imports:duplicates")}">' in warning


def test_it_warns_on_edit_when_a_phone_typed_differently_is_another_contacts(
    owner_client: Client, owner
) -> None:
    other = ContactFactory(owner=owner, first_name="Georg")
    ContactPhoneFactory(contact=other, number="+49301234567")
    contact = ContactFactory(owner=owner, first_name="Sören", last_name="Groß")

    (warning,) = warnings_after(
        owner_client,
        reverse("contacts:edit", args=[contact.pk]),
        contact_form_data(**{"phones-0-number": "030 123 45 67"}),
    )

    assert other.get_absolute_url() in warning
    assert "+49 30 1234567" in warning


def test_it_warns_of_the_same_profile(owner_client: Client, owner) -> None:
    other = ContactFactory(
        owner=owner, first_name="Max", linkedin_url="https://www.linkedin.com/in/max-gross"
    )

    (warning,) = warnings_after(
        owner_client,
        reverse("contacts:create"),
        contact_form_data(linkedin_url="http://linkedin.com/in/Max-Gross/"),
    )

    assert other.get_absolute_url() in warning


def test_it_does_not_warn_without_a_certain_duplicate(owner_client: Client, owner, stranger) -> None:
    namesake = ContactFactory(owner=owner, first_name="Sören", last_name="Groß")  # a name is not certain
    ContactEmailFactory(contact=namesake, address="namesake@gross.example")
    theirs = ContactFactory(owner=stranger)
    ContactEmailFactory(contact=theirs, address="soeren@gross.example")  # another owner's

    warnings = warnings_after(
        owner_client,
        reverse("contacts:create"),
        contact_form_data(**{"emails-0-address": "soeren@gross.example"}),
    )

    assert warnings == []


def test_it_does_not_warn_of_a_pair_kept_apart(owner_client: Client, owner) -> None:
    other = ContactFactory(owner=owner, first_name="Georg")
    contact = ContactFactory(owner=owner, first_name="Sören", last_name="Groß")
    ContactPhoneFactory(contact=other, number="+49301234567")
    DistinctPair.keep_apart(contact, other)

    warnings = warnings_after(
        owner_client,
        reverse("contacts:edit", args=[contact.pk]),
        contact_form_data(**{"phones-0-number": "+49 30 1234567"}),
    )

    assert warnings == []


def test_twins_of_finds_each_shared_key_in_two_queries(owner, django_assert_num_queries) -> None:
    contact = ContactFactory(owner=owner, xing_url="https://www.xing.com/profile/Anna_Weiss")
    other = ContactFactory(owner=owner, xing_url="https://xing.com/profile/anna_weiss/")
    third = ContactFactory(owner=owner)
    for holder in (contact, other, third):
        ContactEmailFactory(contact=holder, address="anna@weiss.example")
    ContactPhoneFactory(contact=contact, number="+4930999999")
    ContactPhoneFactory(contact=third, number="+4930999999")
    saved = Contact.objects.select_related("owner").get(pk=contact.pk)

    with django_assert_num_queries(2):
        twins = evidence.twins_of(saved)

    assert {(t.contact, t.kind, t.key) for t in twins} == {
        (other, "email", "anna@weiss.example"),
        (other, "xing", "xing.com/profile/anna_weiss"),
        (third, "email", "anna@weiss.example"),
        (third, "phone", "+4930999999"),
    }
