"""The Today page: what is due, section by section, and snooze and done on each item."""

from __future__ import annotations

import importlib
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.apps import apps
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from contacts import roster, rules, sorting
from contacts.choices import Channel, Circle, ProspectStatus, Sorting
from contacts.models import Contact
from netzwerk.accounts.models import User
from reminders import clearing, digest, due, items, states
from reminders.models import ItemKind, ReminderState, RosterReview
from tests.reminders.conftest import DAY, NOW, TODAY, at, contact, imported, shown_in, shown_on_page
from touchpoints import ledger
from touchpoints.kinds import PERSONAL_KINDS, Kind
from touchpoints.models import OneOffReminder, Touchpoint
from touchpoints.summary import refresh_summaries


def names(section: due.Section) -> list[str]:
    return [item.contact.first_name if item.contact else item.kind for item in section.items]


def sections(owner: User, moment: datetime = NOW) -> dict[str, list[str]]:
    return {section.kind: names(section) for section in due.today_for(owner, now=moment).sections}


def test_each_section_lists_what_is_due_in_the_order_of_the_method(
    owner: User, network: dict[str, Contact]
) -> None:
    assert sections(owner) == {
        ItemKind.CADENCE: ["Rot", "Gelb"],  # red first
        ItemKind.BIRTHDAY: ["Geburtstag"],
        ItemKind.PROMISE: ["Versprechen"],
        ItemKind.ONE_OFF: ["Erinnerung"],
        ItemKind.PROSPECT: ["Interessent"],
        ItemKind.ONLINE_ONLY: ["Online"],
        ItemKind.ROSTER_REVIEW: [ItemKind.ROSTER_REVIEW],
    }


def test_the_page_shows_the_items_with_their_counts_and_actions(
    owner_client: Client, network: dict[str, Contact]
) -> None:
    with at(NOW):
        response = owner_client.get(reverse("reminders:today"))

    body = response.content.decode()
    titles = [
        "Keep in touch",
        "Birthdays",
        "Promises",
        "Reminders",
        "Prospects",
        "Online only",
        "Roster review",
    ]
    assert [body.index(f'id="today-{kind}-title"') for kind in ItemKind] == sorted(
        body.index(f'id="today-{kind}-title"') for kind in ItemKind
    )
    assert all(title in body for title in titles)
    assert "1 overdue · 1 due soon" in body
    assert "Post a handwritten card" in body
    assert "turns 56 on" in body
    assert "“Artikel schicken”" in body
    assert 'data-testid="roster-count">1 / 60' in body
    # One form per item, each with its snooze choices.
    assert body.count('<form class="item-actions"') == 8
    assert body.count('name="days" value="3"') == 8
    assert "Angebot nachfassen" in body


def test_home_and_login_lead_to_today(owner_client: Client) -> None:
    assert owner_client.get("/")["Location"] == reverse("reminders:today")


def test_a_new_user_sees_what_to_do_next(owner_client: Client) -> None:
    response = owner_client.get(reverse("reminders:today"))

    assert response.status_code == 200
    assert 'data-testid="today-start"' in response.content.decode()  # no contact yet: the first steps
    assert shown_on_page(response) == []


def post_item(client: Client, target: Contact, **data: str) -> object:
    return client.post(reverse("reminders:contact_item", args=[target.pk]), data, HTTP_HX_REQUEST="true")


def test_snooze_hides_an_item_until_its_day(
    owner: User, owner_client: Client, network: dict[str, Contact]
) -> None:
    with at(NOW):
        response = post_item(owner_client, network["red"], kind="cadence", action="snooze", days="3")

    body = response.content.decode()  # type: ignore[attr-defined]
    assert 'id="today-cadence"' in body
    assert "Gelb" in body
    assert "Rot" not in body
    assert "Snoozed until Nov. 26, 2026." in body
    assert "Rot" not in sections(owner, NOW + 2 * DAY)[ItemKind.CADENCE]
    assert "Rot" in sections(owner, NOW + 3 * DAY)[ItemKind.CADENCE]


