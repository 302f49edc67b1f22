from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from contacts.choices import Circle, ProspectStatus, Stage
from contacts.models import Contact, ContactEmail, ContactPhone, Organisation, Tag
from tests.factories import (
    ContactEmailFactory,
    ContactFactory,
    ContactPhoneFactory,
    OrganisationFactory,
    TagFactory,
    contact_form_data,
    strong_ties,
)
from touchpoints import ledger
from touchpoints.kinds import Kind


def network(owner, size: int) -> None:
    """`size` contacts with the relations the pages show: tags, e-mails, phones, organisations."""
    tag = TagFactory(owner=owner, name="Golf")
    club = OrganisationFactory(owner=owner)
    contacts = ContactFactory.create_batch(size, owner=owner, met_at=club)
    for contact in contacts:
        contact.tags.add(tag)
        contact.organisations.add(club)
    ContactEmailFactory.create_batch(2, contact=contacts[0])
    ContactPhoneFactory(contact=contacts[0])
    strong_ties(owner, 3)


# ---------------------------------------------------------------- list


def test_it_lists_the_owners_contacts_with_the_gauge(owner_client: Client, owner, stranger) -> None:
    ContactFactory(owner=owner, first_name="Jürgen", last_name="Weiß")
    ContactFactory(owner=stranger, first_name="Fremder", last_name="Mensch")
    strong_ties(owner, 2)

    body = owner_client.get(reverse("contacts:list")).content.decode()

    assert "Jürgen Weiß" in body
    assert "Fremder" not in body
    assert 'data-testid="roster-count">2 / 60<' in body


def test_it_answers_htmx_with_the_results_fragment_only(owner_client: Client, owner) -> None:
    ContactFactory(owner=owner, first_name="Jürgen", last_name="Weiß")

    response = owner_client.get(reverse("contacts:list"), {"q": "Jürgen"}, HTTP_HX_REQUEST="true")

    body = response.content.decode()
    assert "<html" not in body
    assert body.strip().startswith('<section id="contact-results"')
    assert "Jürgen Weiß" in body
    assert response["Vary"].find("HX-Request") >= 0


def test_it_answers_a_history_restore_with_the_whole_page(owner_client: Client) -> None:
    response = owner_client.get(
        reverse("contacts:list"), HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )

    assert "<html" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("weiß", {"Jürgen Weiß"}),
        ("Musterbau", {"Petra Klein"}),
        ("golf", {"Petra Klein"}),
        ("klein@musterbau", {"Petra Klein"}),
        ("petra klein", {"Petra Klein"}),
        ("niemand", set()),
        # however the umlauts and ß were typed; and the position
        ("weiss", {"Jürgen Weiß"}),
        ("JUERGEN", {"Jürgen Weiß"}),
        ("jurgen weis", {"Jürgen Weiß"}),
        ("schroder", {"Anke Schröder"}),
        ("Schroeder", {"Anke Schröder"}),
        ("Schröder", {"Anke Schröder"}),
        ("geschäftsführerin", {"Anke Schröder"}),
        ("Geschaeftsfuehrerin", {"Anke Schröder"}),
        ("0664 1234567", {"Petra Klein"}),  # a phone as written at home, with its leading 0
        ("+43 664", {"Petra Klein"}),
        ("1234567", {"Petra Klein"}),
        ("+43 (0)664 1234567", {"Petra Klein"}),  # as e-mail signatures write it
        ("123", set()),  # too few digits to mean a number
        ("0000", set()),  # no digit but zeros: no number (it found every contact with a phone)
        ("0664", set()),  # "664" after its 0: too few to mean a number
    ],
)
def test_it_searches_name_company_position_tag_and_email(
    owner_client: Client, owner, query: str, expected: set[str]
) -> None:
    ContactFactory(owner=owner, first_name="Jürgen", last_name="Weiß", company="Beispiel GmbH")
    ContactFactory(owner=owner, first_name="Anke", last_name="Schröder", position="Geschäftsführerin")
    petra = ContactFactory(owner=owner, first_name="Petra", last_name="Klein", company="Musterbau AG")
    petra.tags.add(TagFactory(owner=owner, name="Golf"))
    ContactEmailFactory(contact=petra, address="p.klein@musterbau.example")
    ContactEmailFactory(contact=petra, address="petra@privat.example")
    ContactPhone.objects.create(contact=petra, number="+436641234567")

    page = owner_client.get(reverse("contacts:list"), {"q": query}).context["page"]

    assert {c.name for c in page.object_list} == expected


