"""The touch UI: the panel on the contact page, the timeline, edit and delete, and the quick log."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contacts.choices import ProspectStatus
from contacts.models import Contact
from tests.factories import ContactFactory, bulk_touches
from touchpoints import ledger
from touchpoints.kinds import Kind
from touchpoints.models import Exchange, Touchpoint

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
HTMX = {"HX-Request": "true"}


@pytest.fixture
def contact(owner) -> Contact:
    return ContactFactory(owner=owner, first_name="Jürgen", last_name="Weiß")


@pytest.fixture
def vienna(owner):
    owner.time_zone = "Europe/Vienna"
    owner.save()
    return owner


def new_prospect(owner, **fields) -> Contact:
    """A prospect for 30 days: touches from then on count towards the target (R6)."""
    since = timezone.now() - timedelta(days=30)
    prospect: Contact = ContactFactory(
        owner=owner, prospect_status=ProspectStatus.PROSPECT, prospect_since=since, **fields
    )
    return prospect


def fresh(contact: Contact) -> Contact:
    contact.refresh_from_db()
    return contact


def triggers(response) -> dict[str, object]:
    return json.loads(response["HX-Trigger"])


def row(body: str, touch: Touchpoint) -> str:
    """The timeline row of `touch` in a page."""
    return body.split(f'id="touch-{touch.pk}"', 1)[1].split("</li>", 1)[0]


def touch(contact: Contact, *, days_ago: float = 1, **fields) -> Touchpoint:
    fields.setdefault("kind", Kind.CALL)
    return ledger.log_touch(contact, happened_at=timezone.now() - timedelta(days=days_ago), **fields)


# ---------------------------------------------------------------- the panel


def test_it_shows_the_panel_as_a_page_with_a_way_back(owner_client: Client, contact: Contact) -> None:
    touch(contact, note="Über das Angebot gesprochen")

    response = owner_client.get(reverse("touchpoints:panel", args=[contact.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" in body
    assert "<title>Touches with Jürgen Weiß" in body
    assert f'href="{contact.get_absolute_url()}"' in body
    for kind in (Kind.CALL, Kind.MEETING, Kind.MESSAGE, Kind.EMAIL, Kind.CARD):
        assert f'name="kind" value="{kind}"' in body
    assert 'type="datetime-local"' in body
    assert "Über das Angebot gesprochen" in body


def test_it_answers_htmx_with_the_panel_fragment(owner_client: Client, contact: Contact) -> None:
    touch(contact, note="Kaffee im Büro")

    response = owner_client.get(reverse("touchpoints:panel", args=[contact.pk]), headers=HTMX)

    body = response.content.decode()
    assert "<html" not in body
    assert body.strip().startswith('<section id="touches"')
    assert "Kaffee im Büro" in body
    assert "HX-Request" in response["Vary"]


def test_it_puts_the_kind_buttons_and_the_note_in_one_form(owner_client: Client, contact: Contact) -> None:
    body = owner_client.get(reverse("touchpoints:panel", args=[contact.pk]), headers=HTMX).content.decode()

    quick = body.split('class="quick-touch"', 1)[1].split("</form>", 1)[0]
    assert 'name="note"' in quick
    assert quick.count('name="kind"') == 5
    assert "<details" in body


def test_the_full_form_comes_when_its_fold_is_opened(owner_client: Client, contact: Contact) -> None:
    """The panel's fragment leaves the full form out (most touches are logged with one button)
    and fetches it on opening the fold; the form posts to the same log as before."""
    panel = owner_client.get(reverse("touchpoints:panel", args=[contact.pk]), headers=HTMX).content.decode()
    more = reverse("touchpoints:more", args=[contact.pk])

    assert 'type="datetime-local"' not in panel
    assert f'hx-get="{more}" hx-trigger="toggle from:closest details"' in panel
    assert f'<a href="{more}">' in panel  # where a failed fetch leaves the user

    response = owner_client.get(more, headers=HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.strip().startswith("<form")
    assert f'action="{reverse("touchpoints:log", args=[contact.pk])}"' in body
    assert 'name="csrfmiddlewaretoken"' in body
    for field in ("happened_at", "exchange", "promise", "promise_due", "gut_feeling", "remind_on"):
        assert f'name="{field}"' in body
    assert "HX-Request" in response["Vary"]


def test_the_full_form_is_in_place_without_htmx_and_after_an_error(
    owner_client: Client, contact: Contact
) -> None:
    more = reverse("touchpoints:more", args=[contact.pk])
    page = owner_client.get(more).content.decode()
    assert "<html" in page
    assert 'type="datetime-local"' in page

    refused = owner_client.post(
        reverse("touchpoints:log", args=[contact.pk]), {"kind": "nonsense"}, headers=HTMX
    ).content.decode()

    assert '<details class="more" open>' in refused
    assert 'type="datetime-local"' in refused  # the fields, with what was wrong, not a fetch
    assert more not in refused


def test_the_full_form_of_another_users_contact_is_not_found(
    stranger_client: Client, contact: Contact
) -> None:
    assert (
        stranger_client.get(reverse("touchpoints:more", args=[contact.pk]), headers=HTMX).status_code == 404
    )


@time_machine.travel(NOW, tick=False)
def test_it_fills_in_now_in_the_users_time_zone(owner_client: Client, vienna, contact: Contact) -> None:
    body = owner_client.get(reverse("touchpoints:panel", args=[contact.pk])).content.decode()

    # 12:00 UTC is 13:00 in Vienna in November (CET).
    assert 'value="2026-11-20T13:00"' in body


# ---------------------------------------------------------------- logging


def test_it_logs_a_call_with_one_click_and_updates_the_summary(owner_client: Client, owner) -> None:
    prospect = new_prospect(owner)

    response = owner_client.post(reverse("touchpoints:log", args=[prospect.pk]), {"kind": Kind.CALL})

    assert response.status_code == 302
    assert response["Location"] == prospect.get_absolute_url()
    prospect = fresh(prospect)
    assert prospect.last_touch_at is not None
    assert abs(prospect.last_touch_at - timezone.now()) < timedelta(minutes=1)
    assert prospect.prospect_touches == 1
    assert prospect.touch_count == 1
    assert Touchpoint.objects.get(contact=prospect).kind == Kind.CALL


def test_it_says_what_was_logged_on_the_contact_page(owner_client: Client, contact: Contact) -> None:
    response = owner_client.post(
        reverse("touchpoints:log", args=[contact.pk]),
        {"kind": Kind.MEETING, "note": "Mittagessen"},
        follow=True,
    )

    assert "Meeting in person with Jürgen Weiß logged." in response.content.decode()
    assert Touchpoint.objects.get(contact=contact).note == "Mittagessen"


def test_it_logs_by_htmx_and_triggers_touch_logged(owner_client: Client, owner) -> None:
    prospect = new_prospect(owner)

    response = owner_client.post(
        reverse("touchpoints:log", args=[prospect.pk]),
        {"kind": Kind.MESSAGE, "note": "Glückwunsch"},
        headers=HTMX,
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "touch-logged" in triggers(response)
    assert "<html" not in body
    assert body.strip().startswith('<section id="touches"')
    assert "Glückwunsch" in body  # the new row in the timeline
    assert 'id="messages" aria-live="polite" hx-swap-oob="true"' in body
    prospect = fresh(prospect)
    assert prospect.prospect_touches == 1
    assert prospect.last_touch_at is not None


def test_it_logs_the_whole_form(owner_client: Client, contact: Contact) -> None:
    data = {
        "kind": Kind.MEETING,
        "happened_at": (timezone.now() - timedelta(days=2)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M"),
        "note": "Messe",
        "initiated_by": "them",
        "exchange": Exchange.GIVE,
        "exchange_label": "Empfehlung an Petra",
        "promise": "Unterlagen schicken",
        "promise_due": (timezone.now() + timedelta(days=7)).date().isoformat(),
        "gut_feeling": "Offen und herzlich",
    }

    owner_client.post(reverse("touchpoints:log", args=[contact.pk]), data)

    logged = Touchpoint.objects.get(contact=contact)
    assert (logged.exchange, logged.exchange_label, logged.gut_feeling) == (
        Exchange.GIVE,
        "Empfehlung an Petra",
        "Offen und herzlich",
    )
    contact = fresh(contact)
    assert (contact.gives, contact.open_promises, contact.their_touch_count) == (1, 1, 1)
    assert contact.first_personal_touch_at == logged.happened_at


def test_a_touch_logged_in_the_minute_the_contact_became_a_prospect_counts(
    owner_client: Client, vienna, contact: Contact
) -> None:
    """R6: made a prospect at 12:00:40, a call logged with the form's time of that minute counts."""
    became = NOW + timedelta(seconds=40)
    contact.prospect_status = ProspectStatus.PROSPECT
    contact.follow_prospect_status(ProspectStatus.NONE, now=became)
    contact.save()

    with time_machine.travel(became + timedelta(seconds=10), tick=False):
        owner_client.post(
            reverse("touchpoints:log", args=[contact.pk]),
            {"kind": Kind.CALL, "happened_at": "2026-11-20T13:00"},  # Vienna: 12:00 UTC
        )

    assert Touchpoint.objects.get(contact=contact).happened_at == NOW
    assert fresh(contact).prospect_touches == 1