def test_done_with_the_gesture_logs_the_touch_in_the_same_click(
    owner: User, owner_client: Client, network: dict[str, Contact]
) -> None:
    person = network["birthday"]
    occasion = "2026-11-28:card"

    with at(NOW):
        response = post_item(
            owner_client, person, kind="birthday", action="done", log=Kind.CARD, occasion=occasion
        )

    assert "touch-logged" in response["HX-Trigger"]  # type: ignore[index]
    card = Touchpoint.objects.get(contact=person, kind=Kind.CARD)
    assert card.happened_at == NOW
    assert sections(owner)[ItemKind.BIRTHDAY] == []
    # The call on the day is the next gesture, and it is not done.
    assert sections(owner, NOW + 5 * DAY)[ItemKind.BIRTHDAY] == ["Geburtstag"]


def test_a_snoozed_gesture_does_not_hide_the_next_one(
    owner: User, owner_client: Client, network: dict[str, Contact]
) -> None:
    """The card (due from five days ahead) snoozed for a week: the call on the day still comes."""
    with at(NOW):
        post_item(owner_client, network["birthday"], kind="birthday", days="7", occasion="2026-11-28:card")

    assert sections(owner)[ItemKind.BIRTHDAY] == []
    assert sections(owner, NOW + 5 * DAY)[ItemKind.BIRTHDAY] == ["Geburtstag"]


@pytest.mark.parametrize(
    ("item", "kind"),
    [("yellow", "cadence"), ("red", "cadence"), ("online", "online_only"), ("prospect", "prospect")],
)
def test_a_cadence_a_prospect_or_an_online_only_item_has_no_done_without_a_touch(
    owner: User, owner_client: Client, network: dict[str, Contact], item: str, kind: str
) -> None:
    """R7, R6, R1: "done" without the touch the rule asks for would hide the item for weeks."""
    person = network[item]
    with at(NOW):
        response = post_item(owner_client, person, kind=kind, action="done")
        page = owner_client.get(reverse("reminders:today")).content.decode()

    assert response.status_code == 400  # type: ignore[attr-defined]
    assert not ReminderState.objects.exists()
    assert not Touchpoint.objects.filter(contact=person, happened_at=NOW).exists()
    assert person.first_name in sections(owner)[kind]
    item_html = re.search(rf'data-key="{kind}:{person.pk}">(.*?)</li>', page, re.S)
    assert item_html is not None
    assert 'data-testid="done"' not in item_html.group(1)
    with pytest.raises(ValueError, match="not by done"):
        states.mark_done(owner, ItemKind(kind), now=NOW, contact=person)


@pytest.mark.parametrize(
    ("item", "kind", "log", "counts"),
    [
        ("yellow", "cadence", Kind.MESSAGE, True),
        ("red", "cadence", Kind.CALL, True),
        ("online", "online_only", Kind.VIDEO_CALL, True),
        ("online", "online_only", Kind.EMAIL, False),  # R1: only a personal touch
        ("online", "online_only", Kind.MESSAGE, False),
        ("yellow", "cadence", Kind.REACTION, False),  # a like is no touch
        ("yellow", "cadence", Kind.MASS_MAIL, False),
        ("prospect", "prospect", Kind.EMAIL, True),  # R6: any qualifying touch is one of the seven
        ("prospect", "prospect", Kind.REACTION, False),
    ],
)
def test_only_a_touch_that_counts_for_the_item_clears_it(
    owner: User,
    owner_client: Client,
    network: dict[str, Contact],
    item: str,
    kind: str,
    log: str,
    counts: bool,
) -> None:
    """One click logs the touch; the rule, not a stored state, takes the item off. A touch
    that would not count is refused, not logged."""
    person = network[item]
    with at(NOW):
        response = post_item(owner_client, person, kind=kind, log=log)

    assert Touchpoint.objects.filter(contact=person, happened_at=NOW, kind=log).exists() is counts
    assert (person.first_name in sections(owner)[kind]) is not counts
    assert not ReminderState.objects.exists()
    if counts:
        assert "touch-logged" in response["HX-Trigger"]  # type: ignore[index]
        assert f"with {person.name} logged." in response.content.decode()  # type: ignore[attr-defined]
    else:
        assert response.status_code == 400  # type: ignore[attr-defined]


