"""Staff deleting an account in the admin erase it like its owner: ledger, sessions, log."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from privacy import ledger
from privacy.models import Erasure
from tests.factories import UserFactory, sign_in
from tests.privacy.conftest import Seeded, signed_in
from tests.privacy.schema import rows_referring


@pytest.fixture
def staff(db: None) -> Client:
    client = Client()
    sign_in(client, UserFactory(is_staff=True, is_superuser=True, totp=True))
    return client


def assert_erased(seeded: Seeded, ledger_file: Path) -> None:
    pk = seeded.user.pk
    assert rows_referring(get_user_model(), pk) == {}
    assert {entry.user_pk for entry in ledger.read(ledger_file).entries} >= {pk}
    assert Erasure.objects.filter(user_pk=pk).exists()
    # the admin's own record of the deletion names the account: forgotten with it
    assert not LogEntry.objects.filter(object_repr__contains=seeded.user.email).exists()


def test_deleting_an_account_in_the_admin_erases_it(
    staff: Client, alice: Seeded, bob: Seeded, ledger_file: Path
) -> None:
    her_session = signed_in(alice.user).session.session_key

    response = staff.post(reverse("admin:accounts_user_delete", args=[alice.user.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert_erased(alice, ledger_file)
    assert not Session.objects.filter(session_key=her_session).exists()
    assert get_user_model().objects.filter(pk=bob.user.pk).exists()


def test_deleting_accounts_from_the_admin_list_erases_each(
    staff: Client, alice: Seeded, bob: Seeded, ledger_file: Path
) -> None:
    selected = [alice.user.pk, bob.user.pk]

    response = staff.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "delete_selected", "_selected_action": selected, "post": "yes"},
    )

    assert response.status_code == 302
    assert_erased(alice, ledger_file)
    assert_erased(bob, ledger_file)
