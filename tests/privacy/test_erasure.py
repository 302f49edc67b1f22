"""F3: deleting the account removes every row of hers, ends every session of hers, and drops
her kept pages; only after re-authentication and the typed address. Deleting a contact removes
what refers to it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.core.cache.backends.db import BaseDatabaseCache
from django.core.cache.backends.redis import RedisCache
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from coaching.models import Client as CoachedClient
from contacts.models import Contact
from netzwerk.accounts.models import CoachLink
from netzwerk.cache import delete_prefixed
from privacy import erasure, registry
from reminders import digest, kept
from reminders.models import DigestStatus
from tests.factories import ContactFactory, DigestRunFactory, UserFactory, link_coach
from tests.privacy.conftest import Seeded, delete_account, signed_in
from tests.privacy.schema import paths_to, referring, rows_referring, snapshot

CACHE_TABLE = "privacy_test_cache"


def session_exists(client: Client) -> bool:
    return Session.objects.filter(session_key=client.session.session_key).exists()


def test_it_deletes_every_row_of_hers_and_ends_all_her_sessions(alice: Seeded, bob: Seeded) -> None:
    user_model = get_user_model()
    hers = rows_referring(user_model, alice.user.pk)
    unseeded = sorted(set(paths_to(user_model)) - set(hers))
    assert unseeded == [], f"seed a row of these in tests/privacy/conftest.py: {unseeded}"
    browser, phone, bobs_browser = signed_in(alice.user), signed_in(alice.user), signed_in(bob.user)
    bobs = snapshot(user_model, bob.user.pk)
    # A staff member's admin edit of her contact: no foreign key ties the entry to her.
    about_her = LogEntry.objects.create(
        user=bob.user,
        content_type=ContentType.objects.get_for_model(Contact),
        object_id=str(alice.contact.pk),
        object_repr=alice.contact.name,
        action_flag=CHANGE,
    )
    # and a coach's change of her settings, which the coach admin logs as a coaching.Client
    as_client = LogEntry.objects.create(
        user=bob.user,
        content_type=ContentType.objects.get_for_model(CoachedClient, for_concrete_model=False),
        object_id=str(alice.user.pk),
        object_repr=alice.user.first_name,
        action_flag=CHANGE,
    )
    declined = CoachLink.objects.create(
        client=UserFactory(), invited_by="client", email=alice.user.email, ended_at=timezone.now()
    )

    her_session = browser.session.session_key
    response = delete_account(browser, alice.user.email)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_login")
    for label, pks in hers.items():
        if label in registry.ERASURE_KEPT:  # kept on purpose, but pointing at nobody
            assert not referring(label, paths_to(user_model)[label], alice.user.pk).exists(), label
            continue
        left = set(registry.model(label)._default_manager.filter(pk__in=pks).values_list("pk", flat=True))
        assert left == set(), f"{label} rows of hers left: {left}"
    assert not LogEntry.objects.filter(pk__in=[about_her.pk, as_client.pk]).exists()
    assert not CoachLink.objects.filter(pk=declined.pk).exists()
    # an invitation addressed to her has only her address to tie it to her
    assert not CoachLink.objects.filter(email=alice.user.email).exists()
    assert snapshot(user_model, bob.user.pk) == bobs
    assert not Session.objects.filter(session_key=her_session).exists()
    # the farewell message waits in a new, anonymous session (messages live in the session)
    assert "_auth_user_id" not in browser.session
    assert not session_exists(phone)
    assert session_exists(bobs_browser)
    assert phone.get(reverse("reminders:today"))["Location"].startswith(reverse("account_login"))
    assert bobs_browser.get(reverse("reminders:today")).status_code == 200
    page = browser.get(response["Location"])
    assert "Your account and all its data were deleted." in page.content.decode()


def test_it_asks_to_reauthenticate_before_deleting_and_changes_nothing_meanwhile(alice: Seeded) -> None:
    client = signed_in(alice.user)
    before = snapshot(get_user_model(), alice.user.pk)

    response = client.post(reverse("privacy:delete"), {"email": alice.user.email})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate") + "?next=")
    assert snapshot(get_user_model(), alice.user.pk) == before
    assert session_exists(client)


def test_it_changes_nothing_when_the_typed_address_is_not_hers(alice: Seeded, bob: Seeded) -> None:
    client = signed_in(alice.user)
    before = snapshot(get_user_model(), alice.user.pk)

    response = delete_account(client, bob.user.email)

    assert response.status_code == 200
    assert "This is not the address you sign in with." in response.content.decode()
    assert snapshot(get_user_model(), alice.user.pk) == before
    assert session_exists(client)
    # Answered from the password page (allauth replays the POST there): the next try still
    # posts to the deletion, not to the password form.
    assert f'action="{reverse("privacy:delete")}"' in response.content.decode()


def test_its_page_shows_what_goes_and_never_deletes(alice: Seeded) -> None:
    client = signed_in(alice.user)
    before = snapshot(get_user_model(), alice.user.pk)

    response = client.get(reverse("privacy:delete"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "2 contacts with their e-mail addresses" in page
    assert 'name="email"' in page
    assert snapshot(get_user_model(), alice.user.pk) == before


def test_it_links_the_privacy_page_from_the_settings(alice: Seeded) -> None:
    client = signed_in(alice.user)

    settings_page = client.get(reverse("accounts:preferences")).content.decode()
    privacy_page = client.get(reverse("privacy:index")).content.decode()

    assert reverse("privacy:index") in settings_page
    assert reverse("privacy:export") in privacy_page
    assert reverse("privacy:delete") in privacy_page


@pytest.fixture(params=["database", "redis"])
def shared_cache(request: pytest.FixtureRequest, db: None) -> Iterator[str]:
    """The kept Today pages in a cache that can list its keys, as deployed."""
    if request.param == "database":
        backend = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": CACHE_TABLE}
    else:
        if not os.environ.get("REDIS_URL"):
            if os.environ.get("CI") == "true":
                pytest.fail("CI must run with REDIS_URL")
            pytest.skip("REDIS_URL is not set")
        backend = {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": "privacy-test",
        }
    with override_settings(CACHES={"default": backend}):
        call_command("createcachetable", verbosity=0)
        yield request.param
        delete_prefixed("")


def stored_keys(prefix: str) -> list[str]:
    """The shared cache's keys that start with `prefix` (as `delete_prefixed` finds them)."""
    store, made = caches["default"], caches["default"].make_key(prefix)
    if isinstance(store, RedisCache):
        return [key.decode() for key in store._cache.get_client().scan_iter(match=made + "*")]
    assert isinstance(store, BaseDatabaseCache)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT cache_key FROM {CACHE_TABLE} WHERE cache_key LIKE %s", [made + "%"])
        return [row[0] for row in cursor.fetchall()]


