"""The coach admin: scoped to accepted clients at their sharing level, read-only but for the
cap and cadences, every read logged; another coach's client is a 404."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, reverse
from django.utils import timezone

from coaching.overview import overview
from coaching.site import coach_site
from contacts import roster
from contacts.choices import Circle, ProspectStatus
from contacts.models import Contact
from netzwerk.accounts.coaching import make_coach
from netzwerk.accounts.forms import CADENCE_FIELDS
from netzwerk.accounts.models import AccessLog, CoachLink, Sharing, User
from reminders.models import RosterReview
from tests.factories import ContactFactory, UserFactory, coach_of, link_coach, sign_in, strong_ties
from touchpoints import ledger
from touchpoints.kinds import Kind

pytestmark = pytest.mark.django_db

SECRETS = ["Geheimname", "Vertraulich", "Streng private Notiz", "Notiz zum Anruf", "Bauchgefühl gut"]


@pytest.fixture
def client_data(owner: User) -> dict[str, Any]:
    """Alice's network, with a personal string in every free-text field a coach could see."""
    contact = ContactFactory(owner=owner, first_name="Geheimname", last_name="Vertraulich", notes=SECRETS[2])
    touch = ledger.log_touch(
        contact,
        kind=Kind.CALL,
        happened_at=timezone.now() - timedelta(days=2),
        note=SECRETS[3],
        gut_feeling=SECRETS[4],
    )
    return {"client": owner, "contact": contact, "touch": touch}


def signed_in(user: User) -> Client:
    client = Client()
    sign_in(client, user)
    return client


def coach_urls(data: dict[str, Any]) -> list[tuple[str, str | None]]:
    """Every coach-site URL with the client's ids where a pattern takes one, and whose object
    (model name) it opens, or None for a list or page."""
    ids = {"contact": data["contact"].pk, "touchpoint": data["touch"].pk, "client": data["client"].pk}
    urls: list[tuple[str, str | None]] = [
        ("/coach/", None),
        ("/coach/contacts/contact/?_popup=1&_to_field=id&q=Gehei", None),
        (f"/coach/contacts/contact/?client={data['client'].pk}", None),
        ("/coach/touchpoints/touchpoint/?q=Gehei", None),
        (reverse("coach:client", kwargs={"client_id": data["client"].pk}), "client"),
    ]
    for model, model_admin in coach_site._registry.items():
        name = str(model._meta.model_name)
        for pattern in model_admin.get_urls():
            if not isinstance(pattern, URLPattern):
                continue
            if not pattern.name:  # the old-style change URL, which redirects to the new one
                urls.append((f"/coach/{model._meta.app_label}/{name}/{ids[name]}/", name))
            elif "object_id" in str(pattern.pattern):
                urls.append((reverse(f"coach:{pattern.name}", kwargs={"object_id": ids[name]}), name))
            else:
                urls.append((reverse(f"coach:{pattern.name}"), None))
    return urls


def assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


def test_the_sweep_walks_every_view_of_every_registered_admin(client_data: dict[str, Any]) -> None:
    urls = coach_urls(client_data)
    object_urls = [url for url, name in urls if name]

    assert {name for _, name in urls if name} == {"contact", "touchpoint", "client"}
    for view in ("change", "history", "delete"):
        assert sum(url.rstrip("/").endswith(view) for url in object_urls) == 3, view
    assert len(object_urls) == 4 * 3 + 1  # the three, the old-style redirect of each, the client page
    assert f"/coach/clients/{client_data['client'].pk}/" in object_urls


