"""`manage.py seed_demo`'s touches: realistic, consistent with every summary, and every rule visible.

The network itself (contacts, roster cap, idempotence) is tested in tests/contacts/test_seed_demo.py.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import QuerySet

from contacts import demo
from contacts.choices import ONLINE_CHANNELS, Circle, ProspectStatus, Stage
from contacts.models import Contact, Organisation, StageChange, Tag
from netzwerk.accounts.models import User
from reminders import due
from reminders.models import ItemKind
from touchpoints import demo as touch_demo
from touchpoints.kinds import KINDS, PERSONAL_KINDS, Kind
from touchpoints.models import Exchange, Initiator, OneOffReminder, Touchpoint
from touchpoints.summary import stored_summary, summarise

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
DAY = timedelta(days=1)
# R7: (ideal, maximum) days per circle, the defaults of a new user
CADENCES: dict[str, tuple[int, int]] = {
    Circle.STRONG: (30, 45),
    Circle.REGULAR: (90, 120),
    Circle.LOOSE: (180, 365),
}
ONLINE_WINDOW = timedelta(days=14)  # R1
PROSPECT_TARGET, PROSPECT_INTERVAL = 7, timedelta(days=10)  # R6


def seed(*args: str, **options: Any) -> str:
    out = StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("seed_demo", *args, stdout=out, **options)
    return out.getvalue()


def demo_user() -> User:
    return User.objects.get(email=demo.DEMO_EMAIL)


def contacts_of(user: User) -> QuerySet[Contact]:
    return Contact.objects.filter(owner=user)


def touches_of(user: User) -> QuerySet[Touchpoint]:
    return Touchpoint.objects.filter(contact__owner=user)


def cadence_status(contact: Contact) -> str:
    ideal, maximum = CADENCES[contact.circle]
    elapsed = NOW - (contact.last_touch_at or contact.created_at)
    if elapsed <= ideal * DAY:
        return "green"
    return "yellow" if elapsed <= maximum * DAY else "red"


def assert_summaries_in_step(user: User) -> None:
    contacts = list(contacts_of(user).prefetch_related("touchpoints"))
    assert contacts
    for contact in contacts:
        expected = summarise(contact.touchpoints.all(), prospect_since=contact.prospect_since)
        assert stored_summary(contact) == expected, contact.name


def touch_snapshot(user: User) -> list[tuple[object, ...]]:
    """Every seeded touch of `user` with its contact's name (no primary keys)."""
    return sorted(
        touches_of(user).values_list(
            "contact__first_name",
            "contact__last_name",
            "kind",
            "happened_at",
            "note",
            "initiated_by",
            "exchange",
            "exchange_label",
            "promise",
            "promise_due",
            "promise_kept_at",
            "gut_feeling",
        ),
        key=repr,
    )


def test_it_logs_about_eight_touches_a_contact_over_eighteen_months() -> None:
    out = seed()

    user = demo_user()
    touches = touches_of(user)
    assert touches.count() == 150 * 8
    assert "Touchpoints created: 1200;" in out
    assert_summaries_in_step(user)
    moments = list(touches.values_list("happened_at", flat=True))
    assert all(moment.tzinfo is not None for moment in moments)
    assert max(moments) <= NOW
    assert min(moments) >= NOW - 18 * 31 * DAY
    assert min(moments) <= NOW - 365 * DAY  # spread over the whole period, not only lately
    kinds = Counter(touches.values_list("kind", flat=True))
    assert set(kinds) == set(Kind.values)
    assert kinds[Kind.REACTION] + kinds[Kind.MASS_MAIL] < 0.15 * len(moments)  # some, not many
    personal = sum(count for kind, count in kinds.items() if kind in PERSONAL_KINDS)
    assert 0.3 * len(moments) <= personal <= 0.7 * len(moments)  # R12: a mix
    assert (
        touches.filter(initiated_by=Initiator.ME).count()
        > touches.filter(initiated_by=Initiator.THEM).count()
        > 200
    )
    assert touches.exclude(note="").count() > len(moments) / 2
    # R7: strong ties are touched most often
    per_contact = {
        circle: touches.filter(contact__circle=circle).count()
        / contacts_of(user).filter(circle=circle).count()
        for circle in Circle.values
    }
    assert per_contact[Circle.STRONG] > per_contact[Circle.REGULAR] > per_contact[Circle.LOOSE]
    # R11: contacts were added when first met, not all on the day of the seed
    assert contacts_of(user).filter(created_at__lt=NOW - 365 * DAY).count() >= 30
    assert not contacts_of(user).filter(created_at__gt=NOW).exists()


