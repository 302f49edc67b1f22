"""`manage.py reapply_erasures`: after restoring a backup, erase again the accounts erased since.

Reads the deletion ledger's file (settings.ERASURE_LEDGER_PATH, or --ledger) and the database's
rows, copies each to the other, and erases every account of the ledger that the restore brought
back. Safe to run any number of times. Names accounts by id only. See docs/backups.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from privacy import erasure, ledger


def ids(entries: list[ledger.Entry]) -> str:
    return ", ".join(str(entry.user_pk) for entry in entries) or "none"


class Command(BaseCommand):
    help = "Erase again every account in the deletion ledger that a restored backup brought back."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--ledger",
            type=Path,
            default=None,
            help="the ledger's file (default: settings.ERASURE_LEDGER_PATH)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        file = options["ledger"] or ledger.path()
        done = erasure.reapply(file)
        read = done.synced.read
        if read.missing:
            # A lost file, or a wrong path: the erasures since the backup are not known.
            self.stderr.write(f"No ledger file at {file}: only the database's erasures were applied.")
        if read.unreadable:
            lines = ", ".join(map(str, read.unreadable))
            self.stderr.write(f"Ledger file {file}: unreadable lines skipped: {lines}.")
        self.stdout.write(f"Ledger rows added to the database for accounts: {ids(done.synced.to_database)}.")
        self.stdout.write(f"Ledger lines added to {file} for accounts: {ids(done.synced.to_file)}.")
        erased = ", ".join(map(str, done.erased)) or "none"
        self.stdout.write(f"Accounts erased again: {erased}.")
