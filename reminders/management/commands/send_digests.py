"""`manage.py send_digests [--now ISO-8601] [--dry-run]`: one digest sweep, in this process.

The same claims as the beat-scheduled sweep, so running it next to the workers never doubles a
digest; it sends through the configured EMAIL_URL. Output names users by id only.
"""

from __future__ import annotations

from argparse import ArgumentParser, ArgumentTypeError
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from netzwerk.accounts.models import User
from reminders import digest, due


def moment(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as error:
        raise ArgumentTypeError(f"not an ISO 8601 date and time: {value!r}") from error
    if timezone.is_naive(parsed):
        raise ArgumentTypeError(f"give a time zone offset, e.g. {value}+01:00 or {value}Z")
    return parsed


class Command(BaseCommand):
    help = "Sweep once: claim and send every digest due at --now (default: the current time)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--now", type=moment, help="the moment to sweep at, ISO 8601 with offset")
        parser.add_argument(
            "--dry-run", action="store_true", help="list who is due and how much, claim and send nothing"
        )

    def handle(self, *args: Any, now: datetime | None, dry_run: bool, **options: Any) -> None:
        now = now or timezone.now()
        if dry_run:
            wanted = digest.due_users(now)
            users = User.objects.in_bulk([user_id for user_id, _day in wanted])
            for user_id, day in wanted:
                user = users[user_id]
                items = due.today_for(user, now=now, horizon=digest.days_ahead).total
                noun = "item" if items == 1 else "items"
                self.stdout.write(
                    f"user {user_id} · {day} · {items} {noun}{'' if items else ' (nothing to send)'}"
                )
            return
        sent: dict[str, int] = dict.fromkeys(["sent", "empty", "skipped", "failed"], 0)

        def send(claims: list[digest.Claim]) -> None:
            for status, count in digest.deliver(claims, now=now).items():
                sent[status] += count

        result = digest.sweep(now, send=send)
        self.stdout.write(
            f"{result.due} due, {len(result.claimed)} claimed, {len(result.requeued)} queued again, "
            f"{len(result.failed)} failed as their day was over: "
            f"{sent['sent']} sent, {sent['empty']} with nothing due, {sent['skipped']} skipped, "
            f"{sent['failed']} failed"
        )