def test_it_refuses_a_time_in_the_future_and_keeps_the_input(owner_client: Client, contact: Contact) -> None:
    later = (timezone.now() + timedelta(hours=2)).astimezone(contact.owner.zone).strftime("%Y-%m-%dT%H:%M")

    response = owner_client.post(
        reverse("touchpoints:log", args=[contact.pk]),
        {"kind": Kind.CALL, "happened_at": later, "note": "Noch nicht"},
        headers=HTMX,
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "HX-Trigger" not in response
    assert "This time lies in the future" in body
    assert f'value="{later}"' in body
    assert "Noch nicht" in body
    assert '<details class="more" open>' in body
    assert not Touchpoint.objects.exists()


def test_it_accepts_a_time_a_few_minutes_ahead(owner_client: Client, contact: Contact) -> None:
    # A phone's clock a little ahead of the server's: within five minutes is still now.
    soon = (timezone.now() + timedelta(minutes=3)).astimezone(contact.owner.zone).strftime("%Y-%m-%dT%H:%M")

    owner_client.post(reverse("touchpoints:log", args=[contact.pk]), {"kind": Kind.CALL, "happened_at": soon})

    assert Touchpoint.objects.filter(contact=contact).count() == 1


def test_it_shows_errors_of_a_plain_post_on_the_panel_page(owner_client: Client, contact: Contact) -> None:
    response = owner_client.post(reverse("touchpoints:log", args=[contact.pk]), {"kind": "telepathy"})

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" in body
    assert "Please correct the fields marked below." in body
    assert not Touchpoint.objects.exists()


def test_it_refuses_a_due_date_without_a_promise(owner_client: Client, contact: Contact) -> None:
    response = owner_client.post(
        reverse("touchpoints:log", args=[contact.pk]),
        {"kind": Kind.CALL, "promise_due": "2026-12-01"},
        headers=HTMX,
    )

    assert "A due date needs a promise" in response.content.decode()
    assert not Touchpoint.objects.exists()


def test_it_refuses_a_promise_due_before_the_touch(owner_client: Client, contact: Contact) -> None:
    data = {"kind": Kind.CALL, "happened_at": "2026-11-20T10:00", "promise": "Angebot schicken"}

    before = owner_client.post(
        reverse("touchpoints:log", args=[contact.pk]), {**data, "promise_due": "2026-11-19"}, headers=HTMX
    )
    assert "A promise is due on or after the day it was made." in before.content.decode()
    assert not Touchpoint.objects.exists()

    owner_client.post(
        reverse("touchpoints:log", args=[contact.pk]), {**data, "promise_due": "2026-11-20"}, headers=HTMX
    )
    assert Touchpoint.objects.get().promise_due == date(2026, 11, 20)  # the same day is fine


@time_machine.travel(NOW, tick=False)
def test_it_reads_the_time_in_the_users_zone(owner_client: Client, vienna, contact: Contact) -> None:
    owner_client.post(
        reverse("touchpoints:log", args=[contact.pk]), {"kind": Kind.CALL, "happened_at": "2026-07-01T10:00"}
    )

    # Vienna is UTC+2 in summer.
    assert Touchpoint.objects.get().happened_at == datetime(2026, 7, 1, 8, 0, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
def test_it_refuses_a_time_the_clocks_skip(owner_client: Client, vienna, contact: Contact) -> None:
    # 29 March 2026: at 02:00 the clocks in Vienna jump to 03:00; 02:30 never happens.
    response = owner_client.post(
        reverse("touchpoints:log", args=[contact.pk]),
        {"kind": Kind.CALL, "happened_at": "2026-03-29T02:30"},
        headers=HTMX,
    )

    body = response.content.decode()
    assert "02:30 does not exist in your time zone (Europe/Vienna)" in body
    assert not Touchpoint.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_it_reads_an_ambiguous_time_as_the_first_of_the_two(
    owner_client: Client, vienna, contact: Contact
) -> None:
    # 25 October 2026: 02:00-03:00 happens twice in Vienna. fold=0: the first, still summer time.
    owner_client.post(
        reverse("touchpoints:log", args=[contact.pk]), {"kind": Kind.CALL, "happened_at": "2026-10-25T02:30"}
    )

    assert Touchpoint.objects.get().happened_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


# 25 October 2026 in Vienna: 02:00-03:00 CEST, then 02:00-03:00 CET again (00:00-02:00 UTC).
SECOND_0230 = datetime(2026, 10, 25, 1, 30, 27, tzinfo=UTC)


def test_a_touch_in_the_second_0230_saved_unchanged_keeps_its_time(
    owner_client: Client, vienna, contact: Contact
) -> None:
    """The field shows both passes of the hour alike (02:30): saving the form as it was shown, a
    note added, must not move the touch to the first."""
    logged = ledger.log_touch(contact, kind=Kind.CALL, happened_at=SECOND_0230)
    edit = reverse("touchpoints:edit", args=[logged.pk])
    with time_machine.travel(datetime(2026, 10, 26, 9, 0, tzinfo=UTC), tick=False):
        form = owner_client.get(edit).content.decode()
        owner_client.post(edit, {"kind": Kind.CALL, "happened_at": "2026-10-25T02:30", "note": "Rückruf"})

    assert 'value="2026-10-25T02:30"' in form
    logged.refresh_from_db()
    assert (logged.happened_at, logged.note) == (SECOND_0230, "Rückruf")


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # during the second pass, with the time the form pre-filled: that pass
        (datetime(2026, 10, 25, 1, 40, tzinfo=UTC), datetime(2026, 10, 25, 1, 30, tzinfo=UTC)),
        # during the first pass, the second is still to come
        (datetime(2026, 10, 25, 0, 40, tzinfo=UTC), datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
        # a day later: the first, as any other time typed (see above)
        (datetime(2026, 10, 26, 9, 0, tzinfo=UTC), datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
    ],
)
def test_a_touch_logged_during_the_second_pass_of_the_hour_is_in_it(
    owner_client: Client, vienna, contact: Contact, now: datetime, expected: datetime
) -> None:
    with time_machine.travel(now, tick=False):
        owner_client.post(
            reverse("touchpoints:log", args=[contact.pk]),
            {"kind": Kind.CALL, "happened_at": "2026-10-25T02:30"},
        )

    assert Touchpoint.objects.get().happened_at == expected


def test_it_warns_when_asking_someone_never_given_to(owner_client: Client, contact: Contact) -> None:
    response = owner_client.post(
        reverse("touchpoints:log", args=[contact.pk]),
        {"kind": Kind.CALL, "exchange": Exchange.ASK, "exchange_label": "Einführung"},
        headers=HTMX,
    )

    body = response.content.decode()
    assert "You asked Jürgen Weiß for something before ever giving." in body
    assert "flash-warning" in body
    assert fresh(contact).asks == 1  # a warning, not a refusal


def test_it_warns_about_asking_first_after_a_plain_post_too(owner_client: Client, contact: Contact) -> None:
    response = owner_client.post(
        reverse("touchpoints:log", args=[contact.pk]),
        {"kind": Kind.CALL, "exchange": Exchange.ASK},
        follow=True,
    )

    assert "before ever giving" in response.content.decode()


def ask_warning(client: Client, contact: Contact, exchange: str, **headers: str) -> str:
    url = reverse("touchpoints:ask_warning", args=[contact.pk])
    response = client.get(url, {"exchange": exchange}, headers={**HTMX, **headers})
    assert response.status_code == 200
    return response.content.decode().strip()


ASK_FIRST = "You have not given Jürgen Weiß anything yet. Give first, then ask. You can still save this."


def test_choosing_ask_shows_the_warning_before_saving(owner_client: Client, contact: Contact) -> None:
    """R4: the log form asks as soon as "ask" is chosen, and shows the warning by the field."""
    panel = owner_client.get(reverse("touchpoints:panel", args=[contact.pk])).content.decode()
    url = reverse("touchpoints:ask_warning", args=[contact.pk])
    select = panel.split('name="exchange"', 1)[1].split(">", 1)[0]
    assert f'hx-get="{url}"' in select
    assert 'hx-target="#touch-ask-warning"' in select
    assert 'aria-describedby="touch-ask-warning"' in select
    assert (
        '<p class="help warning" id="touch-ask-warning" role="status" data-testid="ask-warning"></p>' in panel
    )

    assert ask_warning(owner_client, contact, Exchange.ASK) == ASK_FIRST
    assert ask_warning(owner_client, contact, Exchange.GIVE) == ""
    assert ask_warning(owner_client, contact, "") == ""
    assert not Touchpoint.objects.filter(contact=contact).exists()  # nothing saved


def test_after_giving_choosing_ask_shows_no_warning(owner_client: Client, contact: Contact) -> None:
    touch(contact, exchange=Exchange.GIVE, exchange_label="Buchtipp")

    assert ask_warning(owner_client, contact, Exchange.ASK) == ""


def test_a_form_shown_again_with_ask_shows_the_warning_by_the_field(
    owner_client: Client, contact: Contact
) -> None:
    later = (timezone.now() + timedelta(hours=2)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M")
    response = owner_client.post(
        reverse("touchpoints:log", args=[contact.pk]),
        {"kind": Kind.CALL, "exchange": Exchange.ASK, "happened_at": later},
        headers=HTMX,
    )

    assert f'data-testid="ask-warning">{ASK_FIRST}</p>' in response.content.decode()


def test_it_does_not_warn_about_an_ask_after_giving(owner_client: Client, contact: Contact) -> None:
    touch(contact, exchange=Exchange.GIVE, exchange_label="Buchtipp")

    response = owner_client.post(
        reverse("touchpoints:log", args=[contact.pk]),
        {"kind": Kind.CALL, "exchange": Exchange.ASK},
        headers=HTMX,
    )

    assert "before ever giving" not in response.content.decode()
    assert fresh(contact).asks == 1


def test_a_stranger_cannot_log_on_another_users_contact(stranger_client: Client, contact: Contact) -> None:
    url = reverse("touchpoints:log", args=[contact.pk])

    assert stranger_client.post(url, {"kind": Kind.CALL}).status_code == 404
    assert stranger_client.post(url, {"kind": Kind.CALL}, headers=HTMX).status_code == 404
    assert stranger_client.get(reverse("touchpoints:panel", args=[contact.pk])).status_code == 404
    assert not Touchpoint.objects.exists()
    assert fresh(contact).last_touch_at is None


def test_the_log_takes_post_only(owner_client: Client, contact: Contact) -> None:
    assert owner_client.get(reverse("touchpoints:log", args=[contact.pk])).status_code == 405


# ---------------------------------------------------------------- the timeline


def test_it_shows_each_touch_in_the_timeline(owner_client: Client, vienna, contact: Contact) -> None:
    with time_machine.travel(NOW, tick=False):
        ledger.log_touch(
            contact,
            kind=Kind.MEETING,
            happened_at=datetime(2026, 7, 1, 8, 0, tzinfo=UTC),
            note="Rotary-Abend",
            exchange=Exchange.GIVE,
            exchange_label="Kontakt zu Petra",
            promise="Artikel schicken",
            promise_due=date(2026, 7, 10),
            gut_feeling="Sympathisch",
        )
        ledger.log_touch(contact, kind=Kind.EMAIL, happened_at=datetime(2026, 11, 1, 8, 0, tzinfo=UTC))

        body = owner_client.get(reverse("touchpoints:timeline", args=[contact.pk])).content.decode()

    assert "<html" in body
    assert "Meeting in person" in body
    assert 'datetime="2026-07-01T10:00:00+02:00"' in body  # local time in Vienna
    assert "10:00" in body
    for text in ("Rotary-Abend", "Giving", "Kontakt zu Petra", "Artikel schicken", "Sympathisch"):
        assert text in body
    assert "overdue" in body
    assert 'class="marker personal"' in body
    assert 'class="marker digital"' in body
    assert body.index("E-mail") < body.index("Meeting in person")  # newest first
    for meeting in Touchpoint.objects.all():
        assert reverse("touchpoints:edit", args=[meeting.pk]) in body
        assert reverse("touchpoints:delete", args=[meeting.pk]) in body


def test_it_tells_open_kept_and_overdue_promises_apart(owner_client: Client, contact: Contact) -> None:
    today = timezone.localdate()
    open_ = touch(contact, promise="Offen", promise_due=today + timedelta(days=3))
    missed = touch(contact, promise="Verpasst", promise_due=today - timedelta(days=3))
    kept = touch(contact, promise="Erledigt", promise_due=today - timedelta(days=3))
    ledger.edit_touch(kept, promise_kept_at=timezone.now())

    body = owner_client.get(reverse("touchpoints:timeline", args=[contact.pk])).content.decode()

    assert 'class="badge promise-open"' in row(body, open_)
    assert 'class="badge promise-overdue"' in row(body, missed)
    assert 'class="badge promise-kept"' in row(body, kept)
    assert "Mark as kept" in row(body, missed)
    assert "Mark as kept" not in row(body, kept)


def test_it_pages_the_timeline_by_10_newest_first(owner_client: Client, contact: Contact) -> None:
    for day in range(15):
        touch(contact, days_ago=day + 1, note=f"Notiz {day + 1:02d}")
    url = reverse("touchpoints:timeline", args=[contact.pk])

    first = owner_client.get(url).context["page"]
    more = owner_client.get(url, {"page": 2}, headers=HTMX)

    assert [t.note for t in first.object_list][:2] == ["Notiz 01", "Notiz 02"]
    assert len(first.object_list) == 10
    body = more.content.decode()
    assert "<html" not in body
    assert body.strip().startswith('<li class="touch"')
    assert body.count('<li class="touch"') == 5
    assert "Notiz 15" in body
    assert "Notiz 10" not in body


def test_the_panel_links_to_older_touches_with_a_fallback(owner_client: Client, contact: Contact) -> None:
    for day in range(11):
        touch(contact, days_ago=day + 1)

    body = owner_client.get(reverse("touchpoints:panel", args=[contact.pk])).content.decode()

    older = reverse("touchpoints:timeline", args=[contact.pk]) + "?page=2"
    assert f'href="{older}"' in body
    assert f'hx-get="{older}"' in body
    assert body.count('<li class="touch"') == 10


@pytest.mark.parametrize("size", [10, 1000])
def test_the_timeline_takes_the_same_queries_at_10_and_1000_touches(
    owner_client: Client, contact: Contact, size: int, django_assert_num_queries
) -> None:
    bulk_touches(contact, size)

    # session, user, the contact (ownership), count of touches, the page of touches
    with django_assert_num_queries(5):
        response = owner_client.get(reverse("touchpoints:timeline", args=[contact.pk]))

    assert response.status_code == 200
    assert response.content.decode().count('<li class="touch"') == min(size, 10)


@pytest.mark.parametrize("size", [10, 1000])
def test_the_panel_takes_the_same_queries_at_10_and_1000_touches(
    owner_client: Client, contact: Contact, size: int, django_assert_num_queries
) -> None:
    bulk_touches(contact, size)

    # session, user, the contact (ownership), count of touches, the first page of touches
    with django_assert_num_queries(5):
        response = owner_client.get(reverse("touchpoints:panel", args=[contact.pk]), headers=HTMX)

    assert response.content.decode().count('<li class="touch"') == min(size, 10)


# ---------------------------------------------------------------- edit and delete


def test_it_edits_a_touch_and_keeps_the_summary_right(owner_client: Client, vienna, contact: Contact) -> None:
    with time_machine.travel(NOW, tick=False):
        logged = touch(contact, days_ago=3)
        earlier = touch(contact, days_ago=10)
        edit = reverse("touchpoints:edit", args=[logged.pk])

        form = owner_client.get(edit).content.decode()
        response = owner_client.post(edit, {"kind": Kind.REACTION, "happened_at": "2026-11-17T13:00"})

    # the stored time, shown in Vienna's time
    assert 'value="2026-11-17T13:00"' in form
    assert response.status_code == 302
    assert response["Location"] == contact.get_absolute_url()
    contact = fresh(contact)
    # A like does not count: the last touch is now the earlier call.
    assert contact.touch_count == 1
    assert contact.last_touch_at == earlier.happened_at


def test_it_edits_by_htmx_with_a_client_redirect(owner_client: Client, contact: Contact) -> None:
    logged = touch(contact)

    response = owner_client.post(
        reverse("touchpoints:edit", args=[logged.pk]),
        {"kind": Kind.MEETING, "note": "Doch getroffen"},
        headers=HTMX,
    )

    assert response["HX-Redirect"] == contact.get_absolute_url()
    assert Touchpoint.objects.get(pk=logged.pk).note == "Doch getroffen"
    assert fresh(contact).personal_touch_count == 1


def test_it_shows_edit_errors_in_the_form_fragment(owner_client: Client, contact: Contact) -> None:
    logged = touch(contact)

    response = owner_client.post(
        reverse("touchpoints:edit", args=[logged.pk]),
        {"kind": Kind.CALL, "promise_due": "2026-12-01"},
        headers=HTMX,
    )

    body = response.content.decode()
    assert body.strip().startswith('<form id="touch-form"')
    assert "A due date needs a promise" in body
    assert Touchpoint.objects.get(pk=logged.pk).promise_due is None


def test_it_asks_before_deleting_and_keeps_the_summary_right(owner_client: Client, contact: Contact) -> None:
    logged = touch(contact, days_ago=1, exchange=Exchange.GIVE)
    earlier = touch(contact, days_ago=5)
    url = reverse("touchpoints:delete", args=[logged.pk])

    confirm = owner_client.get(url)
    assert "Delete this touch?" in confirm.content.decode()
    assert Touchpoint.objects.filter(pk=logged.pk).exists()

    response = owner_client.post(url)

    assert response["Location"] == contact.get_absolute_url()
    assert not Touchpoint.objects.filter(pk=logged.pk).exists()
    contact = fresh(contact)
    assert (contact.touch_count, contact.gives) == (1, 0)
    assert contact.last_touch_at == earlier.happened_at


def test_it_deletes_by_htmx_with_a_client_redirect(owner_client: Client, contact: Contact) -> None:
    logged = touch(contact)

    response = owner_client.post(reverse("touchpoints:delete", args=[logged.pk]), headers=HTMX)

    assert response["HX-Redirect"] == contact.get_absolute_url()
    assert fresh(contact).last_touch_at is None


def test_a_stranger_cannot_edit_delete_or_keep_a_touch(stranger_client: Client, contact: Contact) -> None:
    logged = touch(contact, promise="Angebot")

    for name in ("touchpoints:edit", "touchpoints:delete", "touchpoints:keep_promise"):
        url = reverse(name, args=[logged.pk])
        assert stranger_client.get(url).status_code == 404
        assert stranger_client.post(url, {"kind": Kind.REACTION}).status_code == 404

    assert Touchpoint.objects.get(pk=logged.pk).kind == Kind.CALL
    assert Touchpoint.objects.get(pk=logged.pk).promise_kept_at is None


# ---------------------------------------------------------------- promises


def test_it_keeps_a_promise_by_htmx(owner_client: Client, contact: Contact) -> None:
    logged = touch(contact, promise="Angebot schicken")

    response = owner_client.post(reverse("touchpoints:keep_promise", args=[logged.pk]), headers=HTMX)

    body = response.content.decode()
    assert {"touch-logged", "promise-kept"} <= triggers(response).keys()
    assert body.strip().startswith(f'<li class="touch" id="touch-{logged.pk}"')
    assert 'class="badge promise-kept"' in body
    assert Touchpoint.objects.get(pk=logged.pk).promise_kept_at is not None
    assert fresh(contact).open_promises == 0


def test_it_keeps_a_promise_by_a_plain_post(owner_client: Client, contact: Contact) -> None:
    logged = touch(contact, promise="Angebot schicken")

    response = owner_client.post(reverse("touchpoints:keep_promise", args=[logged.pk]))

    assert response["Location"] == contact.get_absolute_url()
    assert fresh(contact).open_promises == 0


def test_it_keeps_the_first_date_a_promise_was_kept(owner_client: Client, contact: Contact) -> None:
    logged = touch(contact, promise="Angebot schicken")
    owner_client.post(reverse("touchpoints:keep_promise", args=[logged.pk]))
    first = Touchpoint.objects.get(pk=logged.pk).promise_kept_at

    owner_client.post(reverse("touchpoints:keep_promise", args=[logged.pk]))

    assert Touchpoint.objects.get(pk=logged.pk).promise_kept_at == first


# ---------------------------------------------------------------- quick log


def test_it_links_the_quick_log_from_the_main_navigation(owner_client: Client) -> None:
    body = owner_client.get(reverse("contacts:list")).content.decode()

    nav = body.split('class="mainnav"', 1)[1].split("</nav>", 1)[0]
    assert f'href="{reverse("touchpoints:quick")}"' in nav
    assert "Log a touch" in nav


def test_it_shows_the_quick_log_as_a_page_and_a_fragment(owner_client: Client) -> None:
    url = reverse("touchpoints:quick")

    page = owner_client.get(url).content.decode()
    fragment = owner_client.get(url, headers=HTMX).content.decode()

    assert "<html" in page
    assert 'name="q"' in page
    assert 'name="kind" value="call"' in page
    assert "<html" not in fragment
    assert fragment.strip().startswith('<section id="quick-log"')


def test_it_lists_matches_as_radio_buttons_without_javascript(owner_client: Client, owner) -> None:
    petra = ContactFactory(owner=owner, first_name="Petra", last_name="Klein", company="Musterbau AG")
    ContactFactory(owner=owner, first_name="Jürgen", last_name="Weiß")

    body = owner_client.get(reverse("touchpoints:quick"), {"q": "muster"}).content.decode()

    assert f'type="radio" name="contact" value="{petra.pk}" checked' in body
    assert "Jürgen" not in body


def test_the_contact_search_lists_only_the_owners_active_contacts(
    owner_client: Client, owner, stranger
) -> None:
    mine = ContactFactory(owner=owner, first_name="Anna", last_name="Berger")
    ContactFactory(owner=stranger, first_name="Anna", last_name="Fremd")
    archived = ContactFactory(owner=owner, first_name="Anna", last_name="Archiv")
    archived.archive(now=timezone.now())

    response = owner_client.get(reverse("touchpoints:contact_search"), {"q": "anna"}, headers=HTMX)

    body = response.content.decode()
    assert "<html" not in body
    assert body.strip().startswith('<fieldset id="quick-matches"')
    assert "Anna Berger" in body
    assert f'value="{mine.pk}"' in body
    assert "Fremd" not in body
    assert "Archiv" not in body


def test_the_contact_search_lists_at_most_8(owner_client: Client, owner) -> None:
    ContactFactory.create_batch(12, owner=owner, company="Viele GmbH")

    body = owner_client.get(
        reverse("touchpoints:contact_search"), {"q": "viele"}, headers=HTMX
    ).content.decode()

    assert body.count('type="radio" name="contact"') == 8


def test_the_contact_search_without_htmx_is_the_quick_page(owner_client: Client, owner) -> None:
    ContactFactory(owner=owner, first_name="Anna", last_name="Berger")

    body = owner_client.get(reverse("touchpoints:contact_search"), {"q": "anna"}).content.decode()

    assert "<html" in body
    assert "Anna Berger" in body


def test_it_logs_from_the_quick_log_in_two_clicks(owner_client: Client, owner) -> None:
    prospect = new_prospect(owner, first_name="Petra")

    response = owner_client.post(
        reverse("touchpoints:quick"), {"q": "Petra", "contact": prospect.pk, "kind": Kind.CALL}, follow=True
    )

    assert response.redirect_chain == [(reverse("touchpoints:quick"), 302)]
    assert f"Call with {prospect.name} logged." in response.content.decode()
    prospect = fresh(prospect)
    assert prospect.prospect_touches == 1
    assert prospect.last_touch_at is not None


def test_it_logs_from_the_quick_log_by_htmx(owner_client: Client, contact: Contact) -> None:
    response = owner_client.post(
        reverse("touchpoints:quick"),
        {"contact": contact.pk, "kind": Kind.CARD, "note": "Danke"},
        headers=HTMX,
    )

    body = response.content.decode()
    assert "touch-logged" in triggers(response)
    assert body.strip().startswith('<section id="quick-log"')
    assert "Handwritten card with Jürgen Weiß logged." in body
    assert fresh(contact).personal_touch_count == 1
    # where the contact stands now: its rules panel, loaded right after
    status = reverse("contacts:status", args=[contact.pk])
    assert f'<div hx-get="{status}" hx-trigger="load" hx-swap="outerHTML"></div>' in body
    assert f'<a href="{contact.get_absolute_url()}">Jürgen Weiß</a>' in body


def test_the_quick_log_shows_no_contact_status_before_a_touch(owner_client: Client, contact: Contact) -> None:
    body = owner_client.get(reverse("touchpoints:quick"), {"q": "Weiß"}).content.decode()

    assert 'data-testid="logged"' not in body


def test_it_warns_about_asking_first_in_the_quick_log(owner_client: Client, contact: Contact) -> None:
    response = owner_client.post(
        reverse("touchpoints:quick"),
        {"contact": contact.pk, "kind": Kind.CALL, "exchange": Exchange.ASK},
        headers=HTMX,
    )

    assert "before ever giving" in response.content.decode()


def test_it_asks_for_a_contact_in_the_quick_log(owner_client: Client) -> None:
    response = owner_client.post(
        reverse("touchpoints:quick"), {"kind": Kind.CALL, "note": "Wer?"}, headers=HTMX
    )

    body = response.content.decode()
    assert "Pick a contact first." in body
    assert 'value="Wer?"' in body
    assert "HX-Trigger" not in response
    assert not Touchpoint.objects.exists()


def test_the_quick_log_refuses_another_users_contact(stranger_client: Client, contact: Contact) -> None:
    response = stranger_client.post(reverse("touchpoints:quick"), {"contact": contact.pk, "kind": Kind.CALL})

    assert response.status_code == 200
    assert "Pick one of your contacts." in response.content.decode()
    assert not Touchpoint.objects.exists()
    assert fresh(contact).last_touch_at is None
