"""Every URL pattern is classified; strangers get 404, anonymous users the login page.

A new URL pattern that is not in ACCESS fails `test_it_classifies_every_url_pattern`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from contacts.models import Contact, DistinctPair, Organisation
from imports.models import Import, ImportRow
from netzwerk.accounts.models import CoachLink, Side
from privacy.models import ExportChunk, ExportJob
from reminders import digest
from reminders.heartbeat import record_heartbeat
from reminders.models import CalendarFeed, ReminderState
from tests.factories import PASSWORD, ContactFactory, OrganisationFactory, strong_ties
from touchpoints import ledger
from touchpoints.kinds import Kind
from touchpoints.models import OneOffReminder, Touchpoint

PUBLIC, LOGIN, OWNER = "public", "login-required", "object of the owner"
SECURITY_KEY = "the owner's security key (allauth.mfa)"

ACCESS: dict[str, str] = {
    "home": LOGIN,
    "set_language": PUBLIC,
    "manifest": PUBLIC,
    # database, cache, broker and heartbeat, for compose's healthcheck: no data, no sign-in
    "healthz": PUBLIC,
    "accounts:preferences": LOGIN,
    "accounts:coaching": LOGIN,
    "accounts:coaching_invite": LOGIN,
    "accounts:access_log": LOGIN,
    "accounts:coaching_accept": OWNER,
    "accounts:coaching_end": OWNER,
    "accounts:coaching_sharing": OWNER,
    "contacts:list": LOGIN,
    "contacts:create": LOGIN,
    "contacts:roster": LOGIN,
    # bulk sorting and the CSV export: the signed-in user's own contacts, ids in the POST body
    # (a stranger's id sorts nothing: tests/contacts/test_sorting.py)
    "contacts:sort": LOGIN,
    "contacts:export_csv": LOGIN,
    "contacts:detail": OWNER,
    "contacts:status": OWNER,
    "contacts:edit": OWNER,
    "contacts:delete": OWNER,
    "contacts:archive": OWNER,
    "contacts:unarchive": OWNER,
    "contacts:promote": OWNER,
    "contacts:decide": OWNER,
    "contacts:decide_undo": OWNER,
    "contacts:demote": OWNER,
    "contacts:roster_undo": OWNER,
    "contacts:archive_undo": OWNER,
    "imports:sort_undo": OWNER,
    "contacts:swap": OWNER,
    "contacts:organisation_list": LOGIN,
    "contacts:organisation_create": LOGIN,
    "contacts:organisation_detail": OWNER,
    "contacts:organisation_edit": OWNER,
    "contacts:organisation_delete": OWNER,
    # imports: the history and the upload are the user's own; the rest takes an import's pk
    "imports:list": LOGIN,
    "imports:upload": LOGIN,
    "imports:detail": OWNER,
    "imports:progress": OWNER,
    "imports:columns": OWNER,
    "imports:include": OWNER,
    "imports:pick": OWNER,
    "imports:commit": OWNER,
    "imports:abandon": OWNER,
    "imports:undo": OWNER,
    # the sort page: the signed-in user's waiting contacts, one decision per contact of theirs
    "imports:sort": LOGIN,
    "imports:sort_decide": OWNER,
    # the duplicates: the page lists the user's own pairs; the pair URLs (dismiss, merge) take
    # two contacts' pks, and a pair with another owner's contact is a 404
    "imports:duplicates": LOGIN,
    "imports:dismiss": OWNER,
    "imports:merge": OWNER,
    "touchpoints:quick": LOGIN,
    "touchpoints:contact_search": LOGIN,
    "touchpoints:my_record": LOGIN,
    "touchpoints:panel": OWNER,
    "touchpoints:log": OWNER,
    "touchpoints:ask_warning": OWNER,
    "touchpoints:more": OWNER,
    "touchpoints:timeline": OWNER,
    "touchpoints:record": OWNER,
    "touchpoints:edit": OWNER,
    "touchpoints:delete": OWNER,
    "touchpoints:keep_promise": OWNER,
    "touchpoints:undo": OWNER,
    "reminders:today": LOGIN,
    "digest:preview": LOGIN,
    # a signed token stands in for the login (one click from the e-mail)
    "digest:unsubscribe": PUBLIC,
    "reminders:roster_review": LOGIN,
    "reminders:review_item": LOGIN,
    "reminders:contact_item": OWNER,
    "reminders:promise_item": OWNER,
    "reminders:one_off_item": OWNER,
    "reminders:one_off_edit": OWNER,
    "reminders:one_off_delete": OWNER,
    "reminders:one_off_panel": OWNER,
    "reminders:one_off_create": OWNER,
    "reminders:touch_undo": OWNER,
    "reminders:decide_undo": OWNER,
    # what to put back comes in a token signed for its owner: refused for anyone else, no lookup
    "reminders:state_undo": LOGIN,
    # the feed's secret token stands in for the login (calendar apps cannot sign in)
    "calendar:feed": PUBLIC,
    "calendar:settings": LOGIN,
    "calendar:regenerate": LOGIN,
    # GDPR export and erasure: the signed-in user's own data, no object ids
    "privacy:index": LOGIN,
    "privacy:export": LOGIN,
    "privacy:export_status": LOGIN,
    # a prepared export's ZIP, by the job's pk (the link in the e-mail)
    "privacy:export_download": OWNER,
    "privacy:delete": LOGIN,
    # django-allauth
    "account_login": PUBLIC,
    "account_logout": PUBLIC,
    "account_signup": PUBLIC,
    "account_inactive": PUBLIC,
    "account_email_verification_sent": PUBLIC,
    "account_confirm_email": PUBLIC,
    "account_confirm_login_code": PUBLIC,
    "account_reset_password": PUBLIC,
    "account_reset_password_done": PUBLIC,
    "account_reset_password_from_key": PUBLIC,
    "account_reset_password_from_key_done": PUBLIC,
    "account_reauthenticate": LOGIN,
    "account_request_reauthentication_code": LOGIN,  # allauth >= 65.22
    "account_confirm_reauthentication_code": LOGIN,
    "account_email": LOGIN,
    "account_change_password": LOGIN,
    "account_set_password": LOGIN,
    # allauth.mfa: two-factor set-up (required for staff and coaches) and the sign-in step
    "mfa_index": LOGIN,
    "mfa_authenticate": PUBLIC,  # the second step of a sign-in, before the session is one
    "mfa_reauthenticate": LOGIN,
    "mfa_activate_totp": LOGIN,
    "mfa_deactivate_totp": LOGIN,
    "mfa_view_recovery_codes": LOGIN,
    "mfa_generate_recovery_codes": LOGIN,
    "mfa_download_recovery_codes": LOGIN,
    "mfa_list_webauthn": LOGIN,
    "mfa_add_webauthn": LOGIN,
    "mfa_reauthenticate_webauthn": LOGIN,
    "mfa_remove_webauthn": SECURITY_KEY,
    "mfa_edit_webauthn": SECURITY_KEY,
}
# Views of one touchpoint, looked up by the touchpoint's pk (the other touchpoint views take a contact's).
TOUCHPOINT_URLS = {
    "touchpoints:edit",
    "touchpoints:delete",
    "touchpoints:keep_promise",
    "touchpoints:undo",
    "reminders:promise_item",
    "reminders:touch_undo",
}
# Views of one one-off reminder, looked up by its pk (its panel and form take the contact's).
ONE_OFF_URLS = {"reminders:one_off_item", "reminders:one_off_edit", "reminders:one_off_delete"}
# Views of a pair of contacts, looked up by both contacts' pks.
PAIR_URLS = {"imports:dismiss", "imports:merge"}
# Signed-in actions that take POST only: GET is 405.
POST_ONLY = {
    "calendar:regenerate",
    "reminders:state_undo",
    "reminders:review_item",
    "accounts:coaching_invite",
    "contacts:sort",
    "privacy:export",
}
# allauth.mfa pages of a factor the user has not enrolled.
NEED_A_SECOND_FACTOR = {"mfa_deactivate_totp", "mfa_view_recovery_codes", "mfa_download_recovery_codes"}
# Views of one coaching link, looked up by the link's pk.
COACH_LINK_URLS = {"accounts:coaching_accept", "accounts:coaching_end", "accounts:coaching_sharing"}
# Django's admin and the coach admin: staff only, behind allauth's login (tested below, and the
# coach admin in tests/coaching/test_coach_sweep.py).
ADMIN_PREFIXES = {"admin/": "admin:", "coach/": "coach:"}

# Placeholder arguments for reversing patterns that take some.
SAMPLE_KWARGS: dict[str, dict[str, Any]] = {
    "account_confirm_email": {"key": "abc"},
    "account_reset_password_from_key": {"uidb36": "1", "key": "set-password"},
    "calendar:feed": {"token": "sample-feed-token"},
}


def walk(
    patterns: list[Any], prefix: str = "", namespace: str | None = None
) -> Iterator[tuple[str | None, str]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            ns = f"{namespace}:{inner}" if namespace and inner else inner or namespace
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield name, prefix + str(pattern.pattern)


def project_patterns() -> list[tuple[str | None, str]]:
    return [
        (name, route)
        for name, route in walk(get_resolver().url_patterns)
        if not route.startswith(tuple(ADMIN_PREFIXES))
    ]


def names_with(access: str) -> list[str]:
    return sorted(name for name, kind in ACCESS.items() if kind == access)


def test_it_classifies_every_url_pattern() -> None:
    found = project_patterns()
    unnamed = [route for name, route in found if name is None]
    assert unnamed == [], f"name these URL patterns and classify them: {unnamed}"
    assert {name for name, _ in found} == set(ACCESS)


def test_it_keeps_the_admin_under_its_prefix() -> None:
    found = list(walk(get_resolver().url_patterns))
    for prefix, namespace in ADMIN_PREFIXES.items():
        names = [name for name, route in found if route.startswith(prefix)]
        assert names, prefix
        assert all(name is None or name.startswith(namespace) for name in names)


@pytest.fixture
def owned(owner: Any) -> dict[str, Any]:
    contact = ContactFactory(owner=owner, first_name="Geheim", last_name="Kontakt")
    (tie,) = strong_ties(owner, 1)
    organisation = OrganisationFactory(owner=owner, name="Geheimclub")
    touch = ledger.log_touch(
        contact,
        kind=Kind.CALL,
        happened_at=timezone.now() - timedelta(days=1),
        promise="Geheimes Angebot schicken",
    )
    link = CoachLink.objects.create(client=owner, invited_by=Side.CLIENT, email="coach@netzwerk.test")
    upload = Import.objects.create(owner=owner, status=Import.Status.PREVIEW)  # for the imports:* URLs
    ImportRow.objects.create(upload=upload, file="Connections.csv", line=4, data={"first_name": "Geheim"})
    one_off = OneOffReminder.objects.create(
        contact=contact, due_on=timezone.localdate(), text="Geheimes Angebot nachfassen"
    )
    now = timezone.now()
    export = ExportJob.objects.create(
        owner=owner,
        state=ExportJob.State.READY,
        filename="netzwerk-export.zip",
        created_at=now,
        expires_at=now + timedelta(hours=1),
    )
    ExportChunk.objects.create(job=export, number=0, data=b"PK")
    return {
        "export": export,
        "contact": contact,
        "tie": tie,
        "organisation": organisation,
        "touch": touch,
        "link": link,
        "one_off": one_off,
    }


def owner_url(name: str, owned: dict[str, Any]) -> str:
    if name.startswith("contacts:organisation_"):
        return reverse(name, kwargs={"pk": owned["organisation"].pk})
    if name in COACH_LINK_URLS:
        return reverse(name, kwargs={"pk": owned["link"].pk})
    if name in TOUCHPOINT_URLS:
        return reverse(name, kwargs={"pk": owned["touch"].pk})
    if name in ONE_OFF_URLS:
        return reverse(name, kwargs={"pk": owned["one_off"].pk})
    if name == "privacy:export_download":
        return reverse(name, kwargs={"pk": owned["export"].pk})
    if name in ("imports:sort_decide", "imports:sort_undo"):
        return reverse(name, kwargs={"pk": owned["contact"].pk})
    if name in PAIR_URLS:
        return reverse(name, kwargs={"first": owned["contact"].pk, "second": owned["tie"].pk})
    if name.startswith("imports:"):
        return reverse(name, kwargs={"pk": Import.objects.get(owner=owned["contact"].owner).pk})
    if name == "contacts:swap":
        return reverse(name, kwargs={"pk": owned["contact"].pk, "out_pk": owned["tie"].pk})
    return reverse(name, kwargs={"pk": owned["contact"].pk})


def snapshot() -> list[Any]:
    return [
        list(Contact.objects.order_by("pk").values()),
        list(Organisation.objects.order_by("pk").values()),
        list(Touchpoint.objects.order_by("pk").values()),
        list(OneOffReminder.objects.order_by("pk").values()),
        list(ReminderState.objects.order_by("pk").values()),
        list(CoachLink.objects.order_by("pk").values()),
        list(Import.objects.order_by("pk").values()),
        list(ImportRow.objects.order_by("pk").values()),
        list(DistinctPair.objects.order_by("pk").values()),
    ]


@pytest.mark.parametrize("name", names_with(OWNER))
def test_it_answers_404_to_a_stranger_and_changes_nothing(
    name: str, owned: dict[str, Any], stranger_client: Client
) -> None:
    url = owner_url(name, owned)
    before = snapshot()

    assert stranger_client.get(url).status_code in {404, 405}
    assert stranger_client.post(url, {"first_name": "Mallory", "name": "Mallory"}).status_code == 404
    assert stranger_client.post(url, HTTP_HX_REQUEST="true").status_code == 404

    assert snapshot() == before


@pytest.mark.parametrize("name", names_with(OWNER))
def test_it_serves_the_owner(name: str, owned: dict[str, Any], owner_client: Client) -> None:
    response = owner_client.get(owner_url(name, owned))
    # POST-only actions refuse GET; pages answer.
    assert response.status_code in {200, 405}


@pytest.mark.parametrize("name", names_with(LOGIN))
def test_it_serves_signed_in_users(name: str, owner_client: Client) -> None:
    response = owner_client.get(reverse(name))
    if name in NEED_A_SECOND_FACTOR:
        assert response.status_code == 404  # allauth's answer while the owner has none
        return
    if name in POST_ONLY:
        assert response.status_code == 405
        return
    assert response.status_code in {200, 302}
    if response.status_code == 302:
        assert not response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", [*names_with(OWNER), *names_with(LOGIN)])
def test_it_sends_anonymous_users_to_login(name: str, owned: dict[str, Any], client: Client) -> None:
    url = owner_url(name, owned) if ACCESS[name] == OWNER else reverse(name)
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


@pytest.fixture
def sample_feed(owner: Any) -> CalendarFeed:
    """The feed behind SAMPLE_KWARGS["calendar:feed"]: an unknown token would be a 404."""
    return CalendarFeed.objects.create(owner=owner, **SAMPLE_KWARGS["calendar:feed"])


@pytest.fixture
def sample_unsubscribe(owner: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A signed unsubscribe token for the owner: an unsigned one would be a 404."""
    token = digest.unsubscribe_url(owner).rstrip("/").rsplit("/", 1)[-1]
    monkeypatch.setitem(SAMPLE_KWARGS, "digest:unsubscribe", {"token": token})


