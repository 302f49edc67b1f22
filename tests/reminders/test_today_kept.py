"""Today is kept in the cache until something it shows may change: each change below, made
after the page was seen, is on the page at the next request, exactly as computed afresh."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from contacts import rules
from contacts.choices import Circle
from contacts.models import Contact
from netzwerk.accounts.models import User
from reminders import due, views
from reminders.models import ItemKind, ReminderState
from tests.reminders.conftest import DAY, NOW, Page, Shown, at, contact, shown_in, shown_on_page
from touchpoints import ledger
from touchpoints.kinds import Kind
from touchpoints.models import Touchpoint

SEEN = NOW - timedelta(hours=1)  # the network's windows pass on whole days from NOW
LATER = SEEN + timedelta(minutes=5)
OCCASION = "2026-11-28:card"  # the card for the birthday in five days, due from NOW

Change = Callable[[User, Client, dict[str, Contact]], None]


def log_a_touch(owner: User, client: Client, network: dict[str, Contact]) -> None:
    ledger.log_touch(network["red"], kind=Kind.CALL, happened_at=LATER)


def snooze_on_the_page(owner: User, client: Client, network: dict[str, Contact]) -> None:
    url = reverse("reminders:contact_item", args=[network["yellow"].pk])
    client.post(url, {"kind": ItemKind.CADENCE, "days": "3"})


def mark_done_on_the_page(owner: User, client: Client, network: dict[str, Contact]) -> None:
    url = reverse("reminders:contact_item", args=[network["birthday"].pk])
    client.post(url, {"kind": ItemKind.BIRTHDAY, "action": "done", "occasion": OCCASION})


def log_the_clearing_touch_on_the_page(owner: User, client: Client, network: dict[str, Contact]) -> None:
    url = reverse("reminders:contact_item", args=[network["online"].pk])
    client.post(url, {"kind": ItemKind.ONLINE_ONLY, "log": Kind.MEETING})


def decide_a_prospect_on_the_page(owner: User, client: Client, network: dict[str, Contact]) -> None:
    url = reverse("reminders:contact_item", args=[network["prospect"].pk])
    client.post(url, {"kind": ItemKind.PROSPECT, "outcome": "customer"})


def keep_the_promise(owner: User, client: Client, network: dict[str, Contact]) -> None:
    touch = Touchpoint.objects.get(contact=network["promise"])
    ledger.edit_touch(touch, promise_kept_at=LATER)


def change_a_circle(owner: User, client: Client, network: dict[str, Contact]) -> None:
    yellow = network["yellow"]
    yellow.circle = Circle.LOOSE  # a loose contact's cadence is longer: it is not due any more
    yellow.save()


def archive_a_contact(owner: User, client: Client, network: dict[str, Contact]) -> None:
    network["prospect"].archive(now=LATER)


def delete_a_contact(owner: User, client: Client, network: dict[str, Contact]) -> None:
    network["birthday"].delete()


def change_a_setting(owner: User, client: Client, network: dict[str, Contact]) -> None:
    owner.birthday_card_days = 2  # the card for the birthday in five days is not due yet
    owner.save(update_fields=["birthday_card_days"])


def record_the_review(owner: User, client: Client, network: dict[str, Contact]) -> None:
    client.post(reverse("reminders:roster_review"))


CHANGES = [
    log_a_touch,
    snooze_on_the_page,
    mark_done_on_the_page,
    log_the_clearing_touch_on_the_page,
    decide_a_prospect_on_the_page,
    keep_the_promise,
    change_a_circle,
    archive_a_contact,
    delete_a_contact,
    change_a_setting,
    record_the_review,
]


def shown(client: Client, moment: datetime) -> list[Shown]:
    return shown_on_page(page(client, moment))


def page(client: Client, moment: datetime) -> Page:
    with at(moment):
        response = client.get(reverse("reminders:today"))
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("change", CHANGES, ids=lambda change: change.__name__)
def test_a_change_shows_at_the_next_request(
    owner: User,
    owner_client: Client,
    network: dict[str, Contact],
    change: Change,
    django_assert_num_queries: Any,
) -> None:
    before = shown(owner_client, SEEN)
    with django_assert_num_queries(3):  # kept: session, user, stamp
        assert shown(owner_client, SEEN + timedelta(minutes=1)) == before

    with at(LATER):
        change(owner, owner_client, network)
    owner.refresh_from_db()
    after = shown(owner_client, LATER + timedelta(seconds=1))

    assert after == shown_in(due.today_for(owner, now=LATER + timedelta(seconds=1)))
    assert after != before


def test_a_window_passing_shows_without_any_change(
    owner: User, owner_client: Client, network: dict[str, Contact]
) -> None:
    """A regular contact touched its ideal 90 days ago turns yellow at the owner's midnight:
    the kept list ends then."""
    ideal = owner.cadence(Circle.REGULAR)[0]
    soon = contact(owner, "Bald", touched=ideal * DAY, circle=Circle.REGULAR)
    yellow_from = rules.cadence(soon, owner=owner, now=NOW).yellow_from
    assert yellow_from == datetime(2026, 11, 24, tzinfo=owner.zone)

    before = shown(owner_client, yellow_from - timedelta(minutes=1))
    after = shown(owner_client, yellow_from + timedelta(seconds=1))

    assert f"cadence:{soon.pk}" not in before[0][2]
    assert f"cadence:{soon.pk}" in after[0][2]


def test_the_next_day_shows_the_next_gesture(
    owner: User, owner_client: Client, network: dict[str, Contact]
) -> None:
    """Birthdays move on at local midnight (Berlin): five days to go on the 23rd, four on the 24th."""
    midnight = datetime(2026, 11, 23, 23, 0, tzinfo=NOW.tzinfo)  # 24 November, 00:00 in Berlin
    before = page(owner_client, midnight - timedelta(seconds=1)).content.decode()
    after = page(owner_client, midnight + timedelta(seconds=1)).content.decode()

    assert "in 5 days" in before
    assert "in 4 days" not in before
    assert "in 4 days" in after
    assert "in 5 days" not in after
    assert "Monday, " in before
    assert "Tuesday, " in after


def test_days_ago_tick_over_at_local_midnight_on_the_kept_list(
    owner: User, owner_client: Client, network: dict[str, Contact]
) -> None:
    """The red contact's last touch was 50 days before NOW (noon in Berlin): the user's calendar
    says 50 days ago all of NOW's day, and 51 from their midnight on (not from noon)."""
    midnight = datetime(2026, 11, 23, 23, 0, tzinfo=NOW.tzinfo)  # 24 November, 00:00 in Berlin
    morning = page(owner_client, NOW - timedelta(hours=11)).content.decode()
    before = page(owner_client, midnight - timedelta(seconds=1)).content.decode()
    after = page(owner_client, midnight + timedelta(seconds=1)).content.decode()

    assert "last touch 50 days ago" in morning
    assert "last touch 50 days ago" in before
    assert "last touch 51 days ago" in after