def test_each_item_offers_the_touches_that_count_for_it() -> None:
    for kind, logs in clearing.LOG_KINDS.items():
        assert logs
        assert all(clearing.counts_for(kind, log) for log in logs), kind
    assert set(clearing.LOG_KINDS[ItemKind.ONLINE_ONLY]) <= PERSONAL_KINDS


def test_each_item_shows_its_buttons(owner_client: Client, network: dict[str, Contact]) -> None:
    """Cadence, prospect and online-only: their touches and snooze; the others keep their done."""
    with at(NOW):
        page = owner_client.get(reverse("reminders:today")).content.decode()

    def buttons(key: str) -> tuple[list[str], bool]:
        found = re.search(rf'data-key="{key}">(.*?)</li>', page, re.S)
        assert found is not None, key
        return re.findall(r'name="log" value="(\w+)"', found.group(1)), 'data-testid="done"' in found.group(1)

    assert buttons(f"cadence:{network['red'].pk}") == (["call", "meeting", "message"], False)
    assert buttons(f"online_only:{network['online'].pk}") == (["call", "video_call", "meeting"], False)
    assert buttons(f"prospect:{network['prospect'].pk}") == (["call", "meeting", "email"], False)
    assert buttons(f"birthday:{network['birthday'].pk}:2026-11-28:card") == (["card"], True)
    assert buttons(f"promise:{Touchpoint.objects.get(promise='Artikel schicken').pk}") == ([], True)
    # The accessible name of a touch button holds its visible text: "✓ Call with Rot Weiß".
    assert f'✓ Call<span class="visually-hidden"> with {network["red"].name}</span>' in page


def test_a_deleted_touch_brings_a_follow_up_back(
    owner: User, owner_client: Client, network: dict[str, Contact]
) -> None:
    yellow = network["yellow"]
    with at(NOW):
        post_item(owner_client, yellow, kind="cadence", log=Kind.CALL)
    call = Touchpoint.objects.get(contact=yellow, happened_at=NOW)
    assert "Gelb" not in sections(owner)[ItemKind.CADENCE]

    ledger.delete_touch(call)  # logged by mistake
    yellow.refresh_from_db()

    assert "Gelb" in sections(owner)[ItemKind.CADENCE]  # at once: nothing else hid it


def test_a_promise_is_kept_from_today(owner: User, owner_client: Client, network: dict[str, Contact]) -> None:
    promise = Touchpoint.objects.get(contact=network["promise"], promise="Artikel schicken")

    with at(NOW):
        owner_client.post(reverse("reminders:promise_item", args=[promise.pk]), {"action": "done"})

    promise.refresh_from_db()
    assert promise.promise_kept_at == NOW
    assert sections(owner)[ItemKind.PROMISE] == []


def test_the_roster_review_is_recorded_and_due_again_a_quarter_later(
    owner: User, owner_client: Client, network: dict[str, Contact]
) -> None:
    with at(NOW):
        page = owner_client.get(reverse("reminders:roster_review"))
        response = owner_client.post(reverse("reminders:roster_review"))

    assert [row.first_name for row in page.context["strong_ties"]] == ["Rot"]
    assert response["Location"] == reverse("reminders:today")
    review = RosterReview.objects.get(owner=owner)
    assert (review.reviewed_at, review.strong_ties) == (NOW, 1)
    assert sections(owner)[ItemKind.ROSTER_REVIEW] == []
    assert sections(owner, NOW + 90 * DAY)[ItemKind.ROSTER_REVIEW] == []
    assert sections(owner, NOW + 91 * DAY)[ItemKind.ROSTER_REVIEW] == [ItemKind.ROSTER_REVIEW]