@pytest.mark.parametrize(
    "who", ["no consent", "pending invitation", "health only", "revoked", "another coach's client"]
)
def test_a_coach_without_access_gets_404_and_no_personal_string(
    client_data: dict[str, Any], who: str
) -> None:
    owner = client_data["client"]
    coach = UserFactory(is_staff=True, totp=True)
    make_coach(coach)
    if who == "pending invitation":
        CoachLink.objects.create(client=owner, invited_by="client", email=coach.email)
    elif who == "health only":
        link_coach(owner, coach, sharing=Sharing.HEALTH)
    elif who == "revoked":
        link_coach(owner, coach, sharing=Sharing.NOTES)
        CoachLink.objects.update(ended_at=timezone.now(), ended_by="client")
    elif who == "another coach's client":
        link_coach(UserFactory(), coach, sharing=Sharing.NOTES)
    browser = signed_in(coach)

    for url, opens in coach_urls(client_data):
        response = browser.get(url, follow=True)
        assert_no_secret(response.text)
        if opens is None:
            assert response.status_code == (403 if url.endswith("/add/") else 200), url
        elif opens == "client" and who == "health only":
            assert response.status_code in {200, 403}, url  # health is shared: 403 is the delete view
        else:
            assert response.status_code == 404, url
    # and nothing was changed by a POST either
    url = reverse("coach:coaching_client_change", kwargs={"object_id": owner.pk})
    response = browser.post(url, {"strong_tie_cap": 40})
    owner.refresh_from_db()
    assert response.status_code == (200 if who == "health only" else 404)  # 200: the form's errors
    assert owner.strong_tie_cap == 60


def test_a_revoked_coach_is_refused_on_the_very_next_request(client_data: dict[str, Any]) -> None:
    coach = coach_of(client_data["client"], sharing=Sharing.NAMES)
    browser = signed_in(coach)
    url = reverse("coach:contacts_contact_change", kwargs={"object_id": client_data["contact"].pk})
    assert browser.get(url).status_code == 200

    signed_in(client_data["client"]).post(
        reverse("accounts:coaching_end", kwargs={"pk": CoachLink.objects.get().pk})
    )

    assert browser.get(url).status_code == 404
    assert "Geheimname" not in browser.get(reverse("coach:contacts_contact_changelist")).text


def test_names_sharing_shows_names_but_no_notes(client_data: dict[str, Any]) -> None:
    coach = coach_of(client_data["client"], sharing=Sharing.NAMES)
    browser = signed_in(coach)

    listing = browser.get(reverse("coach:contacts_contact_changelist"))
    contact = browser.get(
        reverse("coach:contacts_contact_change", kwargs={"object_id": client_data["contact"].pk})
    )
    touch = browser.get(
        reverse("coach:touchpoints_touchpoint_change", kwargs={"object_id": client_data["touch"].pk})
    )

    assert "Geheimname" in listing.text
    assert "Geheimname" in contact.text
    for page in (listing, contact, touch):
        assert SECRETS[2] not in page.text
        assert SECRETS[3] not in page.text
        assert SECRETS[4] not in page.text


def test_notes_sharing_shows_the_notes_read_only(client_data: dict[str, Any]) -> None:
    coach = coach_of(client_data["client"], sharing=Sharing.NOTES)
    browser = signed_in(coach)
    url = reverse("coach:contacts_contact_change", kwargs={"object_id": client_data["contact"].pk})

    assert SECRETS[2] in browser.get(url).text
    touch_url = reverse("coach:touchpoints_touchpoint_change", kwargs={"object_id": client_data["touch"].pk})
    assert SECRETS[3] in browser.get(touch_url).text
    response = browser.post(url, {"first_name": "Mallory", "notes": "x"})
    assert response.status_code == 403
    assert Contact.objects.get(pk=client_data["contact"].pk).first_name == "Geheimname"


def test_the_changelist_lists_only_the_coachs_clients(client_data: dict[str, Any]) -> None:
    coach = coach_of(client_data["client"], sharing=Sharing.NAMES)
    ContactFactory(owner=UserFactory(), first_name="Fremdkontakt")
    other_client = UserFactory(first_name="Olga")
    link_coach(other_client, coach, sharing=Sharing.HEALTH)
    ContactFactory(owner=other_client, first_name="Nurgesundheit")

    text = signed_in(coach).get(reverse("coach:contacts_contact_changelist")).text

    assert "Geheimname" in text
    assert "Fremdkontakt" not in text
    assert "Nurgesundheit" not in text