def test_a_kept_page_carries_the_requests_csrf_token(owner: User, network: dict[str, Contact]) -> None:
    """The kept content has a placeholder where the token goes: each request gets its own."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(owner)
    page(browser, SEEN)
    kept = page(browser, SEEN + timedelta(minutes=1)).content.decode()  # from the cache
    form = re.search(
        r'<form class="item-actions"[^>]* action="([^"]+)".*?name="csrfmiddlewaretoken" value="([^"]+)"',
        kept,
        re.S,
    )
    assert form is not None

    with at(SEEN + timedelta(minutes=2)):
        response = browser.post(
            form.group(1), {"csrfmiddlewaretoken": form.group(2), "kind": "cadence", "days": "1"}
        )

    assert response.status_code == 302
    assert ReminderState.objects.filter(owner=owner).count() == 1


def test_a_new_release_starts_afresh(
    owner_client: Client,
    network: dict[str, Contact],
    monkeypatch: pytest.MonkeyPatch,
    django_assert_num_queries: Any,
) -> None:
    """Templates, wording or translations changed by a deploy: no page kept by the old ones."""
    page(owner_client, SEEN)
    monkeypatch.setattr(views, "kept_release", lambda: "another-release")

    with django_assert_num_queries(14):  # computed and rendered again
        page(owner_client, SEEN + timedelta(minutes=1))


def test_only_a_real_section_opens_its_own_kept_page(
    owner_client: Client, network: dict[str, Contact], django_assert_num_queries: Any
) -> None:
    """`?all=` with anything but a section is the plain page, kept once (no entry per value)."""
    page(owner_client, SEEN)
    with at(SEEN), django_assert_num_queries(3):
        owner_client.get(reverse("reminders:today"), {"all": "anything"})
    with at(SEEN), django_assert_num_queries(14):
        owner_client.get(reverse("reminders:today"), {"all": "cadence"})


def test_the_kept_page_starts_afresh_when_any_module_it_is_made_of_changes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    """A deploy changing only reminders/reach.py or touchpoints/kinds.py must not serve the kept
    Today of the release before (a hand-made file list once missed such modules)."""
    import inspect
    from pathlib import Path

    from touchpoints import kinds

    read: list[str] = []
    real = Path.read_bytes

    def recording(self: Path) -> bytes:
        read.append(str(self))
        return real(self)

    views.kept_release.cache_clear()
    monkeypatch.setattr(Path, "read_bytes", recording)
    views.kept_release()
    views.kept_release.cache_clear()

    here = Path(views.__file__).parent
    for module in ("reach.py", "one_offs.py", "birthdays.py", "review.py", "due.py"):
        assert str(here / module) in read, module
    assert kinds.__file__ in read
    for module in ("contact.py", "reach.py", "organisation.py", "history.py"):  # contacts.models
        assert str(Path(inspect.getfile(Contact)).parent / module) in read, module