@pytest.mark.parametrize(
    ("zone", "reviewed", "due_on"),
    [
        # late on New Year's Eve: a quarter of days after that day, not after its instant in UTC
        ("Europe/Berlin", datetime(2026, 12, 31, 22, 30, tzinfo=UTC), date(2027, 4, 1)),
        ("Europe/Vienna", datetime(2026, 12, 31, 21, 0, tzinfo=UTC), date(2027, 4, 1)),
        # across the autumn change (an hour longer): still the 91st day
        ("Europe/Berlin", datetime(2026, 9, 30, 22, 30, tzinfo=UTC), date(2026, 12, 31)),
        ("America/New_York", datetime(2027, 1, 1, 4, 30, tzinfo=UTC), date(2027, 4, 1)),
    ],
)
def test_the_review_is_due_a_quarter_of_the_users_days_after_the_last(
    owner: User, zone: str, reviewed: datetime, due_on: date
) -> None:
    owner.time_zone = zone
    assert due.review_due_on(owner, reviewed) == due_on


def test_the_review_can_be_snoozed(owner: User, owner_client: Client, network: dict[str, Contact]) -> None:
    with at(NOW):
        owner_client.post(reverse("reminders:review_item"), {"action": "snooze", "days": "7"})

    assert sections(owner, NOW + 6 * DAY)[ItemKind.ROSTER_REVIEW] == []
    assert sections(owner, NOW + 7 * DAY)[ItemKind.ROSTER_REVIEW] == [ItemKind.ROSTER_REVIEW]


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "cadence", "action": "snooze", "days": "5"},  # not a choice
        {"kind": "cadence", "action": "snooze"},
        {"kind": "birthday", "action": "done", "occasion": "tomorrow"},
        {"kind": "promise", "action": "done"},  # a promise is its touch's
        {"action": "done"},
    ],
)
def test_a_bad_action_changes_nothing(
    owner_client: Client, network: dict[str, Contact], data: dict[str, str]
) -> None:
    with at(NOW):
        response = owner_client.post(reverse("reminders:contact_item", args=[network["red"].pk]), data)

    assert response.status_code == 302
    assert not ReminderState.objects.exists()
    assert Touchpoint.objects.count() == 8  # the network's (the one-off reminder's contact has one)


def test_a_strangers_item_is_not_found(stranger_client: Client, network: dict[str, Contact]) -> None:
    response = post_item(stranger_client, network["red"], kind="cadence", action="done")

    assert response.status_code == 404  # type: ignore[attr-defined]
    assert not ReminderState.objects.exists()


# ---------------------------------------------------------------- SQL and the rules agree


@pytest.fixture
def everything_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(due, "SHOWN", 1000)


@pytest.mark.usefixtures("everything_shown")
def test_the_sections_select_exactly_what_the_rules_call_due(owner: User) -> None:
    """Contacts at many distances from their last touch, in every circle and state; some first
    touched before they were added (an import), some strong ties; imported ones waiting to be
    sorted, and others sorted at many distances (their rules count from then)."""
    made = []
    for n, days in enumerate([0, 9, 10, 11, 29, 30, 31, 44, 45, 46, 89, 91, 119, 121, 179, 181, 364, 366]):
        circle = [Circle.REGULAR, Circle.LOOSE][n % 2]
        prospect = (
            {"prospect_status": ProspectStatus.PROSPECT, "prospect_since": NOW - 60 * DAY}
            if n % 3 == 0
            else {}
        )
        kind = Kind.EMAIL if n % 4 == 0 else Kind.CALL
        how_met = Channel.XING if n % 5 == 0 else Channel.EVENT
        made.append(
            contact(owner, f"K{n}", touched=days * DAY, kind=kind, circle=circle, how_met=how_met, **prospect)
        )
        if n % 3 == 1:
            roster.promote(made[-1], now=NOW)
    made.append(contact(owner, "Nie", touched=None, how_met=Channel.LINKEDIN))
    # imported contacts: (sorted as, how many days ago); I0 and I1 wait to be sorted
    sorted_as = [
        ("", 0),
        ("", 0),
        (Sorting.PURSUE, 20),
        (Sorting.PURSUE, 5),
        (Sorting.REGULAR, 100),
        (Sorting.REGULAR, 85),
        (Sorting.LOOSE, 30),
        (Sorting.PROSPECT, 15),
        (Sorting.PROSPECT, 3),
    ]
    for n, (choice, days) in enumerate(sorted_as):
        made.append(imported(owner, f"I{n}", messaged=n % 2 == 0))
        if choice:
            sorting.sort_contacts(owner, Contact.objects.filter(pk=made[-1].pk), choice, now=NOW - days * DAY)
    assert Contact.objects.for_owner(owner).strong_ties().count() == 6
    assert Contact.objects.for_owner(owner).unsorted().count() == 2
    assert Contact.objects.filter(owner=owner, first_touch_at__lt=F("created_at")).exists()
    sorted_ones: set[str] = set()
    for moment in [NOW, NOW + 7 * DAY, NOW + 40 * DAY]:
        found = {section.kind: set(names(section)) for section in due.today_for(owner, now=moment).sections}
        fresh = [Contact.objects.get(pk=c.pk) for c in made]
        asked = [c for c in fresh if not rules.waits_to_be_sorted(c)]  # no rule asks about the others
        cadence = {c.first_name for c in asked if rules.cadence(c, owner=owner, now=moment).status != "green"}
        prospects = {
            c.first_name
            for c in asked
            if (p := rules.prospect_progress(c, owner=owner, now=moment))
            and (p.is_next_due or p.needs_outcome)
        }
        online = {
            c.first_name for c in fresh if (o := rules.online_only(c, owner=owner, now=moment)) and o.is_due
        }
        assert found[ItemKind.CADENCE] == cadence
        assert found[ItemKind.PROSPECT] == prospects
        assert found[ItemKind.ONLINE_ONLY] == online
        assert cadence
        assert prospects
        assert online
        sorted_ones |= {name for name in cadence | prospects | online if name.startswith("I")}
    assert sorted_ones == {"I2", "I3", "I4", "I5", "I7", "I8"}  # each sorted one due at some moment