@pytest.fixture
def beating() -> None:
    """A fresh heartbeat: without one, /healthz answers 503 (beat or the worker is down)."""
    record_heartbeat(now=timezone.now())


@pytest.mark.parametrize("name", names_with(PUBLIC))
@pytest.mark.django_db
@pytest.mark.usefixtures("sample_feed", "sample_unsubscribe", "beating")
def test_it_lets_anonymous_users_reach_public_pages(name: str, client: Client) -> None:
    response = client.get(reverse(name, kwargs=SAMPLE_KWARGS.get(name)))
    assert response.status_code in {200, 302, 405}
    if response.status_code == 302:
        assert not response["Location"].startswith(reverse("account_login") + "?next=")


def test_it_keeps_anonymous_users_and_strangers_out_of_the_admin(
    client: Client, stranger_client: Client
) -> None:
    for visitor in (client, stranger_client):
        response = visitor.get("/admin/contacts/contact/")
        assert response.status_code == 302
        assert "/login/" in response["Location"]


@pytest.mark.parametrize("name", names_with(SECURITY_KEY))
def test_it_answers_404_for_another_users_security_key(name: str, owner: Any, stranger: Any) -> None:
    key = Authenticator.objects.create(user=owner, type=Authenticator.Type.WEBAUTHN, data={"name": "Key"})
    url = reverse(name, kwargs={"pk": key.pk})
    stranger_client = Client()
    stranger_client.force_login(stranger)
    reauthenticated = stranger_client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert reauthenticated.status_code == 302  # past allauth's re-authentication

    assert stranger_client.get(url).status_code == 404
    assert stranger_client.post(url).status_code == 404
    assert Authenticator.objects.filter(pk=key.pk).exists()
