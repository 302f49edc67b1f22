"""The roster review's master plan: who could join the strong ties, the goals for the next
quarter, and at the next review those goals against what happened."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from contacts.choices import Channel, Circle, Stage
from contacts.models import Contact
from netzwerk.accounts.models import User
from reminders import review
from reminders.models import RosterReview
from tests.factories import ContactFactory, UserFactory, strong_ties
from touchpoints import ledger
from touchpoints.kinds import Kind

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)
DAY = timedelta(days=1)
PAGE = "/today/review/"


def at(moment: datetime) -> time_machine.travel:
    return time_machine.travel(moment, tick=False)


def regular(owner: User, name: str, *, touched: timedelta | None = 10 * DAY, **fields: Any) -> Contact:
    """A regular contact met in person, added a year before NOW, called `touched` before NOW."""
    with at(NOW - 365 * DAY):
        made: Contact = ContactFactory(owner=owner, first_name=name, **({"circle": Circle.REGULAR} | fields))
    if touched is not None:
        ledger.log_touch(made, kind=Kind.CALL, happened_at=NOW - touched)
    made.refresh_from_db()
    return made


def names(candidates: list[review.Candidate]) -> list[str]:
    return [candidate.contact.first_name for candidate in candidates]


# ---------------------------------------------------------------- promotion candidates


def test_it_proposes_key_positions_first_then_the_strongest(owner: User) -> None:
    regular(owner, "Schwach", touched=80 * DAY)
    strong = regular(owner, "Stark", touched=2 * DAY)
    for days in (30, 60, 90):  # touched often: frequency and recency
        ledger.log_touch(strong, kind=Kind.MEETING, happened_at=NOW - days * DAY)
    regular(owner, "Schlüssel", touched=70 * DAY, key_position=True)

    assert names(review.promotion_candidates(owner, now=NOW)) == ["Schlüssel", "Stark", "Schwach"]


def test_it_never_proposes_an_online_contact_a_strong_tie_or_one_not_met_lately(owner: User) -> None:
    regular(owner, "Kandidat")
    online = regular(owner, "Online", touched=None, stage=Stage.ONLINE, how_met=Channel.LINKEDIN)
    ledger.log_touch(online, kind=Kind.EMAIL, happened_at=NOW - DAY)  # digital: still online-only
    # Called, then set back to "online contact" by hand: still not met (R5).
    Contact.objects.filter(pk=regular(owner, "Zurückgesetzt").pk).update(stage=Stage.ONLINE)
    (tie,) = strong_ties(owner, 1)
    ledger.log_touch(tie, kind=Kind.MEETING, happened_at=NOW - DAY)
    regular(owner, "Lange her", touched=100 * DAY)
    regular(owner, "Lose", circle=Circle.LOOSE)
    regular(owner, "Archiviert").archive(now=NOW)
    regular(UserFactory(), "Fremd")  # another user's

    assert names(review.promotion_candidates(owner, now=NOW)) == ["Kandidat"]


def test_it_proposes_at_most_five(owner: User) -> None:
    for index in range(7):
        regular(owner, f"K{index}", touched=(index + 1) * DAY)

    assert names(review.promotion_candidates(owner, now=NOW)) == ["K0", "K1", "K2", "K3", "K4"]


def test_the_review_page_offers_the_roster_promote_button(owner: User, owner_client: Client) -> None:
    candidate = regular(owner, "Kandidat", touched=DAY)

    with at(NOW):
        page = owner_client.get(PAGE)

    assert page.status_code == 200
    assert [row.contact for row in page.context["candidates"]] == [candidate]
    assert f'action="{reverse("contacts:promote", args=[candidate.pk])}"' in page.text
    assert 'data-testid="candidates-full"' not in page.text


def test_promoting_a_candidate_at_the_cap_is_refused_with_swap_suggestions(
    owner: User, owner_client: Client
) -> None:
    owner.strong_tie_cap = 40
    owner.save(update_fields=["strong_tie_cap"])
    strong_ties(owner, 40)
    candidate = regular(owner, "Kandidat", touched=DAY)
    with at(NOW):
        page = owner_client.get(PAGE)
        refused = owner_client.post(reverse("contacts:promote", args=[candidate.pk]), {"next": PAGE})
        fragment = owner_client.post(
            reverse("contacts:promote", args=[candidate.pk]), {"next": PAGE}, headers={"HX-Request": "true"}
        )

    assert 'data-testid="candidates-full"' in page.text
    assert refused.status_code == 409
    assert "swap-panel" in refused.text
    assert "swap-panel" in fragment.text
    assert reverse("contacts:swap", args=[candidate.pk, refused.context["candidates"][0].pk]) in fragment.text
    assert Contact.objects.for_owner(owner).strong_ties().count() == 40
    candidate.refresh_from_db()
    assert candidate.circle == Circle.REGULAR


def test_a_candidate_promoted_joins_the_strong_ties(owner: User, owner_client: Client) -> None:
    candidate = regular(owner, "Kandidat", touched=DAY)
    with at(NOW):
        owner_client.post(reverse("contacts:promote", args=[candidate.pk]), {"next": PAGE})
        page = owner_client.get(PAGE)

    candidate.refresh_from_db()
    assert candidate.circle == Circle.STRONG
    assert page.context["candidates"] == []
    assert 'data-testid="no-candidates"' in page.text


# ---------------------------------------------------------------- goals for the next quarter


def test_the_goals_are_stored_with_the_review(owner: User, owner_client: Client) -> None:
    strong_ties(owner, 2)
    with at(NOW):
        response = owner_client.post(
            PAGE, {"goal_meetings": "5", "goal_key_positions": "3", "goal_note": "  Mehr Messen.  "}
        )

    assert response.status_code == 302
    assert response["Location"] == reverse("reminders:today")
    stored = RosterReview.objects.get(owner=owner)
    assert (stored.reviewed_at, stored.strong_ties) == (NOW, 2)
    assert (stored.goal_meetings, stored.goal_key_positions, stored.goal_note) == (5, 3, "Mehr Messen.")


def test_blank_goals_are_no_goals(owner: User, owner_client: Client) -> None:
    owner_client.post(PAGE, {"goal_meetings": "", "goal_key_positions": "", "goal_note": ""})

    stored = RosterReview.objects.get(owner=owner)
    assert (stored.goal_meetings, stored.goal_key_positions, stored.goal_note) == (None, None, "")
    assert not stored.has_goals


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"goal_meetings": "-1"}, "goal_meetings", "greater than or equal to 0"),
        ({"goal_meetings": "101"}, "goal_meetings", "less than or equal to 100"),
        ({"goal_meetings": "zwei"}, "goal_meetings", "Enter a whole number"),
        ({"goal_key_positions": "-3"}, "goal_key_positions", "greater than or equal to 0"),
        ({"goal_key_positions": "46"}, "goal_key_positions", "at most 45 strong ties (your cap)"),
        ({"goal_note": "x" * 501}, "goal_note", "at most 500 characters"),
    ],
)
def test_goals_out_of_bounds_are_refused_and_nothing_is_recorded(
    owner: User, owner_client: Client, data: dict[str, str], field: str, message: str
) -> None:
    owner.strong_tie_cap = 45
    owner.save(update_fields=["strong_tie_cap"])

    response = owner_client.post(PAGE, data)

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert 'class="field has-error"' in response.text
    assert not RosterReview.objects.filter(owner=owner).exists()


def test_the_highest_goals_within_bounds_are_taken(owner: User, owner_client: Client) -> None:
    owner_client.post(PAGE, {"goal_meetings": "100", "goal_key_positions": "60", "goal_note": "x" * 500})

    stored = RosterReview.objects.get(owner=owner)
    assert (stored.goal_meetings, stored.goal_key_positions, len(stored.goal_note)) == (100, 60, 500)


def test_the_database_refuses_goals_past_the_widest_bounds(owner: User) -> None:
    for goals in ({"goal_meetings": 101}, {"goal_key_positions": 61}):
        with pytest.raises(IntegrityError), transaction.atomic():
            RosterReview.objects.create(owner=owner, reviewed_at=NOW, strong_ties=0, **goals)


# ---------------------------------------------------------------- last quarter against its goals


def met_online(owner: User, name: str, *, on: datetime) -> Contact:
    """An online contact (LinkedIn), met in person (a call) on `on`: the stage history says so."""
    with at(NOW - 365 * DAY):
        made: Contact = ContactFactory(
            owner=owner, first_name=name, stage=Stage.ONLINE, how_met=Channel.LINKEDIN
        )
    ledger.log_touch(made, kind=Kind.CALL, happened_at=on)
    return made


def test_the_page_opens_with_last_quarters_goals_against_what_happened(
    owner: User, owner_client: Client
) -> None:
    reviewed = NOW - 91 * DAY
    met_online(owner, "Vorher", on=reviewed - DAY)  # before the review: not this quarter's
    with at(reviewed):
        owner_client.post(PAGE, {"goal_meetings": "5", "goal_key_positions": "2", "goal_note": "Mehr Messen"})
    owner_client.force_login(owner)  # the session saved back then (its message) has expired since
    for index, days in enumerate((80, 40, 3)):
        met_online(owner, f"Online{index}", on=NOW - days * DAY)
    ContactFactory(owner=owner, stage=Stage.ONLINE, how_met=Channel.XING)  # not met yet
    (key, _) = strong_ties(owner, 2)
    Contact.objects.filter(pk=key.pk).update(key_position=True)

    with at(NOW):
        page = owner_client.get(PAGE)

    text = page.text
    assert "Goal: meet 5 online contacts in person — met 3." in text
    assert "Goal: 2 strong ties in key positions — now 1." in text
    assert "Your note: “Mehr Messen”" in text
    assert "Reached" not in text
    last = page.context["last_quarter"]
    assert (last.met, last.key_positions) == (3, 1)


def test_a_goal_reached_says_so(owner: User, owner_client: Client) -> None:
    with at(NOW - 30 * DAY):
        owner_client.post(PAGE, {"goal_meetings": "1", "goal_key_positions": "0"})
    owner_client.force_login(owner)  # the session saved back then (its message) has expired since
    met_online(owner, "Online", on=NOW - 10 * DAY)

    with at(NOW):
        text = owner_client.get(PAGE).text

    assert "Goal: meet 1 online contact in person — met 1." in text
    assert "Goal: 0 strong ties in key positions — now 0." in text
    assert text.count("✓ Reached") == 2


def test_a_review_without_goals_shows_what_happened_anyway(owner: User, owner_client: Client) -> None:
    RosterReview.objects.create(owner=owner, reviewed_at=NOW - 50 * DAY, strong_ties=0)
    met_online(owner, "Online", on=NOW - 10 * DAY)

    with at(NOW):
        text = owner_client.get(PAGE).text

    assert "1 online contact met in person since then; you set no goal for it." in text
    assert "0 strong ties in key positions now; you set no goal for it." in text
    assert 'data-testid="goal-note"' not in text


def test_the_first_review_says_there_are_no_earlier_goals(owner_client: Client) -> None:
    page = owner_client.get(PAGE)

    assert page.context["last_quarter"] is None
    assert (
        "This is your first review. There are no goals from an earlier review to look back on yet"
        in page.text
    )


def test_the_page_speaks_german_with_du(owner: User, owner_client: Client) -> None:
    owner.language = "de"
    owner.save(update_fields=["language"])
    with at(NOW - 30 * DAY):
        owner_client.post(PAGE, {"goal_meetings": "4", "goal_note": "Mehr Messen"})
    owner_client.force_login(owner)  # the session saved back then (its message) has expired since
    met_online(owner, "Online", on=NOW - 10 * DAY)

    with at(NOW):
        text = owner_client.get(PAGE, headers={"accept-language": "de"}).text

    assert "Ziel: 4 Online-Kontakte persönlich treffen – getroffen: 1." in text
    assert "Deine Notiz: „Mehr Messen“" in text
    assert "Ziele für das nächste Quartal" in text


# ---------------------------------------------------------------- queries


def page_queries(client: Client, django_assert_num_queries: Any, count: int) -> None:
    client.get(PAGE)  # the session is warm
    with at(NOW), django_assert_num_queries(count):
        assert client.get(PAGE).status_code == 200


# session, user, the roster's strong ties, the gauge, the last review, the online contacts met
# since, the candidates
REVIEW_PAGE_QUERIES = 7


def test_the_review_page_takes_the_same_queries_for_few_and_many(
    owner: User, owner_client: Client, django_assert_num_queries: Any
) -> None:
    RosterReview.objects.create(owner=owner, reviewed_at=NOW - 50 * DAY, strong_ties=1, goal_meetings=3)
    strong_ties(owner, 1)
    regular(owner, "Kandidat")
    met_online(owner, "Online", on=NOW - 10 * DAY)
    page_queries(owner_client, django_assert_num_queries, REVIEW_PAGE_QUERIES)

    strong_ties(owner, 12)
    for index in range(12):
        regular(owner, f"K{index}", touched=(index + 1) * DAY, key_position=index % 2 == 0)
        met_online(owner, f"Online{index}", on=NOW - (index + 1) * DAY)
    page_queries(owner_client, django_assert_num_queries, REVIEW_PAGE_QUERIES)


def test_the_first_review_page_takes_one_query_less(
    owner: User, owner_client: Client, django_assert_num_queries: Any
) -> None:
    """Without an earlier review there is nothing met since to count."""
    strong_ties(owner, 3)
    regular(owner, "Kandidat")
    page_queries(owner_client, django_assert_num_queries, REVIEW_PAGE_QUERIES - 1)