# ---------------------------------------------------------------- a fixed number of queries


def grow(owner: User, size: int) -> None:
    """`size` contacts in every state the page looks at: due, not due, birthdays, prospects."""
    with at(NOW - 200 * DAY):
        Contact.objects.bulk_create(
            Contact(
                owner=owner,
                first_name=f"Person{n}",
                last_name="Menge",
                circle=[Circle.REGULAR, Circle.LOOSE][n % 2],
                how_met=Channel.LINKEDIN if n % 7 == 0 else Channel.EVENT,
                birthday_month=11 if n % 3 == 0 else None,
                birthday_day=(23 + n % 8) if n % 3 == 0 else None,
                prospect_status=ProspectStatus.PROSPECT if n % 11 == 0 else ProspectStatus.NONE,
                prospect_since=NOW - 50 * DAY if n % 11 == 0 else None,
                last_touch_at=NOW - (n % 150) * DAY,
                first_touch_at=NOW - 180 * DAY,
                touch_count=3,
            )
            for n in range(size)
        )
    touches = [
        Touchpoint(
            contact=c, kind=Kind.CALL, happened_at=NOW - 3 * DAY, promise="Rückruf", promise_due=TODAY - DAY
        )
        for c in Contact.objects.for_owner(owner).filter(last_name="Menge").order_by("pk")[:30]
    ]
    Touchpoint.objects.bulk_create(touches)
    refresh_summaries([touch.contact_id for touch in touches])  # as the ledger would
    OneOffReminder.objects.bulk_create(
        OneOffReminder(contact=c, due_on=TODAY - (n % 20) * DAY + 5 * DAY, text=f"Erinnerung {n}")
        for n, c in enumerate(Contact.objects.for_owner(owner).filter(last_name="Menge").order_by("pk")[:60])
    )