def test_it_shows_green_yellow_and_red_cadences() -> None:
    seed()

    user = demo_user()
    assert {circle: user.cadence(circle) for circle in Circle.values} == CADENCES
    active = list(contacts_of(user).filter(archived_at__isnull=True))
    statuses = Counter((contact.circle, cadence_status(contact)) for contact in active)
    for status in ("green", "yellow", "red"):
        assert statuses[(Circle.STRONG, status)] >= 3, status
        assert statuses[(Circle.REGULAR, status)] >= 3, status
    assert statuses[(Circle.LOOSE, "red")] >= 1
    greens = sum(count for (_, status), count in statuses.items() if status == "green")
    assert greens > len(active) / 2  # most are in touch
    # the roster's swap suggestions have dormant strong ties to offer (R2)
    assert contacts_of(user).filter(circle=Circle.STRONG, last_touch_at__lt=NOW - 90 * DAY).exists()


def test_it_shows_prospects_at_every_count_towards_seven() -> None:
    seed()

    contacts = contacts_of(demo_user())
    prospects = list(contacts.filter(prospect_status=ProspectStatus.PROSPECT))
    counts = {contact.prospect_touches for contact in prospects}
    assert {0, 2, 3, 4, 6} <= counts
    assert max(counts) >= PROSPECT_TARGET
    decided = contacts.filter(prospect_status__in=[ProspectStatus.CUSTOMER, ProspectStatus.NOT_NOW])
    assert decided.exists()
    assert (
        not contacts.exclude(prospect_status=ProspectStatus.NONE).filter(prospect_since__isnull=True).exists()
    )
    assert not contacts.filter(prospect_status=ProspectStatus.NONE, prospect_since__isnull=False).exists()
    for contact in decided:
        assert contact.prospect_since is not None
        assert contact.prospect_outcome_at is not None
        assert contact.prospect_since < contact.prospect_outcome_at <= NOW
        assert contact.prospect_touches >= 4  # decided after their touches
    for contact in prospects:
        assert contact.prospect_since is not None
        assert contact.prospect_since <= NOW
        assert contact.prospect_outcome_at is None

    def next_due(contact: Contact) -> datetime:
        assert contact.prospect_since is not None
        return (
            max(contact.prospect_since, contact.last_touch_at or contact.prospect_since) + PROSPECT_INTERVAL
        )

    waiting = [contact for contact in prospects if contact.prospect_touches < PROSPECT_TARGET]
    assert any(next_due(contact) <= NOW for contact in waiting), "a prospect's next touch is overdue"
    assert any(next_due(contact) > NOW for contact in waiting), "a prospect's next touch is not due yet"


def test_it_shows_online_only_contacts_inside_and_past_the_window() -> None:
    seed()

    contacts = contacts_of(demo_user()).filter(archived_at__isnull=True)
    online_only = list(contacts.filter(how_met__in=ONLINE_CHANNELS, first_personal_touch_at__isnull=True))

    def first_contact(contact: Contact) -> datetime:
        return min(contact.first_touch_at or contact.created_at, contact.created_at)

    inside = [contact for contact in online_only if NOW - first_contact(contact) < ONLINE_WINDOW]
    past = [contact for contact in online_only if NOW - first_contact(contact) > ONLINE_WINDOW]
    assert len(inside) >= 3
    assert len(past) >= 8
    assert any(contact.touch_count == 0 for contact in online_only)
    assert any(contact.touch_count > 0 for contact in online_only)
    # only a personal touch ends "online contact" (R1), and every other contact has had one
    assert all(contact.stage == Stage.ONLINE for contact in online_only)
    assert not contacts.filter(stage=Stage.ONLINE, first_personal_touch_at__isnull=False).exists()
    assert not contacts.exclude(stage=Stage.ONLINE).filter(first_personal_touch_at__isnull=True).exists()
    assert not touches_of(demo_user()).filter(contact__stage=Stage.ONLINE, kind__in=PERSONAL_KINDS).exists()