def test_a_search_reads_only_the_owners_tags(owner_client: Client, owner, stranger) -> None:
    """Another user's tag of the same name finds nothing here, and the search's tag subquery names
    the owner: PostgreSQL otherwise hashed every user's tags for each search (a sequential scan
    that grew with all accounts)."""
    mine = ContactFactory(owner=owner, first_name="Petra")
    mine.tags.add(TagFactory(owner=owner, name="Golfclub"))
    theirs = ContactFactory(owner=stranger, first_name="Olga")
    theirs.tags.add(TagFactory(owner=stranger, name="Golfclub"))

    page = owner_client.get(reverse("contacts:list"), {"q": "golf"}).context["page"]
    query = str(Contact.objects.for_owner(owner).search("golf", owner=owner).query)

    assert {c.first_name for c in page.object_list} == {"Petra"}
    tag_subquery = query[query.index('FROM "contacts_tag"') :]
    assert f'"owner_id" = {owner.pk}' in tag_subquery


def test_it_filters_by_circle_stage_prospect_key_tag_and_archive(owner_client: Client, owner) -> None:
    tag = TagFactory(owner=owner, name="Presse")
    prospect = ContactFactory(owner=owner, first_name="Pia", prospect_status=ProspectStatus.PROSPECT)
    key = ContactFactory(owner=owner, first_name="Karl", key_position=True, stage=Stage.RELATIONSHIP)
    tagged = ContactFactory(owner=owner, first_name="Tina", circle=Circle.LOOSE, stage=Stage.ONLINE)
    tagged.tags.add(tag)
    archived = ContactFactory(owner=owner, first_name="Alma")
    archived.archive(now=archived.created_at)
    (tie,) = strong_ties(owner, 1)

    def names(**params: str) -> set[str]:
        page = owner_client.get(reverse("contacts:list"), params).context["page"]
        return {c.first_name for c in page.object_list}

    assert names(circle=Circle.STRONG) == {tie.first_name}
    assert names(circle=Circle.LOOSE) == {"Tina"}
    assert names(stage=Stage.RELATIONSHIP) == {"Karl"}
    assert names(prospect=ProspectStatus.PROSPECT) == {"Pia"}
    assert names(key="on") == {"Karl"}
    assert names(tag=str(tag.pk)) == {"Tina"}
    assert names(archived="on") == {"Alma"}
    assert "Alma" not in names()
    assert {prospect.first_name, key.first_name} <= names()


def test_it_ignores_another_users_tag_in_the_filter(owner_client: Client, owner, stranger) -> None:
    ContactFactory(owner=owner, first_name="Jürgen")
    foreign_tag = TagFactory(owner=stranger)

    response = owner_client.get(reverse("contacts:list"), {"tag": foreign_tag.pk})

    assert response.status_code == 200
    assert response.context["filters"].errors


def test_it_paginates_by_25(owner_client: Client, owner) -> None:
    ContactFactory.create_batch(30, owner=owner)

    first = owner_client.get(reverse("contacts:list")).context["page"]
    second = owner_client.get(reverse("contacts:list"), {"page": 2}).context["page"]

    assert len(first.object_list) == 25
    assert len(second.object_list) == 5


def test_it_shows_an_empty_state_that_says_what_to_do(owner_client: Client) -> None:
    body = owner_client.get(reverse("contacts:list")).content.decode()

    assert reverse("contacts:create") in body
    assert "Your network starts here" in body or "Hier beginnt" in body


@pytest.mark.parametrize("size", [5, 500])
def test_the_list_takes_the_same_queries_at_5_and_500_contacts(
    owner_client: Client, owner, size: int, django_assert_num_queries
) -> None:
    network(owner, size)

    # session, user, tags for the filter, count, page of contacts, their tags, roster
    with django_assert_num_queries(7):
        response = owner_client.get(reverse("contacts:list"))

    assert response.status_code == 200


