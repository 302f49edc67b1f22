"""Sorting contacts (R1, R10): each choice's effects, strong ties and strangers left alone, and the
list's filter and bulk sorting, full page and htmx."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from contacts import roster, sorting
from contacts.choices import Circle, ProspectStatus, Sorting, Stage
from contacts.models import Contact
from netzwerk.accounts.models import User
from tests.factories import ContactFactory, strong_ties

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
CONNECTED = datetime(2018, 3, 1, 9, 0, tzinfo=UTC)


def imported(owner: User, count: int = 1, **fields: Any) -> list[Contact]:
    """New contacts from an import: loose, online, unsorted, connected in 2018."""
    made = ContactFactory.create_batch(
        count, owner=owner, circle=Circle.LOOSE, stage=Stage.ONLINE, sorting=Sorting.UNSORTED, **fields
    )
    Contact.objects.filter(pk__in=[c.pk for c in made]).update(created_at=CONNECTED)
    return [Contact.objects.get(pk=c.pk) for c in made]


def mine(owner: User) -> Any:
    return Contact.objects.for_owner(owner)


def stored(contact: Contact) -> Contact:
    return Contact.objects.get(pk=contact.pk)


# ---------------------------------------------------------------- sort_contacts


EFFECTS = [
    # choice, circle, prospect status, archived
    (Sorting.PURSUE, Circle.LOOSE, ProspectStatus.NONE, False),
    (Sorting.PROSPECT, Circle.LOOSE, ProspectStatus.PROSPECT, False),
    (Sorting.REGULAR, Circle.REGULAR, ProspectStatus.NONE, False),
    (Sorting.LOOSE, Circle.LOOSE, ProspectStatus.NONE, False),
    (Sorting.ARCHIVE, Circle.LOOSE, ProspectStatus.NONE, True),
]


@pytest.mark.parametrize(("choice", "circle", "prospect", "archived"), EFFECTS)
def test_it_sorts_each_choice_with_its_effects(
    owner: User, choice: str, circle: str, prospect: str, archived: bool
) -> None:
    waiting = imported(owner, 3)

    count = sorting.sort_contacts(owner, mine(owner), choice, now=NOW)

    assert count == 3
    for contact in map(stored, waiting):
        assert (contact.sorting, contact.sorted_at, contact.updated_at) == (choice, NOW, NOW)
        assert (contact.circle, contact.prospect_status, contact.is_archived) == (circle, prospect, archived)
        assert not contact.waits_to_be_sorted
    assert not mine(owner).unsorted().exists()


def test_a_new_prospect_counts_touches_from_the_day_sorted(owner: User) -> None:
    (new,) = imported(owner)
    (already,) = imported(owner, prospect_status=ProspectStatus.PROSPECT, prospect_since=CONNECTED)
    mine(owner).filter(pk=already.pk).update(prospect_touches=4)
    (customer,) = imported(owner, prospect_status=ProspectStatus.CUSTOMER, prospect_since=CONNECTED)

    sorting.sort_contacts(owner, mine(owner), Sorting.PROSPECT, now=NOW)

    new, already, customer = stored(new), stored(already), stored(customer)
    assert (new.prospect_since, new.prospect_touches, new.prospect_outcome_at) == (NOW, 0, None)
    assert (already.prospect_since, already.prospect_touches) == (CONNECTED, 4)  # as follow_prospect_status
    assert (customer.prospect_status, customer.prospect_since) == (ProspectStatus.PROSPECT, NOW)


def test_archive_keeps_the_date_of_an_archived_one_and_can_be_undone(owner: User) -> None:
    (waiting,) = imported(owner)
    (archived,) = imported(owner)
    Contact.objects.filter(pk=archived.pk).update(archived_at=CONNECTED)

    sorting.sort_contacts(owner, mine(owner), Sorting.ARCHIVE, now=NOW)
    assert (stored(waiting).archived_at, stored(archived).archived_at) == (NOW, CONNECTED)

    stored(waiting).unarchive()
    assert not stored(waiting).is_archived


def test_any_other_choice_brings_an_archived_contact_back(owner: User) -> None:
    (contact,) = imported(owner)
    Contact.objects.filter(pk=contact.pk).update(archived_at=CONNECTED)

    sorting.sort_contacts(owner, mine(owner), Sorting.REGULAR, now=NOW)

    assert not stored(contact).is_archived


def test_it_leaves_strong_ties_as_they_are_and_never_touches_the_cap(owner: User) -> None:
    ties = strong_ties(owner, 2)
    Contact.objects.filter(pk=ties[0].pk).update(sorting=Sorting.UNSORTED)  # promoted from an import
    before = list(mine(owner).strong_ties().order_by("pk").values())
    imported(owner, 2)

    for choice in sorting.CHOICES:
        assert sorting.strong_ties_among(owner, mine(owner)) == 2
        assert sorting.sort_contacts(owner, mine(owner), choice, now=NOW) == 2

    assert list(mine(owner).strong_ties().order_by("pk").values()) == before
    assert roster.roster_for(owner).count == 2


def test_it_never_changes_a_strangers_contacts(owner: User, stranger: User) -> None:
    (theirs,) = imported(stranger)
    before = Contact.objects.filter(pk=theirs.pk).values().get()

    assert sorting.sort_contacts(owner, Contact.objects.all(), Sorting.ARCHIVE, now=NOW) == 0
    assert sorting.sort_contacts(stranger, mine(owner), Sorting.ARCHIVE, now=NOW) == 0

    assert Contact.objects.filter(pk=theirs.pk).values().get() == before


def test_re_sorting_does_not_reset_the_cadence(owner: User) -> None:
    """sorted_at is when the contact joined the method: only a touch resets a cadence (R7)."""
    (contact,) = imported(owner)
    by_hand = ContactFactory(owner=owner)
    sorting.sort_contacts(owner, mine(owner), Sorting.REGULAR, now=NOW)

    sorting.sort_contacts(owner, mine(owner), Sorting.LOOSE, now=NOW + timedelta(days=30))

    resorted, hand_added = stored(contact), stored(by_hand)
    assert (resorted.sorting, resorted.sorted_at, resorted.circle) == (Sorting.LOOSE, NOW, Circle.LOOSE)
    assert (hand_added.sorting, hand_added.sorted_at) == (Sorting.LOOSE, None)
    assert resorted.updated_at == NOW + timedelta(days=30)


@pytest.mark.parametrize("choice", [Sorting.NONE, Sorting.UNSORTED, "strong", "nonsense"])
def test_it_refuses_what_is_not_a_choice(owner: User, choice: str) -> None:
    imported(owner)

    with pytest.raises(ValueError, match="sorted as"):
        sorting.sort_contacts(owner, mine(owner), choice, now=NOW)

    assert mine(owner).unsorted().count() == 1


def test_it_sorts_hundreds_in_batches(owner: User, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sorting, "BATCH", 7)
    imported(owner, 30)

    assert sorting.sort_contacts(owner, mine(owner), Sorting.LOOSE, now=NOW) == 30
    assert mine(owner).filter(sorting=Sorting.LOOSE, sorted_at=NOW).count() == 30


def test_it_takes_a_fixed_number_of_queries(owner: User, django_assert_num_queries: Any) -> None:
    imported(owner, 40)

    # savepoint, the ids, the owner's row locked, the prospects, the sorting, savepoint released
    with django_assert_num_queries(6):
        sorting.sort_contacts(owner, mine(owner), Sorting.PROSPECT, now=NOW)


# ---------------------------------------------------------------- the list: filter, badge, bulk sort


def names(client: Client, **params: str) -> set[str]:
    page = client.get(reverse("contacts:list"), params).context["page"]
    return {contact.first_name for contact in page.object_list}


def test_the_list_filters_the_contacts_to_sort_and_marks_them(owner_client: Client, owner: User) -> None:
    imported(owner, first_name="Neu")
    ContactFactory(owner=owner, first_name="Alt")
    (tie,) = strong_ties(owner, 1)
    Contact.objects.filter(pk=tie.pk).update(sorting=Sorting.UNSORTED)  # a strong tie never waits
    ContactFactory(owner=owner, first_name="Gepflegt", sorting=Sorting.REGULAR)

    assert names(owner_client, sorting=Sorting.UNSORTED) == {"Neu"}
    assert names(owner_client, sorting=Sorting.REGULAR) == {"Gepflegt"}
    body = owner_client.get(reverse("contacts:list")).content.decode()
    assert body.count('data-testid="to-sort"') == 1
    assert body.count('name="contacts"') == 3  # no checkbox for the strong tie
    # A contact waiting to be sorted has no cadence: no cadence filter finds it, and it comes last.
    assert "Neu" not in names(owner_client, cadence="red")
    cadence = owner_client.get(reverse("contacts:list"), {"sort": "cadence"}).context["page"]
    assert [contact.first_name for contact in cadence.object_list][-1] == "Neu"


@pytest.mark.parametrize("size", [5, 500])
def test_the_filtered_list_takes_the_same_queries(
    owner_client: Client, owner: User, size: int, django_assert_num_queries: Any
) -> None:
    imported(owner, size)

    # as the unfiltered list: session, user, tags, count, page, their tags, roster
    with django_assert_num_queries(7):
        response = owner_client.get(reverse("contacts:list"), {"sorting": "unsorted"})

    assert response.status_code == 200
    assert f"Select all {size} contacts matching this filter" in response.content.decode()


def sort(client: Client, *, htmx: bool = False, **data: Any) -> Any:
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(reverse("contacts:sort"), data, headers=headers)


def test_it_sorts_the_ticked_contacts_and_goes_back_to_the_list(owner_client: Client, owner: User) -> None:
    first, second, third = imported(owner, 3)

    response = sort(
        owner_client, contacts=[first.pk, second.pk], choice=Sorting.REGULAR, filter="sorting=unsorted&page=2"
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("contacts:list") + "?sorting=unsorted"
    assert [stored(c).sorting for c in (first, second, third)] == ["regular", "regular", "unsorted"]
    page = owner_client.get(response["Location"])
    assert "2 contacts sorted as “Regular”." in page.content.decode()
    assert {c.pk for c in page.context["page"].object_list} == {third.pk}


def test_it_answers_htmx_with_the_list_in_place(owner_client: Client, owner: User) -> None:
    first, second = imported(owner, 2, last_name="Einsortieren")
    (tie,) = strong_ties(owner, 1)

    response = sort(
        owner_client, htmx=True, contacts=[first.pk, tie.pk], choice=Sorting.PURSUE, filter="sorting=unsorted"
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert body.strip().startswith('<section id="contact-results"')
    assert 'hx-swap-oob="true"' in body  # the confirmation, into the page's messages
    assert "1 contact sorted as “Pursue: meet in person soon”. 1 strong tie left as it is." in body
    assert f'data-contact="{second.pk}"' in body
    assert f'data-contact="{first.pk}"' not in body  # sorted: no longer in the filter
    assert stored(tie).circle == Circle.STRONG


def test_it_sorts_all_that_match_the_filter(owner_client: Client, owner: User) -> None:
    imported(owner, 30, company="Bauer & Söhne")  # more than a page
    imported(owner, 2, company="Anders AG")

    sort(owner_client, all="1", choice=Sorting.LOOSE, filter="sorting=unsorted&q=Bauer")

    assert mine(owner).filter(company="Bauer & Söhne", sorting=Sorting.LOOSE).count() == 30
    assert mine(owner).unsorted().count() == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"choice": Sorting.REGULAR}, "Tick the contacts to sort"),
        ({"contacts": "1", "choice": ""}, "Choose what to sort the contacts as."),
        ({"contacts": "1", "choice": "strong"}, "Select a valid choice"),
        ({"contacts": "eins", "choice": Sorting.REGULAR}, "Reload the page"),
        ({"all": "1", "choice": Sorting.ARCHIVE, "filter": "tag=999999"}, "filter has changed"),
    ],
)
def test_a_bad_request_says_why_and_sorts_nothing(
    owner_client: Client, owner: User, data: dict[str, str], message: str
) -> None:
    imported(owner, 2)

    response = sort(owner_client, htmx=True, **data)

    assert message in response.content.decode()
    assert mine(owner).unsorted().count() == 2


def test_a_strangers_ids_sort_nothing(stranger_client: Client, owner: User) -> None:
    mine_ = imported(owner, 2)

    response = sort(stranger_client, contacts=[c.pk for c in mine_], choice=Sorting.ARCHIVE)

    assert response.status_code == 302
    assert mine(owner).unsorted().count() == 2
    assert "0 contacts archived" in stranger_client.get(response["Location"]).content.decode()


def test_sorting_takes_post_only_and_a_signed_in_user(owner_client: Client) -> None:
    assert owner_client.get(reverse("contacts:sort")).status_code == 405
    response = Client().post(reverse("contacts:sort"), {"all": "1", "choice": Sorting.ARCHIVE})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_sort_form_is_a_real_form_for_the_rows(owner_client: Client, owner: User) -> None:
    """Without JavaScript the rows' checkboxes post with the form (their form attribute)."""
    imported(owner, 2)

    body = owner_client.get(reverse("contacts:list"), {"sorting": "unsorted"}).content.decode()

    assert 'id="sort-form" class="card sort-bar sticky" method="post" action="/contacts/sort/"' in body
    assert body.count('name="contacts" value=') == 2
    assert body.count('form="sort-form"') == 3  # the rows and "select all"
    assert 'name="filter" value="sorting=unsorted"' in body
    plain = owner_client.get(reverse("contacts:list")).content.decode()
    assert 'class="card sort-bar" method="post"' in plain  # kept in view only for the contacts to sort


def test_archiving_in_bulk_says_archived(owner_client: Client, owner: User) -> None:
    """Not "sorted as “Archive”": what happened to them."""
    first, second, _third = imported(owner, 3)

    response = sort(owner_client, contacts=[first.pk, second.pk], choice=Sorting.ARCHIVE)

    page = owner_client.get(response["Location"]).content.decode()
    assert "2 contacts archived." in page
    assert "sorted as" not in page
