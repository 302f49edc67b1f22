"""`manage.py seed_demo`: a demo user with a realistic German-speaking network and its touches.

Users and contacts come from contacts/demo.py (every strong tie through the cap function), the
touches from touchpoints/demo.py. The command lives in touchpoints because contacts never
imports touchpoints. Each user's contacts and touches are written in one transaction, so a run
that fails leaves no half-seeded network behind (a user with contacts is left alone).
"""

from __future__ import annotations

import time
from argparse import ArgumentParser, ArgumentTypeError
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from contacts import demo
from netzwerk.accounts.coaching import make_coach
from netzwerk.accounts.models import STRONG_TIE_WARN_FROM, CoachLink, Sharing, Side, User
from touchpoints import demo as touch_demo
from touchpoints.demo_one_offs import seed_one_off_reminders


def non_negative(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ArgumentTypeError(f"{value} is negative")
    return number


class Command(BaseCommand):
    help = (
        "Create (or reuse) the demo user and seed a realistic network of German and Austrian "
        "contacts with a year and a half of touches. Users who already have contacts are left "
        "alone, so running it twice is safe."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--email", default=demo.DEMO_EMAIL, help="Seed this user (created if missing).")
        parser.add_argument(
            "--contacts", type=non_negative, default=demo.DEFAULT_CONTACTS, help="Contacts per user."
        )
        parser.add_argument(
            "--touchpoints",
            type=non_negative,
            default=None,
            help=(
                "Touchpoints per user, in total (default: "
                f"{touch_demo.DEFAULT_TOUCHES_PER_CONTACT} per contact)."
            ),
        )
        parser.add_argument(
            "--users",
            type=non_negative,
            default=0,
            help="Also seed this many users demo-user-0001@netzwerk.example ... (scale tests).",
        )
        parser.add_argument(
            "--workers",
            type=non_negative,
            default=1,
            help="Seed the extra users in this many processes at once (1: in this one).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        email = str(options["email"]).strip().lower()
        contacts, touchpoints, users = options["contacts"], options["touchpoints"], options["users"]
        try:
            validate_email(email)
        except ValidationError as error:
            raise CommandError(f"--email: {email!r} is not an e-mail address.") from error
        for name, value in (("contacts", contacts), ("touchpoints", touchpoints), ("users", users)):
            if name == "touchpoints" and value is None:
                continue
            if not isinstance(value, int) or value < 0:
                raise CommandError(f"--{name} must be a whole number of 0 or more, not {value!r}.")

        started = time.monotonic()
        now = timezone.now()
        names = (demo.DEMO_FIRST_NAME, demo.DEMO_LAST_NAME) if email == demo.DEMO_EMAIL else ("", "")
        with transaction.atomic():
            result = demo.seed_user(
                email, contacts=contacts, now=now, first_name=names[0], last_name=names[1]
            )
            touches = None
            if not result.network_existed:
                touches = touch_demo.seed_touchpoints([result.user], per_user=touchpoints, now=now)
                seed_one_off_reminders(result.user, now=now)
        self._report_user(result, touches)
        if email == demo.DEMO_EMAIL:
            self._seed_coaching(result.user, contacts=contacts, touchpoints=touchpoints, now=now)

        if users:

            def add_touches(seeded: list[User]) -> touch_demo.TouchSeedResult:
                return touch_demo.seed_touchpoints(seeded, per_user=touchpoints, now=now)

            extra = demo.seed_extra_users(
                users, contacts=contacts, now=now, after_batch=add_touches, workers=options["workers"]
            )
            self.stdout.write(
                f"Extra users: {extra.users_seeded} seeded ({extra.users_created} new), "
                f"{extra.users_skipped} already had a network; {extra.contacts_created} contacts, "
                f"{extra.strong_ties} strong ties. They log in with the same password."
            )
            if extra.users_seeded:
                extra_touches = [
                    item for item in extra.after_batch if isinstance(item, touch_demo.TouchSeedResult)
                ]
                created = sum(item.touchpoints for item in extra_touches)
                milestones = sum(item.milestones for item in extra_touches)
                self.stdout.write(
                    f"Extra users' touchpoints created: {created}; "
                    f"{milestones} online contacts met in person (R1)."
                )
        self.stdout.write(f"Done in {time.monotonic() - started:.1f} s.")
        if result.user.check_password(demo.DEMO_PASSWORD):
            self.stdout.write(self.style.SUCCESS(f"Log in as {result.user.email} / {demo.DEMO_PASSWORD}"))
        else:
            self.stdout.write(f"Log in as {result.user.email} with its existing password.")

    def _seed_coaching(self, client: User, *, contacts: int, touchpoints: int | None, now: datetime) -> None:
        """The demo coach with two clients: the demo user, who shares names, and a second
        client with a smaller network, who shares its health only."""
        with transaction.atomic():
            second = demo.seed_user(
                demo.DEMO_CLIENT_EMAIL,
                contacts=max(contacts // 2, 0),
                now=now,
                first_name=demo.DEMO_CLIENT_NAME[0],
                last_name=demo.DEMO_CLIENT_NAME[1],
            )
            if not second.network_existed:
                touch_demo.seed_touchpoints(
                    [second.user], per_user=None if touchpoints is None else touchpoints // 2, now=now
                )
            coach, _created = demo.ensure_user(
                demo.DEMO_COACH_EMAIL, first_name=demo.DEMO_COACH_NAME[0], last_name=demo.DEMO_COACH_NAME[1]
            )
            demo.ensure_login_email(coach)
            make_coach(coach)
            for user, sharing in ((client, Sharing.NAMES), (second.user, Sharing.HEALTH)):
                if not CoachLink.objects.active().filter(client=user, coach=coach).exists():
                    CoachLink.objects.create(
                        client=user,
                        coach=coach,
                        invited_by=Side.CLIENT,
                        email=coach.email,
                        sharing=sharing,
                        accepted_at=now,
                    )
        self.stdout.write(
            f"Coach: {coach.email} (sets up two-factor authentication at the first sign-in), with two "
            f"clients: {client.email} (shares names) and {second.user.email} (health only)."
        )

    def _report_user(self, result: demo.SeedResult, touches: touch_demo.TouchSeedResult | None) -> None:
        user = result.user
        self.stdout.write(f"User: {user.email} ({'created' if result.user_created else 'existing'})")
        if result.network_existed:
            self.stdout.write(
                f"{user.email} already has a network: nothing created "
                f"({user.contacts.count()} contacts exist)."
            )
        else:
            self.stdout.write(
                f"Contacts created: {result.contacts_created}, with {result.organisations_created} "
                f"organisations and events and {result.tags_created} tags."
            )
        if touches is not None:
            self.stdout.write(
                f"Touchpoints created: {touches.touchpoints}; "
                f"{touches.milestones} online contacts met in person (R1)."
            )
        warning = " (past the warning threshold)" if result.strong_ties >= STRONG_TIE_WARN_FROM else ""
        self.stdout.write(f"Strong ties: {result.strong_ties}/{result.cap}{warning}")
