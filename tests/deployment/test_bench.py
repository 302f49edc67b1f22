"""`make bench` seeds thousands of users and sends their digests: never on a database not meant for it."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from netzwerk.accounts.models import CoachLink, User
from reminders import bench_digests
from reminders.management.commands import bench


@pytest.mark.django_db
def test_the_bench_refuses_a_database_whose_name_lacks_bench() -> None:
    with pytest.raises(CommandError, match="not a bench database"):
        call_command("bench")

    assert not User.objects.exists()


@pytest.mark.django_db
def test_the_bench_seeds_once_and_reports_how_long_its_seed_took(monkeypatch: pytest.MonkeyPatch) -> None:
    sizes = {
        "LARGE_CONTACTS": 200,
        "LARGE_TOUCHES": 1000,
        "SMALL_CONTACTS": 10,
        "DUPLICATES_CONTACTS": 10,
        "CROWD_USERS": 3,
        "CROWD_CONTACTS": 10,
    }
    for name, value in sizes.items():
        monkeypatch.setattr(bench, name, value)
    monkeypatch.setitem(connection.settings_dict, "NAME", "netzwerk_bench_test")

    figures = run_seed_only()

    assert figures["bench_seed_s"] >= 0
    assert (figures["large_contacts"], figures["large_touchpoints"]) == (200, 1000)
    assert figures["large_strong_ties"] == User.objects.get(email=bench.LARGE).strong_tie_cap
    assert (figures["small_contacts"], figures["crowd_users"]) == (10, 3)
    assert figures["touchpoints"] == 1000 + 80 + 80 + 80 + 3 * 80
    assert run_seed_only()["touchpoints"] == figures["touchpoints"]  # seeded once


def run_seed_only() -> dict[str, Any]:
    out = StringIO()
    call_command("bench", "--seed-only", stdout=out, stderr=StringIO())
    figures: dict[str, Any] = json.loads(out.getvalue().splitlines()[-1])
    return figures


@pytest.mark.django_db
def test_the_bench_signs_its_coach_in_past_the_second_factor() -> None:
    """The coach admin asks that the session passed a second factor: the bench's client for its
    coach must get the overview, not the second-factor step (it answered 302 once)."""
    command = bench.Command()
    coach = command.coach_of_crowd()

    response = command.client(coach).get(reverse("coach:index"))

    assert response.status_code == 200


def test_the_digest_figures_are_medians_of_three_runs_by_worker_count_and_their_ratio(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """From given runs (no timing here): each worker count's median and runs, and two over one."""
    monkeypatch.setattr(bench_digests, "WORKERS", 2)

    def runs(*seconds: float) -> list[bench_digests.DigestTiming]:
        return [bench_digests.DigestTiming(claimed=100, sent=100, seconds=s) for s in seconds]

    figures = bench_digests.digest_figures({1: runs(2.0, 1.0, 4.0), 2: runs(0.5, 1.0, 0.8)}, accepted=600)

    assert figures["digests_per_s_1w_runs"] == [50.0, 100.0, 25.0]
    assert figures["digests_per_s_1w"] == 50.0
    assert figures["digests_per_s_2w_runs"] == [200.0, 100.0, 125.0]
    assert figures["digests_per_s_2w"] == 125.0
    assert figures["digests_scaling"] == 2.5
    assert (figures["digests_per_second"], figures["digest_workers"]) == (125.0, 2)
    assert figures["digests_received_by_smtp"] == 600


@pytest.mark.django_db
def test_the_one_client_coach_has_exactly_the_crowd_user_after_the_hundred(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The overview is measured at 1 client as at COACH_CLIENTS (queries equal at both): the coach
    of one has that one, a client the other coach does not have."""
    monkeypatch.setattr(bench, "COACH_CLIENTS", 2)
    crowd = [
        User.objects.create_user(email=f"demo-user-{n:04d}@netzwerk.example", password="x") for n in range(4)
    ]
    command = bench.Command()

    many = command.coach_of_crowd()
    one = command.coach_of_crowd(bench.COACH_OF_ONE)

    assert list(
        CoachLink.objects.for_coach(many).values_list("client_id", flat=True).order_by("client_id")
    ) == [
        crowd[0].pk,
        crowd[1].pk,
    ]
    assert list(CoachLink.objects.for_coach(one).values_list("client_id", flat=True)) == [crowd[2].pk]
    assert command.client(one).get(reverse("coach:index")).status_code == 200


class Answered:
    status_code = 200


@pytest.mark.django_db
def test_database_time_adds_up_the_reads_and_never_repeats_a_write(database_vendor: str) -> None:
    """`database_ms` runs each SELECT again under EXPLAIN ANALYZE: a read that sleeps 30 ms in
    PostgreSQL counts at least 30 ms; the request's INSERT is not made again."""
    if database_vendor != "postgresql":
        pytest.skip("PostgreSQL's own time is measured on PostgreSQL only (CI runs it there)")
    email = "written-once@netzwerk.example"

    def request() -> Answered:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(0.03)")
        User.objects.create_user(email=email, password="x")
        return Answered()

    measured = bench.Command().database_ms(request)

    assert measured >= 30
    assert User.objects.filter(email=email).count() == 1