def test_it_records_the_first_personal_touch_of_online_contacts_as_the_milestone() -> None:
    out = seed()

    user = demo_user()
    milestones = StageChange.objects.filter(contact__owner=user).select_related("contact")
    assert milestones.count() >= 3
    assert f"; {milestones.count()} online contacts met in person (R1)." in out
    for change in milestones:
        assert (change.from_stage, change.to_stage) == (Stage.ONLINE, Stage.MET)
        assert change.cause == StageChange.Cause.FIRST_PERSONAL_TOUCH
        assert change.changed_at == change.contact.first_personal_touch_at
        assert change.contact.stage == Stage.MET
        assert change.contact.how_met in ONLINE_CHANNELS


def test_it_keeps_most_promises_and_leaves_some_open_and_some_overdue() -> None:
    seed()

    user = demo_user()
    today = NOW.astimezone(user.zone).date()
    promises = touches_of(user).exclude(promise="")
    kept = promises.filter(promise_kept_at__isnull=False)
    open_ones = promises.filter(promise_kept_at__isnull=True)
    assert open_ones.filter(promise_due__gte=today).exists(), "open, not yet due"
    assert open_ones.filter(promise_due__lt=today).exists(), "overdue"
    assert kept.count() > open_ones.count()
    assert not promises.filter(promise_due__isnull=True).exists()
    for touch in kept:
        assert touch.promise_kept_at is not None
        assert touch.happened_at < touch.promise_kept_at <= NOW


def test_it_sets_one_off_reminders_due_today_overdue_and_ahead() -> None:
    seed()

    user = demo_user()
    today = NOW.astimezone(user.zone).date()
    days = sorted(OneOffReminder.objects.for_owner(user).open().values_list("due_on", flat=True))
    assert days == [today - 2 * DAY, today, today + 7 * DAY]
    section = due.section_for(user, ItemKind.ONE_OFF, now=NOW)
    assert section.total == 2  # today's and the overdue one


def test_it_marks_gives_and_asks_and_asks_some_without_having_given() -> None:
    seed()

    user = demo_user()
    touches = touches_of(user)
    assert touches.filter(exchange=Exchange.GIVE).count() > touches.filter(exchange=Exchange.ASK).count() > 0
    assert not touches.exclude(exchange="").filter(exchange_label="").exists()
    labels = " ".join(touches.exclude(exchange="").values_list("exchange_label", flat=True))
    for word in ("Vorstellung", "Empfehlung", "Hilfe", "Geschenk", "Gefallen"):
        assert word in labels
    assert not touches.exclude(exchange="").filter(kind__in=[Kind.REACTION, Kind.MASS_MAIL]).exists()
    takers = contacts_of(user).filter(asks__gt=0, gives=0)
    assert takers.exists()  # R4: asked without ever having given
    assert contacts_of(user).filter(asks__gt=0, gives__gt=0).exists()


def test_it_notes_a_gut_feeling_after_first_personal_meetings() -> None:
    seed()

    user = demo_user()
    felt = touches_of(user).exclude(gut_feeling="").select_related("contact")
    assert felt.count() >= 50
    for touch in felt:
        assert touch.happened_at == touch.contact.first_personal_touch_at
        assert KINDS[touch.kind].personal
    notes = set(touches_of(user).exclude(note="").values_list("note", flat=True))
    assert any("Kaffee" in note or "Mittagessen" in note for note in notes)  # German notes


def test_it_seeds_the_total_asked_for_per_user_including_extra_users() -> None:
    out = seed("--contacts", "40", "--touchpoints", "500", "--users", "2")

    owners = [demo_user(), *User.objects.filter(email__startswith="demo-user-")]
    assert len(owners) == 3
    for user in owners:
        assert touches_of(user).count() == 500
        assert_summaries_in_step(user)
    assert "Touchpoints created: 500;" in out
    assert "Extra users' touchpoints created: 1000;" in out


def test_it_seeds_no_touches_when_none_are_asked_for_and_keeps_summaries_true() -> None:
    out = seed("--contacts", "20", "--touchpoints", "0")

    assert not touches_of(demo_user()).exists()
    assert_summaries_in_step(demo_user())
    assert not contacts_of(demo_user()).filter(last_touch_at__isnull=False).exists()
    assert "Touchpoints created: 0;" in out