def test_there_are_no_actions_and_no_adding_or_deleting(client_data: dict[str, Any]) -> None:
    coach = coach_of(client_data["client"], sharing=Sharing.NOTES)
    browser = signed_in(coach)

    assert browser.get(reverse("coach:contacts_contact_add")).status_code == 403
    delete = reverse("coach:contacts_contact_delete", kwargs={"object_id": client_data["contact"].pk})
    assert browser.post(delete, {"post": "yes"}).status_code == 403
    changelist = browser.post(
        reverse("coach:contacts_contact_changelist"),
        {"action": "delete_selected", "_selected_action": [client_data["contact"].pk], "post": "yes"},
    )
    assert changelist.status_code == 200  # no action to run: the list again
    assert 'name="action"' not in changelist.text
    assert Contact.objects.filter(pk=client_data["contact"].pk).exists()


def cadences(user: User) -> dict[str, int]:
    return {name: getattr(user, name) for name in CADENCE_FIELDS}


def test_the_coach_sets_the_cap_and_cadences_and_nothing_else(owner: User) -> None:
    coach = coach_of(owner)
    url = reverse("coach:coaching_client_change", kwargs={"object_id": owner.pk})
    data = {
        "strong_tie_cap": 45,
        "cadence_strong_ideal": 20,
        "cadence_strong_max": 30,
        "cadence_regular_ideal": 60,
        "cadence_regular_max": 90,
        "cadence_loose_ideal": 120,
        "cadence_loose_max": 240,
        "email": "mallory@evil.test",
        "is_superuser": "on",
    }
    response = signed_in(coach).post(url, data)

    assert response.status_code == 302
    owner.refresh_from_db()
    assert (owner.strong_tie_cap, owner.cadence_strong_ideal, owner.cadence_loose_max) == (45, 20, 240)
    assert owner.email == "alice@netzwerk.test"
    assert not owner.is_superuser
    assert AccessLog.objects.filter(coach=coach, client=owner, action="change", what="settings").count() == 1


@pytest.mark.parametrize(("cap", "accepted"), [(39, False), (61, False), (40, True), (60, True)])
def test_the_cap_stays_within_40_to_60(owner: User, cap: int, accepted: bool) -> None:
    coach = coach_of(owner)
    url = reverse("coach:coaching_client_change", kwargs={"object_id": owner.pk})
    defaults = {
        f"cadence_{c}_{b}": getattr(owner, f"cadence_{c}_{b}")
        for c in ("strong", "regular", "loose")
        for b in ("ideal", "max")
    }

    response = signed_in(coach).post(url, {"strong_tie_cap": cap, **defaults})

    owner.refresh_from_db()
    assert (owner.strong_tie_cap == cap) is accepted
    assert response.status_code == (302 if accepted else 200)


def test_the_cap_cannot_go_below_the_strong_ties_the_client_has(owner: User) -> None:
    coach = coach_of(owner)
    strong_ties(owner, 45)
    url = reverse("coach:coaching_client_change", kwargs={"object_id": owner.pk})
    defaults = {
        f"cadence_{c}_{b}": getattr(owner, f"cadence_{c}_{b}")
        for c in ("strong", "regular", "loose")
        for b in ("ideal", "max")
    }

    response = signed_in(coach).post(url, {"strong_tie_cap": 44, **defaults})

    assert response.status_code == 200
    assert "45 strong ties" in response.text
    owner.refresh_from_db()
    assert owner.strong_tie_cap == 60
    assert Contact.objects.filter(owner=owner, circle=Circle.STRONG).count() == 45


