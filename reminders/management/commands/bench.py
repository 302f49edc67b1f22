"""`manage.py bench` (`make bench`): timings and query counts on a network of realistic size.

Seeds through `seed_demo`, once (later runs reuse the data): a user with 5,000 contacts, 100,000
touchpoints and a full roster; a user with 50 contacts; a user with 500 (the duplicates page's
small size); and 2,000 users with 100 contacts each.
Then measures, in this process through Django's test client and the whole middleware stack:
the median of a logged-in view that renders almost nothing (the floor), the Today page at 50
and at 5,000 contacts (as kept between changes, and cold: computed and rendered afresh), the
contact list at 5,000, the sort page with those 5,000 waiting to be sorted, the contact page's
queries at 10 and 1,000 touches, the duplicates page at 500 and 5,000 contacts (2 % of them
given a twin for it), and the coach overview at 100 clients and at one. For the cold Today and the
overview it also reports PostgreSQL's own time for their reads (`database_ms`: the floor under
the page's time that no work in Python lowers). Then digests
built and delivered per second for the 2,000 users, by a pool of worker processes to an SMTP
server in a process of its own: three runs each with one worker process, with two and with one
per core, their medians and each run (`digests_scaling`: two workers' median over one's).
`--digests-only` seeds only the crowd (`--crowd-users` of them, if it is missing) and measures
only the digests: a quick try on a small database. Last, `make load`'s run (scripts/load/run.py: Locust against
gunicorn, on this database) adds `load_rps`, `load_p95_ms_today`, `load_p95_ms_slowest` (with
`load_slowest_page`) and `load_errors`.
The last line of the output is one JSON object with the figures, `bench_seed_s` the seconds the
seed took in this run (about 0 when the data was there already); `--seed-only` stops after the
seed and its counts. Never part of `make test`: timings belong here, query counts in the tests.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from argparse import ArgumentParser
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from allauth.account.internal.flows.login import record_authentication
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.http import HttpRequest
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contacts import roster
from contacts.choices import Circle, Sorting, Stage
from contacts.models import Contact, ContactEmail, ContactPhone
from netzwerk.accounts.coaching import make_coach
from netzwerk.accounts.models import CoachLink, Side, User
from reminders import bench_digests
from touchpoints.kinds import Kind
from touchpoints.models import Touchpoint
from touchpoints.summary import refresh_summary

LOAD_RUNNER = Path(settings.BASE_DIR) / "scripts" / "load" / "run.py"
LOAD_KEYS = ("load_rps", "load_p95_ms_today", "load_p95_ms_slowest", "load_slowest_page", "load_errors")
LARGE = "bench-large@netzwerk.example"
SMALL = "bench-small@netzwerk.example"
CROWD = "bench-crowd@netzwerk.example"  # seeds the 2,000 demo-user-NNNN@netzwerk.example
COACH = "bench-coach@netzwerk.example"  # the coach of the first COACH_CLIENTS of them
COACH_CLIENTS = 100
COACH_OF_ONE = "bench-coach-one@netzwerk.example"  # the coach of the one after those alone
# The duplicates page at 500 and at 5,000 contacts (the large user's); its pairs are made for the
# measurement and deleted after it (see `duplicates`), so no other figure sees them.
DUPLICATES = "bench-duplicates@netzwerk.example"
DUPLICATES_CONTACTS = 500
DUPLICATE_SHARE = 0.02
LARGE_CONTACTS, LARGE_TOUCHES = 5000, 100_000
SMALL_CONTACTS = 50
CROWD_USERS, CROWD_CONTACTS = 2000, 100
RUNS, WARMUP = 30, 3
RUNS_DB = 5  # `database_ms`: EXPLAIN ANALYZE runs of a request's queries
WORKERS = os.cpu_count() or 1  # the seed's processes for the crowd, as the digests' pool


class Command(BaseCommand):
    help = "Seed a large network once, then print timings and query counts; the last line is JSON."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--seed-only",
            action="store_true",
            help="Seed (if needed) and print its figures, measure nothing.",
        )
        parser.add_argument(
            "--digests-only",
            action="store_true",
            help="Seed only the crowd (if needed) and measure only the digests.",
        )
        parser.add_argument(
            "--crowd-users",
            type=int,
            default=None,
            help=f"Users in the crowd when seeding it (default {CROWD_USERS}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name = str(connection.settings_dict["NAME"])
        if "bench" not in Path(name).name:
            raise CommandError(
                f"the database {name!r} is not a bench database: point DATABASE_URL at one whose name "
                "contains 'bench' (the bench seeds thousands of users and sends their digests)"
            )
        if options["digests_only"]:
            seeded_in = self.seed(only_crowd=True, crowd_users=options["crowd_users"])
            seeded = {"database": connection.vendor, "bench_seed_s": round(seeded_in, 1)}
            self.stdout.write(json.dumps(seeded | bench_digests.measure(crowd_of_bench())))
            return
        seeded_in = self.seed(crowd_users=options["crowd_users"])
        large, small = User.objects.get(email=LARGE), User.objects.get(email=SMALL)
        figures: dict[str, Any] = {
            "database": connection.vendor,
            "bench_seed_s": round(seeded_in, 1),
            "large_contacts": Contact.objects.for_owner(large).count(),
            "large_touchpoints": Touchpoint.objects.for_owner(large).count(),
            "large_strong_ties": Contact.objects.for_owner(large).strong_ties().count(),
            "small_contacts": Contact.objects.for_owner(small).count(),
        }
        if options["seed_only"]:
            figures["crowd_users"] = User.objects.filter(email__startswith="demo-user-").count()
            figures["touchpoints"] = Touchpoint.objects.count()
            self.stdout.write(json.dumps(figures))
            return
        client = self.client(large)
        trivial = reverse("touchpoints:contact_search")
        figures["trivial_view_p50_ms"] = self.p50(
            lambda: client.get(trivial, {"q": ""}, headers={"HX-Request": "true"})
        )
        today = reverse("reminders:today")
        small_client = self.client(small)
        figures["dashboard_p50_ms_small"] = self.p50(lambda: small_client.get(today))
        figures["dashboard_queries_small"] = self.queries(lambda: small_client.get(today))
        figures["dashboard_p50_ms_large"] = self.p50(lambda: client.get(today))
        figures["dashboard_queries_large"] = self.queries(lambda: client.get(today))

        # The first visit after a change: nothing kept (the sessions are in the database).
        def cold() -> Any:
            cache.clear()
            return client.get(today)

        figures["dashboard_p50_ms_large_cold"] = self.p50(cold)
        figures["dashboard_queries_large_cold"] = self.queries(cold)
        figures["dashboard_db_ms_large_cold"] = self.database_ms(cold)
        ten, thousand = self.contacts_with_touches(large)
        figures["contact_page_queries_10"] = self.queries(lambda: client.get(ten.get_absolute_url()))
        figures["contact_page_queries_1000"] = self.queries(lambda: client.get(thousand.get_absolute_url()))
        contacts = reverse("contacts:list")
        figures["contact_list_p50_ms_large"] = self.p50(lambda: client.get(contacts))
        figures.update(self.sort_page(large, client))
        figures.update(self.duplicates(small=User.objects.get(email=DUPLICATES), large=large))
        figures.update(self.coach_overview())
        figures.update(bench_digests.measure(crowd_of_bench()))
        figures["dashboard_large_vs_trivial"] = round(
            figures["dashboard_p50_ms_large"] / figures["trivial_view_p50_ms"], 2
        )
        figures.update(load_figures())
        self.stdout.write(json.dumps(figures))

    # ---------------------------------------------------------------- data

    def seed(self, *, only_crowd: bool = False, crowd_users: int | None = None) -> float:
        """Seed what is missing (of the crowd alone, if `only_crowd`); returns the seconds it took."""
        started = time.monotonic()
        crowd_users = crowd_users or CROWD_USERS
        seeds = [
            (LARGE, ["--contacts", str(LARGE_CONTACTS), "--touchpoints", str(LARGE_TOUCHES)]),
            (SMALL, ["--contacts", str(SMALL_CONTACTS)]),
            (DUPLICATES, ["--contacts", str(DUPLICATES_CONTACTS)]),
            (
                CROWD,
                ["--contacts", str(CROWD_CONTACTS), "--users", str(crowd_users), "--workers", str(WORKERS)],
            ),
        ]
        if only_crowd:
            seeds = seeds[-1:]
        for email, arguments in seeds:
            if not Contact.objects.filter(owner__email=email).exists():
                self.stderr.write(f"seeding {email} {' '.join(arguments)} ...")
                call_command("seed_demo", "--email", email, *arguments, stdout=self.stderr)
        if not only_crowd:
            self.fill_roster(User.objects.get(email=LARGE))
        with connection.cursor() as cursor:
            # Planner statistics and the visibility map after the bulk load, as autovacuum would
            # (off on the bench's server): without the map an index-only scan, such as the coach
            # overview's weekly mix, still reads every row. VACUUM cannot run in a transaction
            # (the tests seed in one): there, statistics only.
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        elapsed = time.monotonic() - started
        self.stderr.write(f"data ready in {elapsed:.1f} s")
        return elapsed

    def fill_roster(self, owner: User) -> None:
        """The demo seeds 45 strong ties; the large user gets its full 60, through the roster (of
        the contacts met in person: no other may join)."""
        missing = owner.strong_tie_cap - Contact.objects.for_owner(owner).strong_ties().count()
        others = (
            Contact.objects.for_owner(owner)
            .active()
            .exclude(circle=Circle.STRONG)
            .exclude(stage=Stage.ONLINE)
        )
        now = timezone.now()
        for contact in others.order_by("pk")[:missing]:
            roster.promote(contact, now=now)

    def coach_overview(self) -> dict[str, Any]:
        """The coach overview at COACH_CLIENTS clients and at one: its time, its queries (the same
        count at both) and PostgreSQL's own share of its time."""
        return (
            {"coach_overview_clients": COACH_CLIENTS}
            | self.overview_figures(self.coach_of_crowd(), "")
            | self.overview_figures(self.coach_of_crowd(COACH_OF_ONE), "_1_client")
        )

    def overview_figures(self, coach: User, suffix: str) -> dict[str, Any]:
        client, overview = self.client(coach), reverse("coach:index")

        def request() -> Any:
            return client.get(overview)

        return {
            f"coach_overview_p50_ms{suffix}": self.p50(request),
            f"coach_overview_queries{suffix}": self.queries(request),
            f"coach_overview_db_ms{suffix}": self.database_ms(request),
        }

    def coach_of_crowd(self, email: str = COACH) -> User:
        """A coach (TOTP enrolled) whom the first COACH_CLIENTS crowd users have accepted; or, as
        COACH_OF_ONE, the one crowd user after them."""
        coach, created = User.objects.get_or_create(email=email)
        if created:
            EmailAddress.objects.create(user=coach, email=email, verified=True, primary=True)
            TOTP.activate(coach, generate_totp_secret())
            make_coach(coach)
            crowd = User.objects.filter(email__startswith="demo-user-").order_by("email")
            clients = (
                crowd[COACH_CLIENTS : COACH_CLIENTS + 1] if email == COACH_OF_ONE else crowd[:COACH_CLIENTS]
            )
            CoachLink.objects.bulk_create(
                CoachLink(
                    client=client,
                    coach=coach,
                    invited_by=Side.CLIENT,
                    email=email,
                    accepted_at=timezone.now(),
                )
                for client in clients
            )
        return coach

    def contacts_with_touches(self, owner: User) -> tuple[Contact, Contact]:
        """Two of the large user's contacts with exactly 10 and 1,000 touches."""
        made = []
        for size in (10, 1000):
            contact, created = Contact.objects.get_or_create(
                owner=owner,
                first_name="Bench",
                last_name=f"Touches {size}",
                defaults={"circle": Circle.REGULAR},
            )
            if created:
                start = timezone.now() - timedelta(days=size + 1)
                Touchpoint.objects.bulk_create(
                    Touchpoint(
                        contact=contact,
                        kind=Kind.CALL if n % 2 else Kind.EMAIL,
                        happened_at=start + timedelta(days=n),
                        promise="Rückruf" if n % 3 == 0 else "",
                    )
                    for n in range(size)
                )
                refresh_summary(contact)
            made.append(contact)
        return made[0], made[1]

    def sort_page(self, owner: User, client: Client) -> dict[str, Any]:
        """The sort page (imports:sort) as after importing the whole network: every contact of
        the large user but the strong ties waiting to be sorted. Made so in a transaction that
        is rolled back (the requests run on this connection, so they see it): the seed stays."""
        url = reverse("imports:sort")
        with transaction.atomic():
            waiting = (
                Contact.objects.for_owner(owner)
                .exclude(circle=Circle.STRONG)
                .update(sorting=Sorting.UNSORTED)
            )
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {Contact._meta.db_table}")  # as autovacuum would after an import
            figures = {
                "sort_page_waiting_large": waiting,
                "sort_page_ms_large": self.p50(lambda: client.get(url)),
                "sort_page_queries_large": self.queries(lambda: client.get(url)),
            }
            transaction.set_rollback(True)
        return figures

    def duplicates(self, *, small: User, large: User) -> dict[str, Any]:
        """The duplicates page's time at 5,000 contacts and its queries at 500 and 5,000, with a
        share of twins made for it: a third sharing an e-mail (in other case), a third a phone,
        a third the name at the same company. Deleted afterwards, also when a request fails."""
        made: list[int] = []
        page = reverse("imports:duplicates")
        try:
            made += make_twins(small, share=DUPLICATE_SHARE)
            twins_small = len(made)
            made += make_twins(large, share=DUPLICATE_SHARE)
            small_client, large_client = self.client(small), self.client(large)
            return {
                "duplicates_twins_small": twins_small,
                "duplicates_twins_large": len(made) - twins_small,
                "duplicates_page_ms_large": self.p50(lambda: large_client.get(page)),
                "duplicates_page_queries_small": self.queries(lambda: small_client.get(page)),
                "duplicates_page_queries_large": self.queries(lambda: large_client.get(page)),
            }
        finally:
            Contact.objects.filter(pk__in=made).delete()

    # ---------------------------------------------------------------- measuring

    def client(self, user: User) -> Client:
        client = Client(SERVER_NAME=urlsplit(settings.SITE_URL).hostname or "localhost")
        client.defaults["wsgi.url_scheme"] = "https" if settings.SITE_IS_HTTPS else "http"
        client.force_login(user)
        factor = (
            Authenticator.objects.filter(user=user).exclude(type=Authenticator.Type.RECOVERY_CODES).first()
        )
        if factor is not None:  # as after the second-factor step, which coaches must pass (the middleware)
            session = client.session
            request = HttpRequest()
            request.session = session
            record_authentication(request, user, "mfa", id=factor.pk, type=factor.type)
            session.save()
        return client

    def p50(self, request: Callable[[], Any]) -> float:
        for _ in range(WARMUP):
            self.ensure_ok(request())
        timings = []
        for _ in range(RUNS):
            started = time.perf_counter()
            self.ensure_ok(request())
            timings.append((time.perf_counter() - started) * 1000)
        return round(statistics.median(timings), 2)

    def queries(self, request: Callable[[], Any]) -> int:
        with CaptureQueriesContext(connection) as captured:
            self.ensure_ok(request())
        return len(captured.captured_queries)

    def database_ms(self, request: Callable[[], Any]) -> float:
        """PostgreSQL's own time for the request's reading queries: each SELECT it sent, run
        again under EXPLAIN ANALYZE (without per-row timing), its planning and execution added up;
        the median of RUNS_DB. The floor under the request's time that no Python can lower.
        Writes are left out (EXPLAIN ANALYZE would make them again)."""
        if connection.vendor != "postgresql":
            return 0.0
        with CaptureQueriesContext(connection) as captured:
            self.ensure_ok(request())
        reads = [
            query["sql"] for query in captured.captured_queries if query["sql"].lstrip().startswith("SELECT")
        ]
        totals = []
        with connection.cursor() as cursor:
            for _ in range(RUNS_DB):
                total = 0.0
                for sql in reads:
                    cursor.execute(f"EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) {sql}")
                    (plan,) = cursor.fetchone()[0]
                    total += plan["Planning Time"] + plan["Execution Time"]
                totals.append(total)
        return round(statistics.median(totals), 2)

    def ensure_ok(self, response: Any) -> None:
        if response.status_code != 200:
            raise RuntimeError(f"{response.request['PATH_INFO']} answered {response.status_code}")