def test_it_adds_no_touches_to_an_existing_network() -> None:
    seed()
    before = (Touchpoint.objects.count(), StageChange.objects.count(), touch_snapshot(demo_user()))

    out = seed()

    assert (Touchpoint.objects.count(), StageChange.objects.count(), touch_snapshot(demo_user())) == before
    assert "Touchpoints created" not in out
    assert "already has a network" in out


def test_it_leaves_a_network_without_touches_alone() -> None:
    user = User.objects.create_user("quiet@netzwerk.example", "secret-pass-123")
    Contact.objects.create(owner=user, first_name="Jürgen", last_name="Weiß", circle=Circle.REGULAR)

    seed("--email", "quiet@netzwerk.example")

    assert not touches_of(user).exists()


def test_it_seeds_the_same_touches_for_the_same_user_on_the_same_day() -> None:
    seed("--email", "replay@netzwerk.example")
    user = User.objects.get(email="replay@netzwerk.example")
    first = touch_snapshot(user)
    contacts_of(user).delete()
    Organisation.objects.filter(owner=user).delete()
    Tag.objects.filter(owner=user).delete()

    seed("--email", "replay@netzwerk.example")

    assert len(first) == 1200
    assert touch_snapshot(user) == first


def test_it_writes_contacts_and_touches_together_or_not_at_all(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> touch_demo.TouchSeedResult:
        raise RuntimeError("disk full")

    monkeypatch.setattr(touch_demo, "seed_touchpoints", broken)
    with pytest.raises(RuntimeError):
        seed("--contacts", "10")

    assert not Contact.objects.exists()  # so the next run seeds the whole network
    monkeypatch.undo()
    seed("--contacts", "10")
    assert touches_of(demo_user()).count() == 80


@pytest.mark.parametrize(("args", "options"), [(("--touchpoints", "-1"), {}), ((), {"touchpoints": -5})])
def test_it_refuses_a_negative_number_of_touches(args: tuple[str, ...], options: dict[str, Any]) -> None:
    with pytest.raises(CommandError):
        seed(*args, **options)
    assert not Touchpoint.objects.exists()


def test_the_plan_is_pure_exact_and_never_in_the_future() -> None:
    zone = ZoneInfo("Europe/Berlin")
    rules = touch_demo.DemoRules(cadences=CADENCES)
    rng = random.Random(7)
    stages: dict[str, str] = {
        Circle.STRONG: Stage.STRONG_TIE,
        Circle.REGULAR: Stage.RELATIONSHIP,
        Circle.LOOSE: Stage.ONLINE,
    }
    contacts = [
        touch_demo.ContactFacts(
            pk=number,
            circle=circle,
            stage=stages[circle],
            prospect_status=ProspectStatus.PROSPECT if number % 9 == 0 else ProspectStatus.NONE,
            how_met="linkedin" if circle == Circle.LOOSE else "event",
            birthday_day=29 if number % 5 == 0 else None,
            birthday_month=2 if number % 5 == 0 else None,
        )
        for number, circle in enumerate(rng.choices(Circle.values, k=60))
    ]

    def plan(total: int) -> list[touch_demo.ContactTouches]:
        return touch_demo.plan_touches(
            random.Random("same seed"), contacts, total=total, rules=rules, zone=zone, now=NOW
        )

    for total in (0, 7, 480, 3000):
        planned = plan(total)
        touches = [touch for item in planned for touch in item.touches]
        assert len(touches) == total
        assert all(touch.happened_at.tzinfo is not None and touch.happened_at <= NOW for touch in touches)
        assert all(item.created_at <= NOW for item in planned)
        assert all(item.created_at <= touch.happened_at for item in planned for touch in item.touches)

    def comparable(items: list[touch_demo.ContactTouches]) -> list[tuple[object, ...]]:
        return [
            (
                item.contact_id,
                item.created_at,
                item.prospect_since,
                *((t.kind, t.happened_at, t.note, t.exchange, t.promise) for t in item.touches),
            )
            for item in items
        ]

    assert comparable(plan(480)) == comparable(plan(480))