def test_every_read_is_logged_without_personal_content(
    client_data: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    owner = client_data["client"]
    coach = coach_of(owner, sharing=Sharing.NOTES)
    browser = signed_in(coach)

    with caplog.at_level("INFO"):
        browser.get(reverse("coach:contacts_contact_changelist"))
        browser.get(reverse("coach:contacts_contact_change", kwargs={"object_id": client_data["contact"].pk}))

    rows = list(
        AccessLog.objects.filter(client=owner).order_by("pk").values("coach", "action", "what", "object_id")
    )
    assert rows == [
        {"coach": coach.pk, "action": "view", "what": "contacts", "object_id": None},
        {"coach": coach.pk, "action": "view", "what": "contact", "object_id": client_data["contact"].pk},
    ]
    assert "a contact" in signed_in(owner).get(reverse("accounts:access_log")).text
    logged = [record.getMessage() for record in caplog.records]
    assert f"coach access view coach={coach.pk} clients=1 what=contacts object=None" in logged
    for secret in [*SECRETS, owner.email, coach.email]:
        assert not any(secret in message for message in logged)


def test_a_refused_attempt_is_logged_for_the_owner_who_is_a_client(client_data: dict[str, Any]) -> None:
    coach = coach_of(client_data["client"], sharing=Sharing.HEALTH)  # names not shared

    response = signed_in(coach).get(
        reverse("coach:contacts_contact_change", kwargs={"object_id": client_data["contact"].pk})
    )

    assert response.status_code == 404
    entry = AccessLog.objects.get()
    assert (entry.coach, entry.client, entry.action) == (coach, client_data["client"], "denied")


def test_a_refused_attempt_by_a_coach_who_is_not_theirs_stays_out_of_the_owners_log(
    client_data: dict[str, Any],
) -> None:
    """Else any coach could fill anyone's log by guessing ids (see test_refusals.py)."""
    coach = UserFactory(is_staff=True, totp=True)
    make_coach(coach)

    response = signed_in(coach).get(
        reverse("coach:contacts_contact_change", kwargs={"object_id": client_data["contact"].pk})
    )

    assert response.status_code == 404
    assert not AccessLog.objects.exists()


def test_the_coach_admin_is_for_coaches_only(owner_client: Client, client: Client) -> None:
    staff = UserFactory(is_staff=True, totp=True)  # staff, but not a coach

    for visitor in (owner_client, client, signed_in(staff)):
        response = visitor.get("/coach/")
        assert response.status_code == 302
        assert "login" in response["Location"]


QUERIES: list[str] = []


def overview_queries(coach: User) -> tuple[int, str]:
    browser = signed_in(coach)
    browser.get("/coach/")  # the session and the coach are warm
    with CaptureQueriesContext(connection) as queries:
        response = browser.get("/coach/?o=-red")
    assert response.status_code == 200
    QUERIES[:] = [query["sql"][:150] for query in queries.captured_queries]
    return len(queries), response.text


def add_clients(coach: User, count: int, *, start: int) -> None:
    for number in range(start, start + count):
        client = UserFactory(first_name=f"Klient{number:03d}")
        link_coach(client, coach)
        (contact,) = strong_ties(client, 1)
        ledger.log_touch(
            contact, kind=Kind.MEETING, happened_at=timezone.now() - timedelta(days=3), promise="x"
        )
        RosterReview.objects.create(owner=client, reviewed_at=timezone.now(), strong_ties=1)


def test_the_overview_takes_the_same_queries_for_1_and_100_clients() -> None:
    coach = UserFactory(is_staff=True, totp=True)
    make_coach(coach)
    add_clients(coach, 1, start=0)
    one, _ = overview_queries(coach)
    add_clients(coach, 99, start=1)
    hundred, text = overview_queries(coach)

    assert one == hundred
    assert hundred == 10, "\n".join(QUERIES)
    assert text.count("Klient") >= 100
    assert AccessLog.objects.filter(coach=coach, what="overview").count() == 1 + 1 + 100 + 100


def test_the_overview_shows_each_clients_health_and_sorts(owner: User) -> None:
    coach = coach_of(owner)
    strong_ties(owner, 3)
    contact = ContactFactory(owner=owner, circle=Circle.REGULAR)
    Contact.objects.filter(pk=contact.pk).update(created_at=timezone.now() - timedelta(days=200))
    second = UserFactory(first_name="Zora")
    link_coach(second, coach)

    rows = overview(coach, now=timezone.now(), order="-red")
    assert [row.client for row in rows] == [owner, second]
    alice = rows[0]
    assert (alice.health.strong_ties, alice.cap, alice.health.red) == (3, 60, 1)
    assert [row.client for row in overview(coach, now=timezone.now(), order="red")] == [second, owner]


def test_autocomplete_and_view_on_site_are_not_on_the_coach_site(client_data: dict[str, Any]) -> None:
    browser = signed_in(coach_of(client_data["client"], sharing=Sharing.NOTES))
    contact = client_data["contact"]
    content_type = ContentType.objects.get_for_model(Contact)

    for url in (
        "/coach/autocomplete/?app_label=touchpoints&model_name=touchpoint&field_name=contact&term=Geh",
        f"/coach/r/{content_type.pk}/{contact.pk}/",
    ):
        response = browser.get(url)
        assert response.status_code == 404, url
        assert "Geheimname" not in response.text


def test_no_filter_but_the_list_filters_answers(client_data: dict[str, Any]) -> None:
    """A filter on a field the coach may not read would answer yes or no about it."""
    browser = signed_in(coach_of(client_data["client"], sharing=Sharing.NAMES))
    for model, model_admin in coach_site._registry.items():
        changelist = reverse(f"coach:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for field in model._meta.concrete_fields:
            response = browser.get(changelist, {f"{field.name}__startswith": "a"})
            assert response.status_code == 400, (model, field.name)
        for name in model_admin.list_filter:
            assert browser.get(changelist, {f"{name}__exact": "x"}).status_code == 200
    client_list = reverse("coach:coaching_client_changelist")
    assert browser.get(client_list, {"password__startswith": "md5"}).status_code == 400
    for odd in ("abc", "²", "-1"):
        assert browser.get(reverse("coach:contacts_contact_changelist"), {"client": odd}).status_code == 200
        assert browser.get(f"/coach/contacts/contact/{odd}/delete/").status_code == 404


def test_the_history_shows_the_coachs_own_changes_only(owner: User) -> None:
    first = coach_of(owner, email="erste@netzwerk.test")
    second = coach_of(owner, email="zweite@netzwerk.test")
    url = reverse("coach:coaching_client_change", kwargs={"object_id": owner.pk})
    signed_in(first).post(url, {"strong_tie_cap": 50, **cadences(owner)})
    history = reverse("coach:coaching_client_history", kwargs={"object_id": owner.pk})

    assert "erste@netzwerk.test" in signed_in(first).get(history).text
    assert "erste@netzwerk.test" not in signed_in(second).get(history).text


def test_a_coach_cannot_use_the_superuser_admin(owner: User) -> None:
    coach = coach_of(owner)
    superuser_coach = coach_of(owner, is_superuser=True)

    assert signed_in(coach).get("/admin/contacts/contact/")["Location"].startswith("/admin/login/")
    assert signed_in(superuser_coach).get("/admin/contacts/contact/").status_code == 200


def test_the_coachs_save_leaves_the_clients_other_settings_alone(
    owner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    coach = coach_of(owner)
    real_check = roster.check_new_cap

    def client_changes_settings_meanwhile(owner_id: int, cap: int) -> None:
        User.objects.filter(pk=owner_id).update(language="de", first_name="Alicia")
        real_check(owner_id, cap)

    monkeypatch.setattr(roster, "check_new_cap", client_changes_settings_meanwhile)
    url = reverse("coach:coaching_client_change", kwargs={"object_id": owner.pk})
    assert signed_in(coach).post(url, {"strong_tie_cap": 50, **cadences(owner)}).status_code == 302

    owner.refresh_from_db()
    assert (owner.strong_tie_cap, owner.language, owner.first_name) == (50, "de", "Alicia")


def test_a_prospect_far_past_the_target_does_not_make_up_for_another(owner: User) -> None:
    coach = coach_of(owner)
    since = timezone.now() - timedelta(days=30)
    ahead, behind = (ContactFactory(owner=owner, prospect_status=ProspectStatus.PROSPECT) for _ in range(2))
    Contact.objects.filter(pk=ahead.pk).update(prospect_since=since, prospect_touches=14)
    Contact.objects.filter(pk=behind.pk).update(prospect_since=since, prospect_touches=0)

    (row,) = overview(coach, now=timezone.now())

    assert (row.health.prospects, row.health.prospects_at_target) == (2, 1)
    assert row.prospect_progress == 50  # 7 of 14, not 14 of 14


def test_promises_are_overdue_by_the_clients_own_day(owner: User) -> None:
    """Just after midnight in Berlin, yesterday's promise is overdue there, not yet in UTC."""
    coach = coach_of(owner)
    berlin_day = date(2026, 12, 2)
    contact = ContactFactory(owner=owner)
    ledger.log_touch(
        contact,
        kind=Kind.CALL,
        happened_at=datetime(2026, 11, 20, 9, tzinfo=UTC),
        promise="Angebot",
        promise_due=berlin_day - timedelta(days=1),
    )
    now = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)  # 00:30 on 2 December in Berlin

    (row,) = overview(coach, now=now)

    assert owner.local_date(now) == berlin_day
    assert (row.promises.overdue, row.promises.open) == (1, 1)


def test_the_delete_view_logs_no_read_and_refuses(client_data: dict[str, Any]) -> None:
    owner = client_data["client"]
    coach = coach_of(owner, sharing=Sharing.NOTES)
    stranger_coach = UserFactory(is_staff=True, totp=True)
    make_coach(stranger_coach)
    url = reverse("coach:contacts_contact_delete", kwargs={"object_id": client_data["contact"].pk})

    assert signed_in(coach).get(url).status_code == 403
    assert signed_in(stranger_coach).get(url).status_code == 404
    assert not AccessLog.objects.exists()  # no read by the coach; the other is none of the owner's
    CoachLink.objects.filter(coach=coach).update(sharing=Sharing.HEALTH)
    assert signed_in(coach).get(url).status_code == 404
    assert list(AccessLog.objects.values_list("coach", "action")) == [(coach.pk, "denied")]


def test_staff_see_the_coach_admin_in_the_menu(owner: User, owner_client: Client) -> None:
    coach = coach_of(owner)

    assert reverse("coach:index") in signed_in(coach).get(reverse("reminders:today")).text
    assert reverse("coach:index") not in owner_client.get(reverse("reminders:today")).text


def test_a_list_that_comes_back_empty_is_logged_as_a_read_of_the_client(client_data: dict[str, Any]) -> None:
    owner = client_data["client"]
    browser = signed_in(coach_of(owner, sharing=Sharing.NAMES))
    stranger = UserFactory()
    listing = reverse("coach:contacts_contact_changelist")

    browser.get(listing, {"client": owner.pk, "circle__exact": Circle.STRONG})  # she has none
    browser.get(listing, {"circle__exact": Circle.STRONG})
    browser.get(listing, {"client": stranger.pk})  # no client of this coach: no read of anyone

    rows = AccessLog.objects.filter(client=owner, action="view", what="contacts")
    assert rows.count() == 2
    assert not AccessLog.objects.filter(client=stranger).exists()


@pytest.mark.parametrize("query", ["circle__exact=%00", "client=%00", "q=a%00b", "o=%00"])
def test_a_nul_byte_in_a_coach_list_filter_is_a_bad_request(client_data: dict[str, Any], query: str) -> None:
    browser = signed_in(coach_of(client_data["client"], sharing=Sharing.NAMES))

    response = browser.get(f"{reverse('coach:contacts_contact_changelist')}?{query}")

    assert response.status_code == 400


def test_a_filtered_list_is_a_read_of_every_client_it_could_have_shown(owner: User) -> None:
    """Filtered on strong ties, the list shows Alice's only: that Bob has none is a read too."""
    bob = UserFactory(first_name="Bob")
    coach = coach_of(owner, sharing=Sharing.NAMES)
    link_coach(bob, coach, sharing=Sharing.NAMES)
    strong_ties(owner, 1)
    ContactFactory(owner=bob, circle=Circle.LOOSE)
    browser = signed_in(coach)
    listing = reverse("coach:contacts_contact_changelist")

    browser.get(listing, {"circle__exact": Circle.STRONG})

    logged = AccessLog.objects.filter(action="view", what="contacts")
    assert sorted(logged.values_list("client_id", flat=True)) == sorted([owner.pk, bob.pk])