@pytest.mark.parametrize("size", [5, 500])
def test_the_detail_page_takes_the_same_queries_at_5_and_500_contacts(
    owner_client: Client, owner, size: int, django_assert_num_queries
) -> None:
    network(owner, size)
    contact = Contact.objects.for_owner(owner).filter(emails__isnull=False)[0]
    for other in Contact.objects.for_owner(owner)[:3]:
        other.introduced_by = contact
        other.save()

    # session, user, ownership check, contact with met_at/introduced_by,
    # e-mails, phones, tags, organisations, introduced, stage changes, contacts merged into it
    # (imports.merge), roster
    with django_assert_num_queries(12):
        response = owner_client.get(reverse("contacts:detail", args=[contact.pk]))

    assert response.status_code == 200


# ---------------------------------------------------------------- create and edit


def test_it_creates_a_contact_with_emails_phones_and_tags(owner_client: Client, owner) -> None:
    club = OrganisationFactory(owner=owner, name="Rotary Club München")
    data = contact_form_data(
        company="Groß & Partner GmbH",
        tags_text="Kunde, golf, Kunde",
        met_at=str(club.pk),
        how_met="event",
        birthday_day="29",
        birthday_month="2",
        **{"emails-0-address": "soeren@gross.example", "phones-0-number": "0171 2345678"},
    )

    response = owner_client.post(reverse("contacts:create"), data)

    contact = Contact.objects.get(last_name="Groß")
    assert response.status_code == 302
    assert response["Location"] == contact.get_absolute_url()
    assert contact.owner == owner
    assert contact.met_at == club
    assert (contact.birthday_day, contact.birthday_month, contact.birthday_year) == (29, 2, None)
    assert sorted(contact.tags.values_list("name", flat=True)) == ["Kunde", "golf"]
    assert list(contact.emails.values_list("address", flat=True)) == ["soeren@gross.example"]
    assert list(contact.phones.values_list("number", flat=True)) == ["+491712345678"]


def test_it_reuses_tags_case_insensitively(owner_client: Client, owner) -> None:
    TagFactory(owner=owner, name="Kunde")

    owner_client.post(reverse("contacts:create"), contact_form_data(tags_text="kunde"))

    assert Tag.objects.for_owner(owner).count() == 1


def test_it_never_lets_the_form_set_the_owner(owner_client: Client, owner, stranger) -> None:
    owner_client.post(reverse("contacts:create"), contact_form_data(owner=str(stranger.pk)))

    assert Contact.objects.get(last_name="Groß").owner == owner


def test_it_shows_errors_inline_and_keeps_the_input(owner_client: Client) -> None:
    data = contact_form_data(
        first_name="",
        last_name="",
        company="Behalten GmbH",
        birthday_day="31",
        birthday_month="4",
        **{"emails-0-address": "kein-at-zeichen", "phones-0-number": "abc"},
    )

    response = owner_client.post(reverse("contacts:create"), data, HTTP_HX_REQUEST="true")

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert body.count('class="errorlist') >= 4
    assert 'value="Behalten GmbH"' in body
    assert not Contact.objects.exists()


def test_it_refuses_a_29th_of_february_in_a_year_without_one(owner_client: Client) -> None:
    response = owner_client.post(
        reverse("contacts:create"),
        contact_form_data(birthday_day="29", birthday_month="2", birthday_year="2023"),
    )

    assert response.status_code == 200
    assert not Contact.objects.exists()


def test_it_refuses_the_strong_tie_stage_outside_the_strong_circle(owner_client: Client) -> None:
    response = owner_client.post(reverse("contacts:create"), contact_form_data(stage=Stage.STRONG_TIE))

    assert response.status_code == 200
    assert not Contact.objects.exists()