def test_it_drops_her_kept_today_pages_from_a_shared_cache(
    shared_cache: str, alice: Seeded, bob: Seeded
) -> None:
    for user in (alice.user, bob.user):
        assert signed_in(user).get(reverse("reminders:today")).status_code == 200
    assert len(stored_keys(kept.kept_prefix(alice.user.pk))) == 1

    delete_account(signed_in(alice.user), alice.user.email)

    assert stored_keys(kept.kept_prefix(alice.user.pk)) == []
    assert len(stored_keys(kept.kept_prefix(bob.user.pk))) == 1


def test_a_digest_claimed_for_her_before_the_deletion_sends_nothing(
    alice: Seeded, mailoutbox: list[Any]
) -> None:
    day = date(2020, 6, 1)
    moment = datetime.combine(day, time(8), tzinfo=alice.user.zone)  # past her digest hour that day
    run = DigestRunFactory(owner=alice.user, local_date=day, status=DigestStatus.CLAIMED, claimed_at=moment)
    queued = [(run.pk, run.claimed_at.isoformat())]  # the task's message, already with the broker

    erasure.erase_account(alice.user)

    assert digest.deliver(queued, now=moment) == {"sent": 0, "empty": 0, "skipped": 1, "failed": 0}
    assert mailoutbox == []


def test_it_deletes_what_refers_to_a_deleted_contact(alice: Seeded) -> None:
    contact = alice.contact
    introduced = ContactFactory(owner=alice.user, introduced_by=contact)
    ways = paths_to(Contact)
    before = rows_referring(Contact, contact.pk)
    unseeded = sorted(set(ways) - set(before))
    assert unseeded == [], f"seed a row of these in tests/privacy/conftest.py: {unseeded}"
    assert {"touchpoints.Touchpoint", "reminders.ReminderState"} <= set(before)

    response = signed_in(alice.user).post(reverse("contacts:delete", args=[contact.pk]))

    assert response.status_code == 302
    left = {
        label: set(registry.model(label)._default_manager.filter(pk__in=pks).values_list("pk", flat=True))
        for label, pks in before.items()
    }
    # Only the contact it introduced stays, without the introduction (SET_NULL), and a row of an
    # import's preview that matched it: the file's person, now to be imported as new (SET_NULL).
    assert {label: pks for label, pks in left.items() if pks} == {
        "contacts.Contact": {introduced.pk},
        "imports.ImportRow": before["imports.ImportRow"],
        "imports.ImportKey": before["imports.ImportKey"],
        "imports.StagedTouch": before["imports.StagedTouch"],
    }
    assert rows_referring(Contact, contact.pk) == {}
    introduced.refresh_from_db()
    assert introduced.introduced_by is None


def test_an_unverified_address_does_not_take_other_peoples_coaching_with_it(alice: Seeded) -> None:
    """Anyone may type another's address into their account, unverified: erasing that account
    must not erase the links and invitations of the address's real owner."""
    owner, coach = UserFactory(email="b@firma.test"), UserFactory()
    accepted = link_coach(owner, coach)
    accepted.email = "b@firma.test"
    accepted.save(update_fields=["email"])
    pending = CoachLink.objects.create(client=UserFactory(), invited_by="client", email="b@firma.test")
    EmailAddress.objects.create(user=alice.user, email="b@firma.test", verified=False)

    erasure.erase_account(alice.user)

    assert CoachLink.objects.filter(pk__in=[accepted.pk, pending.pk]).count() == 2


@pytest.mark.django_db
def test_a_coachs_clients_hear_when_the_coach_erases_the_account(
    django_capture_on_commit_callbacks: Any,
) -> None:
    from django.core import mail

    from tests.factories import coach_of

    client = UserFactory(email="dana@netzwerk.test", language="de")
    coach = coach_of(client, first_name="Clara", last_name="Coach")

    with django_capture_on_commit_callbacks(execute=True):
        erasure.erase_account(coach)

    [told] = mail.outbox
    assert told.to == ["dana@netzwerk.test"]
    assert "Clara Coach" in told.body
