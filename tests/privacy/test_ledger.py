"""F4: the deletion ledger keeps each erased account's id and moment, in the database and in a
file, and `reapply_erasures` erases again what a restore brought back, once."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contacts.models import Contact
from netzwerk.accounts.models import User
from privacy import erasure, ledger
from privacy.models import Erasure
from tests.factories import UserFactory
from tests.privacy.conftest import Seeded

pytestmark = pytest.mark.django_db


def reapply(*options: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("reapply_erasures", *options, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def rows() -> set[tuple[int, datetime]]:
    return set(Erasure.objects.values_list("user_pk", "erased_at"))


def restored(*, erased_at: datetime) -> User:
    """An account as a restored backup brings it back: joined before its erasure."""
    return UserFactory(date_joined=erased_at - timedelta(days=30))


def test_it_writes_the_erasure_into_the_database_and_the_file_with_ids_only(
    alice: Seeded, bob: Seeded, ledger_file: Path
) -> None:
    alice_pk = alice.user.pk

    erasure.erase_account(alice.user)

    [(user_pk, erased_at)] = rows()
    assert user_pk == alice_pk
    text = ledger_file.read_text()
    assert [json.loads(line) for line in text.splitlines()] == [
        {"user": alice_pk, "erased_at": erased_at.isoformat()}
    ]
    assert [s for s in alice.strings if s in text] == []
    assert ledger_file.stat().st_mode & 0o777 == 0o600


def test_an_erasure_the_ledger_file_cannot_take_does_not_happen(alice: Seeded, ledger_file: Path) -> None:
    ledger_file.mkdir(parents=True)  # a folder where the file should be: no line can be written
    alice_pk = alice.user.pk

    with pytest.raises(IsADirectoryError):
        erasure.erase_account(alice.user)

    assert User.objects.filter(pk=alice_pk).exists()
    assert Contact.objects.filter(pk=alice.contact.pk).exists()
    assert rows() == set()


def test_it_erases_again_an_account_that_only_the_file_remembers(ledger_file: Path) -> None:
    erased_at = timezone.now() - timedelta(days=1)
    back = restored(erased_at=erased_at)
    kept = UserFactory()
    ledger.append(ledger_file, [ledger.Entry(back.pk, erased_at)])

    out, err = reapply()

    assert not User.objects.filter(pk=back.pk).exists()
    assert User.objects.filter(pk=kept.pk).exists()
    assert (back.pk, erased_at) in rows()
    assert f"Ledger rows added to the database for accounts: {back.pk}." in out
    assert f"Accounts erased again: {back.pk}." in out
    assert err == ""


def test_it_is_idempotent(ledger_file: Path) -> None:
    erased_at = timezone.now() - timedelta(days=1)
    back = restored(erased_at=erased_at)
    ledger.append(ledger_file, [ledger.Entry(back.pk, erased_at)])
    reapply()
    lines, stored = ledger_file.read_text(), rows()

    out, _err = reapply()

    assert "Accounts erased again: none." in out
    assert "Ledger rows added to the database for accounts: none." in out
    assert "Ledger lines added to" in out
    assert out.rstrip().endswith("Accounts erased again: none.")
    assert ledger_file.read_text() == lines
    assert rows() == stored


def test_it_spares_a_newcomer_given_an_erased_accounts_id(ledger_file: Path) -> None:
    """A restore rewinds the id sequence: an erased id may go to someone who joined later."""
    erased_at = timezone.now() - timedelta(days=1)
    newcomer = UserFactory(date_joined=erased_at + timedelta(minutes=5))
    ledger.append(ledger_file, [ledger.Entry(newcomer.pk, erased_at)])

    out, _err = reapply()

    assert User.objects.filter(pk=newcomer.pk).exists()
    assert "Accounts erased again: none." in out


def test_it_copies_the_rows_the_file_lacks_into_a_new_file(ledger_file: Path) -> None:
    erased_at = timezone.now() - timedelta(days=1)
    back = restored(erased_at=erased_at)
    Erasure.objects.create(user_pk=back.pk, erased_at=erased_at)
    assert not ledger_file.exists()

    out, err = reapply()

    assert f"No ledger file at {ledger_file}" in err
    assert ledger.read(ledger_file).entries >= {ledger.Entry(back.pk, erased_at)}
    assert f"Ledger lines added to {ledger_file} for accounts: {back.pk}." in out
    assert not User.objects.filter(pk=back.pk).exists()


def test_it_skips_an_unreadable_line_and_applies_the_others(ledger_file: Path) -> None:
    erased_at = timezone.now() - timedelta(days=1)
    back = restored(erased_at=erased_at)
    ledger_file.parent.mkdir(parents=True)
    ledger_file.write_text('{"user": 1, "erased_at": "2026-1\n' + ledger.Entry(back.pk, erased_at).line())

    out, err = reapply()

    assert "unreadable lines skipped: 1." in err
    assert f"Accounts erased again: {back.pk}." in out
    assert not User.objects.filter(pk=back.pk).exists()


def test_it_reads_the_ledger_named_on_the_command_line(tmp_path: Path) -> None:
    erased_at = timezone.now() - timedelta(days=1)
    back = restored(erased_at=erased_at)
    elsewhere = tmp_path / "copy.jsonl"
    ledger.append(elsewhere, [ledger.Entry(back.pk, erased_at)])

    out, _err = reapply("--ledger", str(elsewhere))

    assert f"Accounts erased again: {back.pk}." in out
    assert not User.objects.filter(pk=back.pk).exists()


def test_it_never_hands_an_erased_id_out_again(ledger_file: Path) -> None:
    """The restored sequence is older than the ledger: an account made and erased after the
    dump has an id above it."""
    latest = UserFactory()
    erased_after_the_dump = latest.pk + 100
    ledger.append(ledger_file, [ledger.Entry(erased_after_the_dump, timezone.now())])

    reapply()
    reapply()

    assert UserFactory().pk > erased_after_the_dump


def test_it_never_moves_the_ids_back(ledger_file: Path) -> None:
    latest = UserFactory()
    ledger.append(ledger_file, [ledger.Entry(latest.pk - 1, timezone.now())])

    reapply()

    assert UserFactory().pk == latest.pk + 1


def test_the_privacy_page_says_what_is_kept_after_a_deletion(owner: User, owner_client: Client) -> None:
    english = owner_client.get(reverse("privacy:index")).content.decode()
    owner.language = "de"
    owner.save(update_fields=["language"])
    german = owner_client.get(reverse("privacy:index")).content.decode()

    assert "keeps only your account's number and when it was deleted" in english
    assert "behält Netzwerk nur die Nummer deines Kontos und den Zeitpunkt der Löschung" in german
