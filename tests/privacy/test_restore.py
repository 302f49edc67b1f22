"""F4 and G5: a backup taken before an erasure, restored, loses the erased account again.

A real dump and restore of the test database (pg_dump and pg_restore on PostgreSQL; SQLite's
backup API on SQLite), so the restored database lacks the ledger's newer rows, as it will in
production; only the ledger's file remembers them.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection, connections

from privacy import erasure, registry
from privacy.models import Erasure
from tests.privacy.conftest import Seeded, signed_in
from tests.privacy.schema import paths_to, referring, rows_referring, snapshot


def _postgres(program: str, *arguments: str) -> None:
    settings = connection.settings_dict
    env = os.environ | {"PGPASSWORD": str(settings["PASSWORD"] or "")}
    where = ["-h", str(settings["HOST"] or "127.0.0.1"), "-p", str(settings["PORT"] or 5432)]
    command = [program, *where, "-U", str(settings["USER"]), "-d", str(settings["NAME"]), *arguments]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def dump(file: Path) -> None:
    if connection.vendor == "postgresql":
        _postgres("pg_dump", "--format=custom", "--file", str(file))
        return
    with sqlite3.connect(str(connection.settings_dict["NAME"])) as live, sqlite3.connect(file) as copy:
        live.backup(copy)


def restore(file: Path) -> None:
    """Replace the database's tables with the dump's, as an operator does (no session open)."""
    connections.close_all()
    if connection.vendor == "postgresql":
        _postgres("pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", str(file))
        return
    with sqlite3.connect(file) as copy, sqlite3.connect(str(connection.settings_dict["NAME"])) as live:
        copy.backup(live)


def held(user_pk: int) -> dict[str, list[int]]:
    """Every row the registry counts as the user's, and every row leading to the user."""
    found = {
        label: list(registry.rows_of(label, user_pk).values_list("pk", flat=True))
        for label in registry.EXPORTED
        if label not in registry.ERASURE_KEPT
    }
    for label in registry.ERASURE_KEPT:
        found[label] = list(
            referring(label, paths_to(get_user_model())[label], user_pk).values_list("pk", flat=True)
        )
    return {label: pks for label, pks in found.items() if pks}


@pytest.mark.django_db(transaction=True)
def test_a_restored_older_dump_loses_the_erased_account_again(
    alice: Seeded, bob: Seeded, ledger_file: Path, tmp_path: Path, database_vendor: str
) -> None:
    alice_pk, user_model = alice.user.pk, get_user_model()
    her_session = signed_in(alice.user).session.session_key
    assert set(held(alice_pk)) == set(registry.EXPORTED)  # a row of every kind (the seed's)
    bobs = snapshot(user_model, bob.user.pk)
    backup = tmp_path / "netzwerk.dump"
    dump(backup)
    erasure.erase_account(alice.user)
    assert held(alice_pk) == {}

    restore(backup)

    # the restore brought her back, and her ledger row is not in the restored database
    assert user_model.objects.filter(pk=alice_pk).exists()
    assert Session.objects.filter(session_key=her_session).exists()
    assert not Erasure.objects.filter(user_pk=alice_pk).exists()
    out = StringIO()
    call_command("reapply_erasures", stdout=out)

    assert f"Accounts erased again: {alice_pk}." in out.getvalue()
    assert held(alice_pk) == {}
    assert rows_referring(user_model, alice_pk) == {}
    assert not Session.objects.filter(session_key=her_session).exists()
    assert not LogEntry.objects.filter(object_id=str(alice.contact.pk)).exists()
    assert Erasure.objects.filter(user_pk=alice_pk).count() == 2  # the first erasure, and this one
    assert snapshot(user_model, bob.user.pk) == bobs