def crowd_of_bench() -> Any:
    """The seeded crowd's users, whose digests the bench sends."""
    return User.objects.filter(email__startswith="demo-user-", email__endswith="@netzwerk.example")


def make_twins(owner: User, *, share: float) -> list[int]:
    """A twin for `share` of the owner's active contacts (every n-th, by pk); their pks."""
    contacts = list(
        Contact.objects.for_owner(owner)
        .active()
        .exclude(first_name="Bench")
        .prefetch_related("emails", "phones")
    )
    step = max(1, round(1 / share))
    made: list[int] = []
    for n, original in enumerate(contacts[::step]):
        twin = Contact.objects.create(
            owner=owner,
            first_name=original.first_name,
            last_name=original.last_name,
            company=original.company if n % 3 == 2 else "",
        )
        emails, phones = list(original.emails.all()), list(original.phones.all())
        if n % 3 == 0 and emails:
            ContactEmail.objects.create(contact=twin, address=emails[0].address.upper())
        elif n % 3 == 1 and phones:
            ContactPhone.objects.create(contact=twin, number=phones[0].number)
        made.append(twin.pk)
    return made


def load_figures() -> dict[str, Any]:
    """`make load`'s figures, from its runner in a process of its own after every other figure (its
    traffic disturbs none of them); the crowd's first 100 users are the ones it signs in."""
    if not os.environ.get("REDIS_URL"):
        # Production shape means Redis (the gunicorn workers share its cache); no figure rather
        # than one measured on another set-up.
        return dict.fromkeys(LOAD_KEYS) | {"load_skipped": "REDIS_URL is unset"}
    run = subprocess.run([sys.executable, str(LOAD_RUNNER)], stdout=subprocess.PIPE, text=True, check=False)
    lines = run.stdout.strip().splitlines()
    if not lines or not lines[-1].startswith("{"):
        raise CommandError(f"the load run printed no figures (exit status {run.returncode})")
    result = json.loads(lines[-1])
    return {key: result[key] for key in LOAD_KEYS}