def test_it_redirects_htmx_saves_with_a_client_redirect(owner_client: Client) -> None:
    response = owner_client.post(reverse("contacts:create"), contact_form_data(), HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert response["HX-Redirect"] == Contact.objects.get().get_absolute_url()


def test_it_edits_and_removes_an_email(owner_client: Client, owner) -> None:
    contact = ContactFactory(owner=owner, first_name="Ute", last_name="Weiß")
    email = ContactEmailFactory(contact=contact, address="alt@weiss.example")
    phone = ContactPhoneFactory(contact=contact)
    data = contact_form_data(
        first_name="Ute",
        last_name="Weiß-Brandt",
        **{
            "emails-TOTAL_FORMS": "1",
            "emails-INITIAL_FORMS": "1",
            "emails-0-id": str(email.pk),
            "emails-0-address": "alt@weiss.example",
            "emails-0-DELETE": "on",
            "phones-TOTAL_FORMS": "1",
            "phones-INITIAL_FORMS": "1",
            "phones-0-id": str(phone.pk),
            "phones-0-number": "+43 664 1234567",
        },
    )

    response = owner_client.post(reverse("contacts:edit", args=[contact.pk]), data)

    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.last_name == "Weiß-Brandt"
    assert not ContactEmail.objects.filter(pk=email.pk).exists()
    assert ContactPhone.objects.get(pk=phone.pk).number == "+436641234567"


def test_the_edit_form_offers_only_the_owners_organisations_and_contacts(
    owner_client: Client, owner, stranger
) -> None:
    contact = ContactFactory(owner=owner)
    foreign = OrganisationFactory(owner=stranger, name="Fremder Verein")
    foreign_contact = ContactFactory(owner=stranger, first_name="Fremde")

    body = owner_client.get(reverse("contacts:edit", args=[contact.pk])).content.decode()
    response = owner_client.post(
        reverse("contacts:edit", args=[contact.pk]),
        contact_form_data(met_at=str(foreign.pk), introduced_by=str(foreign_contact.pk)),
    )

    assert "Fremder Verein" not in body
    assert "Fremde" not in body
    assert response.status_code == 200
    contact.refresh_from_db()
    assert contact.met_at is None
    assert contact.introduced_by is None


# ---------------------------------------------------------------- archive, delete


def test_delete_asks_first_and_deletes_on_post(owner_client: Client, owner) -> None:
    contact = ContactFactory(owner=owner)
    url = reverse("contacts:delete", args=[contact.pk])

    confirm = owner_client.get(url)
    assert confirm.status_code == 200
    assert Contact.objects.filter(pk=contact.pk).exists()

    response = owner_client.post(url)
    assert response.status_code == 302
    assert not Contact.objects.filter(pk=contact.pk).exists()


def test_it_archives_and_restores(owner_client: Client, owner) -> None:
    contact = ContactFactory(owner=owner)

    owner_client.post(reverse("contacts:archive", args=[contact.pk]))
    contact.refresh_from_db()
    assert contact.is_archived

    owner_client.post(reverse("contacts:unarchive", args=[contact.pk]))
    contact.refresh_from_db()
    assert not contact.is_archived


def test_an_archived_contacts_page_says_archived_once(owner_client: Client, owner) -> None:
    contact = ContactFactory(owner=owner)
    contact.archive(now=contact.created_at)

    page = owner_client.get(reverse("contacts:detail", args=[contact.pk])).content.decode()

    assert page.count('class="badge archived"') == 1


@pytest.mark.parametrize("name", ["archive", "unarchive", "promote", "demote"])
def test_post_only_actions_refuse_get(owner_client: Client, owner, name: str) -> None:
    contact = ContactFactory(owner=owner)

    assert owner_client.get(reverse(f"contacts:{name}", args=[contact.pk])).status_code == 405


# ---------------------------------------------------------------- promote / demote


def test_promote_by_htmx_returns_the_control_and_the_updated_gauge(owner_client: Client, owner) -> None:
    contact = ContactFactory(owner=owner)
    strong_ties(owner, 4)

    response = owner_client.post(reverse("contacts:promote", args=[contact.pk]), HTTP_HX_REQUEST="true")

    body = response.content.decode()
    assert "<html" not in body
    assert f'id="roster-control-{contact.pk}"' in body
    assert 'id="roster-gauge"' in body
    assert 'hx-swap-oob="true"' in body
    assert 'data-testid="roster-count">5 / 60<' in body
    assert reverse("contacts:demote", args=[contact.pk]) in body


def test_promote_without_javascript_redirects_back(owner_client: Client, owner) -> None:
    contact = ContactFactory(owner=owner)

    response = owner_client.post(
        reverse("contacts:promote", args=[contact.pk]), {"next": reverse("contacts:list") + "?q=x"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("contacts:list") + "?q=x"
    contact.refresh_from_db()
    assert contact.circle == Circle.STRONG


def test_promote_never_redirects_to_another_site(owner_client: Client, owner) -> None:
    contact = ContactFactory(owner=owner)

    response = owner_client.post(
        reverse("contacts:promote", args=[contact.pk]), {"next": "https://evil.example/"}
    )

    assert response["Location"] == contact.get_absolute_url()


def test_demote_by_htmx_updates_the_gauge(owner_client: Client, owner) -> None:
    tie, _ = strong_ties(owner, 2)

    response = owner_client.post(reverse("contacts:demote", args=[tie.pk]), HTTP_HX_REQUEST="true")

    assert 'data-testid="roster-count">1 / 60<' in response.content.decode()
    tie.refresh_from_db()
    assert tie.circle == Circle.REGULAR


def test_swap_demotes_the_chosen_tie_and_promotes_the_contact(owner_client: Client, owner) -> None:
    owner.strong_tie_cap = 40
    owner.save()
    leaving = strong_ties(owner, 40)[0]
    newcomer = ContactFactory(owner=owner)

    response = owner_client.post(
        reverse("contacts:swap", args=[newcomer.pk, leaving.pk]), HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    newcomer.refresh_from_db()
    leaving.refresh_from_db()
    assert (newcomer.circle, leaving.circle) == (Circle.STRONG, Circle.REGULAR)
    assert f'id="roster-control-{leaving.pk}"' in response.content.decode()


def test_a_swap_on_the_contacts_own_page_sends_no_control_it_has_not(owner_client: Client, owner) -> None:
    """The demoted contact's control is on the list and the roster, not on the newcomer's page."""
    owner.strong_tie_cap = 40
    owner.save()
    leaving = strong_ties(owner, 40)[0]
    newcomer = ContactFactory(owner=owner)

    response = owner_client.post(
        reverse("contacts:swap", args=[newcomer.pk, leaving.pk]),
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"http://testserver{newcomer.get_absolute_url()}",
    )

    body = response.content.decode()
    assert f'id="roster-control-{newcomer.pk}"' in body
    assert f'id="roster-control-{leaving.pk}"' not in body


def test_swap_refuses_a_contact_that_is_not_a_strong_tie(owner_client: Client, owner) -> None:
    newcomer, other = ContactFactory.create_batch(2, owner=owner)

    response = owner_client.post(reverse("contacts:swap", args=[newcomer.pk, other.pk]))

    assert response.status_code == 404


# ---------------------------------------------------------------- organisations


def test_it_creates_an_organisation_and_refuses_a_duplicate_name(owner_client: Client, owner) -> None:
    url = reverse("contacts:organisation_create")

    first = owner_client.post(url, {"name": "Marketing-Club  Köln", "kind": "club"})
    second = owner_client.post(url, {"name": "marketing-club köln", "kind": "club"})

    assert first.status_code == 302
    assert second.status_code == 200
    assert list(Organisation.objects.for_owner(owner).values_list("name", flat=True)) == [
        "Marketing-Club Köln"
    ]


def test_the_organisation_page_lists_who_was_met_there_and_the_members(owner_client: Client, owner) -> None:
    club = OrganisationFactory(owner=owner, name="Wirtschaftsjunioren Wien")
    ContactFactory(owner=owner, first_name="Getroffen", met_at=club)
    ContactFactory(owner=owner, first_name="Mitglied").organisations.add(club)

    body = owner_client.get(reverse("contacts:organisation_detail", args=[club.pk])).content.decode()
    listing = owner_client.get(reverse("contacts:organisation_list")).content.decode()

    assert "Getroffen" in body
    assert "Mitglied" in body
    assert "Wirtschaftsjunioren Wien" in listing


def test_deleting_an_organisation_keeps_its_contacts(owner_client: Client, owner) -> None:
    club = OrganisationFactory(owner=owner)
    contact = ContactFactory(owner=owner, met_at=club)

    owner_client.post(reverse("contacts:organisation_delete", args=[club.pk]))

    contact.refresh_from_db()
    assert contact.met_at is None


@pytest.mark.parametrize("ties", [3, 45])
def test_the_roster_page_takes_the_same_queries_at_3_and_45_ties(
    owner_client: Client, owner, ties: int, django_assert_num_queries
) -> None:
    strong_ties(owner, ties)

    # session, user, strong ties, roster count
    with django_assert_num_queries(4):
        response = owner_client.get(reverse("contacts:roster"))

    assert response.status_code == 200
    assert len(response.context["strong_ties"]) == ties


def touched(owner, name: str, *, days_ago: int, circle: str = Circle.REGULAR, **fields) -> Contact:
    from django.utils import timezone

    contact = ContactFactory(owner=owner, first_name=name, circle=Circle.REGULAR, **fields)
    Contact.objects.filter(pk=contact.pk).update(
        circle=circle, last_touch_at=timezone.now() - timedelta(days=days_ago)
    )
    return contact


def test_it_filters_by_cadence_status(owner_client: Client, owner) -> None:
    touched(owner, "Grün", days_ago=10)
    touched(owner, "Gelb", days_ago=100)
    touched(owner, "Rot", days_ago=200)

    def names(status: str) -> list[str]:
        page = owner_client.get(reverse("contacts:list"), {"cadence": status}).context["page"]
        return [c.first_name for c in page.object_list]

    assert (names("green"), names("yellow"), names("red")) == (["Grün"], ["Gelb"], ["Rot"])


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("cadence", ["Rot", "Gelb", "Grün"]),
        ("last_touch", ["Rot", "Gelb", "Grün"]),
        ("strength", ["Grün", "Gelb", "Rot"]),
        ("prospect", ["Gelb", "Grün", "Kunde", "Rot"]),
    ],
)
def test_it_sorts_the_list(owner_client: Client, owner, sort: str, expected: list[str]) -> None:
    from django.utils import timezone

    since = timezone.now() - timedelta(days=300)
    touched(owner, "Grün", days_ago=10, prospect_status="prospect", prospect_since=since, prospect_touches=2)
    touched(owner, "Gelb", days_ago=100, prospect_status="prospect", prospect_since=since, prospect_touches=5)
    touched(owner, "Rot", days_ago=200)
    if sort == "prospect":  # a customer's count stopped at the outcome: after the open prospects
        touched(
            owner, "Kunde", days_ago=20, prospect_status="customer", prospect_since=since, prospect_touches=9
        )

    page = owner_client.get(reverse("contacts:list"), {"sort": sort}).context["page"]

    assert [c.first_name for c in page.object_list] == expected


@pytest.mark.parametrize("size", [5, 500])
def test_sorting_by_strength_takes_the_same_queries_at_5_and_500(
    owner_client: Client, owner, size: int, django_assert_num_queries
) -> None:
    network(owner, size)

    # session, user, tags for the filter, all matching contacts, tags of the page, roster
    with django_assert_num_queries(6):
        response = owner_client.get(reverse("contacts:list"), {"sort": "strength"})

    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(size + 3, 25)


@pytest.mark.parametrize("sort", ["cadence", "last_touch", "prospect"])
@pytest.mark.parametrize("size", [5, 500])
def test_filtering_by_cadence_and_sorting_take_the_same_queries_at_5_and_500(
    owner_client: Client, owner, size: int, sort: str, django_assert_num_queries
) -> None:
    network(owner, size)

    # as the unfiltered list: filter and order are SQL on the page's one query
    with django_assert_num_queries(7):
        response = owner_client.get(reverse("contacts:list"), {"cadence": "green", "sort": sort})

    assert response.status_code == 200


# ---------------------------------------------------------------- no touch yet


@pytest.mark.parametrize("days", [0, 1, 40])
def test_a_contact_without_a_touch_says_so_not_days_since_the_last_touch(
    owner_client: Client, owner, days: int
) -> None:
    added = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
    with time_machine.travel(added, tick=False):
        never: Contact = ContactFactory(owner=owner, first_name="Nie")
        touched: Contact = ContactFactory(owner=owner, first_name="Schon")
    ledger.log_touch(touched, kind=Kind.CALL, happened_at=added)

    with time_machine.travel(added + timedelta(days=days, hours=1), tick=False):
        page = owner_client.get(never.get_absolute_url()).content.decode()
        status = owner_client.get(reverse("contacts:status", args=[never.pk]), headers={"HX-Request": "true"})
        other = owner_client.get(touched.get_absolute_url()).content.decode()

    added_text = {0: "added today, no touch yet", 1: "added 1 day ago, no touch yet"}.get(
        days, f"added {days} days ago, no touch yet"
    )
    assert added_text in page
    assert added_text in status.content.decode()
    assert "since the last touch" not in page
    assert " 0 days" not in page  # "today", as people say it
    since = {0: "last touch today", 1: "1 day since the last touch"}.get(
        days, f"{days} days since the last touch"
    )
    assert since in other
    assert "no touch yet" not in other.split('data-testid="cadence"', 1)[1].split("</span>\n", 1)[0]