@pytest.mark.parametrize("size", [50, 5000])
def test_the_page_takes_the_same_queries_at_any_size(
    owner: User, owner_client: Client, network: dict[str, Contact], size: int, django_assert_num_queries
) -> None:
    grow(owner, size)

    # An hour before NOW: the network's windows pass on whole days from NOW, so nothing passes
    # between the two requests.
    moment = NOW - timedelta(hours=1)
    # session, user, the data's stamp (whether a kept list still holds), what snoozes hide,
    # cadences, birthdays, promises, one-off reminders, prospects, online-only, review, the shown
    # contacts' phones and e-mails, when the lists may change, the roster gauge
    with at(moment), django_assert_num_queries(14):
        response = owner_client.get(reverse("reminders:today"))
    # Again, nothing changed: session, user, stamp; the page's content is the kept one.
    with at(moment + timedelta(minutes=1)), django_assert_num_queries(3):
        again = owner_client.get(reverse("reminders:today"))

    shown = shown_on_page(response)
    assert shown_on_page(again) == shown == shown_in(due.today_for(owner, now=moment))
    assert all(len(keys) <= items.SHOWN for _kind, _total, keys in shown)
    assert shown[2][1] == 31  # the network's promise and the 30 made here
    assert [bool(total) for _kind, total, _keys in shown] == [True] * 7
    assert sum(total for _kind, total, _keys in shown) > (size // 10)


def test_a_section_shows_five_and_opens_in_full_on_request(
    owner: User, owner_client: Client, network: dict[str, Contact]
) -> None:
    grow(owner, 300)

    with at(NOW):
        page = owner_client.get(reverse("reminders:today"))
        full = owner_client.get(
            reverse("reminders:today"), {"section": "cadence", "all": "1"}, HTTP_HX_REQUEST="true"
        )
        plain = owner_client.get(reverse("reminders:today"), {"all": "cadence"})

    _kind, total, keys = shown_on_page(page)[0]
    assert len(keys) == items.SHOWN < total
    assert 'data-testid="more-cadence"' in page.content.decode()
    assert full.content.decode().count('data-testid="item"') == total
    opened = shown_on_page(plain)
    assert len(opened[0][2]) == total
    assert len(opened[1][2]) <= items.SHOWN


def test_an_opened_section_stays_open_after_an_action(
    owner: User, owner_client: Client, network: dict[str, Contact]
) -> None:
    grow(owner, 300)
    with at(NOW):
        total = due.section_for(owner, ItemKind.CADENCE, now=NOW).total
        response = post_item(owner_client, network["red"], kind="cadence", action="snooze", days="1", all="1")

    body = response.content.decode()  # type: ignore[attr-defined]
    assert body.count('data-testid="item"') == total - 1
    assert "section=cadence&amp;all=1" in body  # and a reload keeps it open


def test_the_button_pressed_says_what_to_do(
    owner: User, owner_client: Client, network: dict[str, Contact]
) -> None:
    """An item has one form: a snooze button sends its days, the log button its kind of touch."""
    yellow, online, red = network["yellow"], network["online"], network["red"]

    with at(NOW):
        owner_client.post(
            reverse("reminders:contact_item", args=[yellow.pk]), {"kind": "cadence", "days": "3"}
        )
        owner_client.post(
            reverse("reminders:contact_item", args=[online.pk]), {"kind": "online_only", "log": "call"}
        )
        pressed_nothing = owner_client.post(
            reverse("reminders:contact_item", args=[red.pk]),
            {"kind": "cadence"},
            headers={"HX-Request": "true"},
        )

    snoozed = ReminderState.objects.get(owner=owner, contact=yellow)
    assert (snoozed.snoozed_until, snoozed.done_at) == (TODAY + 3 * DAY, None)
    assert Touchpoint.objects.filter(contact=online, kind=Kind.CALL, happened_at=NOW).exists()
    assert not ReminderState.objects.filter(owner=owner, contact=online).exists()  # the call cleared it
    assert pressed_nothing.status_code == 400
    assert not ReminderState.objects.filter(contact=red).exists()


def test_several_users_at_once_get_what_each_gets_alone(
    owner: User, stranger: User, network: dict[str, Contact]
) -> None:
    """The digest finds what is due for a chunk of users in one go: no user's rows, counts,
    settings, day or snoozes leak into another's lists."""
    stranger.time_zone = "America/New_York"  # at 02:00 UTC still the 23rd there, the 24th in Berlin
    stranger.date_joined = NOW - 200 * DAY
    stranger.cadence_regular_ideal, stranger.cadence_regular_max = 20, 40
    stranger.prospect_target, stranger.birthday_card_days = 3, 2
    stranger.save()
    grow(stranger, 60)
    # The owner's names in the stranger's network too, due for a touch (35 days > 20).
    theirs = {
        person: contact(stranger, person, touched=35 * DAY, birthday_month=11, birthday_day=24)
        for person in ("Rot", "Gelb", "Geburtstag")
    }
    roster.promote(theirs["Gelb"], now=NOW)
    at_night = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
    with at(at_night):
        # Until the 24th: hidden on the stranger's 23rd, but it would show on the owner's 24th.
        states.snooze(stranger, ItemKind.CADENCE, days=1, now=at_night, contact=theirs["Rot"])
        states.snooze(owner, ItemKind.ROSTER_REVIEW, days=7, now=at_night)  # the owner's only

    together = due.todays_for([owner, stranger, owner], now=at_night, expanded=ItemKind.CADENCE)

    def lists(today: due.Today) -> list[tuple[str, int, dict[str, int], list[str]]]:
        return [(s.kind, s.total, s.counts, [item.key for item in s.items]) for s in today.sections]

    for user in (owner, stranger):
        assert lists(together[user.pk]) == lists(due.today_for(user, now=at_night, expanded=ItemKind.CADENCE))
    assert (together[owner.pk].day, together[stranger.pk].day) == (date(2026, 11, 24), date(2026, 11, 23))
    stranger_keys = [key for _kind, _total, _counts, keys in lists(together[stranger.pk]) for key in keys]
    assert f"cadence:{theirs['Rot'].pk}" not in stranger_keys
    assert f"cadence:{theirs['Geburtstag'].pk}" in stranger_keys
    assert together[owner.pk].sections[6].total == 0
    assert together[stranger.pk].sections[6].total == 1


def test_a_contact_without_a_touch_says_so_on_today_and_in_the_digest(
    owner: User, owner_client: Client, network: dict[str, Contact]
) -> None:
    never = contact(owner, "Nie", touched=None)  # added 200 days ago: red

    with at(NOW):
        page = owner_client.get(reverse("reminders:today")).content.decode()
    _subject, text, html = digest.render(owner, due.today_for(owner, now=NOW))

    item = re.search(rf'data-key="cadence:{never.pk}">(.*?)</li>', page, re.S)
    assert item is not None
    for shown in (item.group(1), text, html):
        assert "added 200 days ago, no touch yet" in shown
    assert "last touch 200 days ago" not in text


def test_a_done_stored_before_no_longer_hides_a_cadence_or_online_only_item(
    owner: User, network: dict[str, Contact]
) -> None:
    lift = importlib.import_module("reminders.migrations.0003_no_done_for_cadence_and_online_only")
    for person, kind in (
        ("yellow", ItemKind.CADENCE),
        ("online", ItemKind.ONLINE_ONLY),
        ("prospect", ItemKind.PROSPECT),
    ):
        ReminderState.objects.create(
            owner=owner,
            kind=kind,
            key=items.item_key(kind, contact=network[person].pk),
            contact=network[person],
            done_at=NOW - DAY,
            snoozed_until=TODAY + 60 * DAY,
        )
    assert sections(owner)[ItemKind.CADENCE] == ["Rot"]

    lift.lift_done(apps, None)

    assert sections(owner)[ItemKind.CADENCE] == ["Rot", "Gelb"]
    assert sections(owner)[ItemKind.ONLINE_ONLY] == ["Online"]
    # A prospect's done stored before rests as the snooze it was (the touch count stays honest).
    assert sections(owner)[ItemKind.PROSPECT] == []


def test_a_prospects_overdue_touch_says_since_when_and_a_coming_one_says_when() -> None:
    moment = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    overdue = items.Item(
        ItemKind.PROSPECT, prospect=rules.ProspectProgress(3, 7, moment, True, needs_outcome=False)
    )
    coming = items.Item(
        ItemKind.PROSPECT, prospect=rules.ProspectProgress(3, 7, moment, False, needs_outcome=False)
    )

    with translation.override("de"), timezone.override("Europe/Berlin"):
        assert overdue.meta == "nächster Kontaktpunkt fällig seit 27. November 2026"
        assert coming.meta == "nächster Kontaktpunkt fällig am 27. November 2026"
