"""`manage.py seed_demo`: the demo user's network, its rules, its idempotence and the roster cap.

The command lives in touchpoints (it seeds touches too); tests/touchpoints/test_seed_demo.py
checks the touches.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from io import StringIO
from typing import Any

import phonenumbers
import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from contacts import demo, roster
from contacts.choices import ONLINE_CHANNELS, Channel, Circle, ProspectStatus, Stage
from contacts.models import Contact, ContactEmail, ContactPhone, Organisation, Tag, normalise_phone
from netzwerk.accounts.models import STRONG_TIE_WARN_FROM, User

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


def seed(*args: str, **options: Any) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out, **options)
    return out.getvalue()


def demo_user() -> User:
    return User.objects.get(email=demo.DEMO_EMAIL)


def contacts_of(user: User) -> Any:
    return Contact.objects.for_owner(user)


def snapshot(user: User) -> list[tuple[object, ...]]:
    """Everything seeded for `user`, in a form that compares across runs (no primary keys)."""
    rows = []
    contacts = contacts_of(user).select_related("met_at", "introduced_by")
    for contact in contacts.prefetch_related("emails", "phones", "tags", "organisations"):
        rows.append(
            (
                contact.name,
                contact.company,
                contact.position,
                contact.key_position,
                contact.circle,
                contact.stage,
                contact.prospect_status,
                contact.how_met,
                contact.birthday_date,
                contact.met_at.name if contact.met_at else None,
                contact.introduced_by.name if contact.introduced_by else None,
                sorted(email.address for email in contact.emails.all()),
                sorted(phone.number for phone in contact.phones.all()),
                sorted(tag.name for tag in contact.tags.all()),
                sorted(organisation.name for organisation in contact.organisations.all()),
                contact.notes,
                contact.linkedin_url,
                contact.xing_url,
                contact.last_touch_at,
                contact.archived_at,
            )
        )
    return sorted(rows, key=repr)


def row_counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "addresses": EmailAddress.objects.count(),
        "contacts": Contact.objects.count(),
        "emails": ContactEmail.objects.count(),
        "phones": ContactPhone.objects.count(),
        "tags": Tag.objects.count(),
        "organisations": Organisation.objects.count(),
        "tag links": Contact.tags.through.objects.count(),
        "memberships": Contact.organisations.through.objects.count(),
        "introductions": Contact.objects.filter(introduced_by__isnull=False).count(),
    }


@time_machine.travel(NOW, tick=False)
def test_it_seeds_the_demo_user_with_a_network_of_about_150_contacts() -> None:
    out = seed()

    user = demo_user()
    assert (user.first_name, user.last_name, user.language, user.time_zone) == (
        "Dana",
        "Demo",
        "de",
        "Europe/Berlin",
    )
    assert user.check_password("netzwerk-demo")
    assert EmailAddress.objects.filter(user=user, email=user.email, verified=True, primary=True).exists()
    contacts = contacts_of(user)
    assert contacts.count() == 150
    roster_now = roster.roster_for(user)
    assert STRONG_TIE_WARN_FROM <= roster_now.count <= roster_now.cap
    assert roster_now.count == 45
    assert 15 <= roster_now.key_positions <= 35  # R9: friends in key positions
    assert contacts.with_prospect_status(ProspectStatus.PROSPECT).count() == 12
    assert contacts.with_prospect_status(ProspectStatus.CUSTOMER).exists()
    assert contacts.with_prospect_status(ProspectStatus.NOT_NOW).exists()
    assert contacts.archived().exists()
    assert contacts.filter(birthday_month__isnull=False, birthday_year__isnull=True).exists()
    assert contacts.filter(birthday_day=29, birthday_month=2).exists()
    assert 80 <= contacts.filter(birthday_month__isnull=False).count() <= 120
    organisations = Organisation.objects.for_owner(user)
    assert organisations.filter(members__isnull=False).exists()
    assert organisations.filter(contacts_met__isnull=False).exists()
    assert {"Marketing-Club Köln", "DMEXCO 2025", "Wirtschaftsjunioren Wien"} <= {
        o.name for o in organisations
    }
    assert "Contacts created: 150" in out
    assert "Strong ties: 45/60" in out
    assert "Log in as demo@netzwerk.example / netzwerk-demo" in out


def test_it_lets_the_demo_user_log_in_right_away(client: Client) -> None:
    seed("--contacts", "5")

    response = client.post(
        reverse("account_login"), {"login": demo.DEMO_EMAIL, "password": demo.DEMO_PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("reminders:today")


@time_machine.travel(NOW, tick=False)
def test_it_builds_a_plausible_german_speaking_network() -> None:
    seed()

    contacts = contacts_of(demo_user())
    assert set(contacts.values_list("how_met", flat=True)) == set(Channel.values)
    assert not contacts.at_stage(Stage.STRONG_TIE).exclude(circle=Circle.STRONG).exists()
    assert not contacts.at_stage(Stage.ONLINE).exclude(how_met__in=ONLINE_CHANNELS).exists()
    assert not contacts.strong_ties().at_stage(Stage.ONLINE).exists()
    # R5: every strong tie first met online has its first meeting logged (roster.has_met)
    assert contacts.strong_ties().filter(how_met__in=ONLINE_CHANNELS).exists()
    assert all(roster.has_met(tie) for tie in contacts.strong_ties())
    online = contacts.at_stage(Stage.ONLINE)
    assert online.count() >= 15
    assert online.filter(circle=Circle.LOOSE).count() == online.count()
    assert online.filter(how_met__in=[Channel.LINKEDIN, Channel.XING]).count() > online.count() / 2
    assert not contacts.archived().strong_ties().exists()
    assert contacts.in_circle(Circle.REGULAR).count() >= 30
    assert contacts.in_circle(Circle.LOOSE).count() >= 30
    names = " ".join(contact.name for contact in contacts)
    assert any(letter in names for letter in "äöüß")
    assert contacts.filter(company__endswith="GmbH").exists()
    assert contacts.filter(company__endswith="AG").exists()
    assert contacts.filter(company__endswith="e.K.").exists()
    assert contacts.filter(introduced_by__isnull=False).count() >= 5
    assert not contacts.filter(how_met=Channel.REFERRAL, introduced_by__isnull=True).exists()
    assert contacts.filter(met_at__isnull=False).exclude(how_met__in=ONLINE_CHANNELS).exists()
    assert contacts.exclude(notes="").count() >= 20
    assert contacts.exclude(linkedin_url="").exists()
    assert contacts.exclude(xing_url="").exists()
    tags = {tag.name: tag.contacts.count() for tag in Tag.objects.for_owner(demo_user())}
    assert {"Kunde", "Golf", "Alumni", "Presse", "Investor", "Berlin", "Wien", "Mentor"} <= set(tags)
    assert all(count > 0 for count in tags.values())
    emails = list(ContactEmail.objects.filter(contact__owner=demo_user()).values_list("address", flat=True))
    assert all(address.endswith(".example") for address in emails)
    assert all(address.isascii() for address in emails)  # Jürgen Weiß is juergen.weiss@…
    phones = list(ContactPhone.objects.filter(contact__owner=demo_user()).values_list("number", flat=True))
    assert any(number.startswith("+49") for number in phones)
    assert any(number.startswith("+43") for number in phones)
    # R2: some strong ties have gone quiet, so the swap suggestions are not the creation order
    dormant = contacts.strong_ties().filter(last_touch_at__lt=NOW - timedelta(days=90))
    assert dormant.exists()
    assert contacts.filter(last_touch_at__gt=NOW - timedelta(days=30)).exists()
    assert contacts.filter(last_touch_at__lt=NOW - timedelta(days=300)).exists()


@pytest.mark.parametrize(
    "now",
    [NOW, datetime(2028, 2, 24, 22, 0, tzinfo=UTC), datetime(2026, 12, 28, 12, 0, tzinfo=UTC)],
    ids=["november", "before-a-leap-day", "around-new-year"],
)
def test_it_puts_a_birthday_into_each_gesture_window_of_the_next_two_weeks(now: datetime) -> None:
    # a small network, so that birthdays drawn at random rarely land in the windows by chance
    with time_machine.travel(now, tick=False):
        seed("--contacts", "30")

    contacts = list(contacts_of(demo_user()))
    today = now.astimezone(demo_user().zone).date()

    def birthdays_in(first: int, last: int) -> list[Contact]:
        days = {(day.month, day.day) for day in (today + timedelta(days=n) for n in range(first, last + 1))}
        return [c for c in contacts if c.has_birthday and (c.birthday_month, c.birthday_day) in days]

    assert birthdays_in(1, 2), "call on the day"
    assert birthdays_in(4, 6), "handwritten card"
    assert birthdays_in(9, 12), "order a gift"
    for contact in contacts:
        contact.full_clean()


@time_machine.travel(NOW, tick=False)
def test_it_creates_nothing_new_when_run_twice() -> None:
    seed()
    before, seeded = row_counts(), snapshot(demo_user())

    out = seed()

    assert row_counts() == before
    assert snapshot(demo_user()) == seeded
    assert "already has a network" in out
    assert "Log in as demo@netzwerk.example / netzwerk-demo" in out


def test_it_seeds_the_same_network_for_the_same_user_on_the_same_day() -> None:
    with time_machine.travel(NOW, tick=False):
        seed("--email", "replay@netzwerk.example")
        first = snapshot(User.objects.get(email="replay@netzwerk.example"))
        user = User.objects.get(email="replay@netzwerk.example")
        contacts_of(user).delete()
        Organisation.objects.for_owner(user).delete()
        Tag.objects.for_owner(user).delete()

        seed("--email", "replay@netzwerk.example")

    assert len(first) == 150
    assert snapshot(user) == first


def test_it_stores_only_valid_contacts_phones_and_emails() -> None:
    seed()

    user = demo_user()
    phones = ContactPhone.objects.filter(contact__owner=user)
    assert phones.count() >= 150
    for phone in phones:
        assert normalise_phone(phone.number) == phone.number
        assert phonenumbers.is_valid_number(phonenumbers.parse(phone.number))
        phone.full_clean()
        assert phone.number == normalise_phone(phone.number)
    for email in ContactEmail.objects.filter(contact__owner=user):
        email.full_clean()
    for contact in contacts_of(user):
        contact.full_clean()
    for organisation in Organisation.objects.for_owner(user):
        organisation.full_clean()
    for tag in Tag.objects.for_owner(user):
        tag.full_clean()


def test_it_never_seeds_more_strong_ties_than_the_cap_allows() -> None:
    user = User.objects.create_user("capped@netzwerk.example", "secret-pass-123", strong_tie_cap=40)

    out = seed("--email", "capped@netzwerk.example", "--contacts", "200")

    assert contacts_of(user).count() == 200
    assert contacts_of(user).strong_ties().count() == 40
    assert roster.roster_for(user).is_full
    assert not contacts_of(user).at_stage(Stage.STRONG_TIE).exclude(circle=Circle.STRONG).exists()
    assert "Strong ties: 40/40" in out
    assert "with its existing password" in out


def test_it_makes_every_strong_tie_through_the_cap_check(monkeypatch: pytest.MonkeyPatch) -> None:
    real_create = roster.create_strong_ties
    checked: list[int] = []

    def spy(contacts: Sequence[Contact], **kwargs: Any) -> int:
        joined = real_create(contacts, **kwargs)
        checked.extend(contact.pk for contact in contacts if contact.circle == Circle.STRONG)
        return joined

    monkeypatch.setattr(roster, "create_strong_ties", spy)

    seed()

    strong_ties = set(contacts_of(demo_user()).strong_ties().values_list("pk", flat=True))
    assert len(strong_ties & set(checked)) == 45
    # every strong tie seeded, the demo coach's second client's too, went through it
    assert set(Contact.objects.strong_ties().values_list("pk", flat=True)) == set(checked)


def test_it_adds_no_strong_tie_when_the_cap_check_reports_full_rosters(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def full(owners: Iterable[User]) -> dict[int, roster.Roster]:
        return {
            owner.pk: roster.Roster(count=owner.strong_tie_cap, cap=owner.strong_tie_cap, key_positions=0)
            for owner in owners
        }

    monkeypatch.setattr(roster, "rosters_for", full)

    seed()
    seed("--users", "2", "--contacts", "20")

    assert Contact.objects.count() == 150 + 75 + 2 * 20
    assert not Contact.objects.strong_ties().exists()
    assert not Contact.objects.at_stage(Stage.STRONG_TIE).exists()


def test_it_leaves_an_existing_network_alone() -> None:
    user = User.objects.create_user("full@netzwerk.example", "secret-pass-123", strong_tie_cap=40)
    for number in range(40):
        roster.save_contact(
            Contact(
                owner=user, first_name="Jürgen", last_name=f"Weiß {number}", circle="strong", stage="met"
            ),
            now=NOW,
        )
    before = row_counts()

    out = seed("--email", "full@netzwerk.example")

    after = row_counts()
    assert contacts_of(user).count() == 40
    assert contacts_of(user).strong_ties().count() == 40
    assert after["contacts"] == before["contacts"]
    assert after["addresses"] == before["addresses"] + 1  # the login address, verified
    assert user.check_password("secret-pass-123")
    assert "already has a network" in out
    assert "Strong ties: 40/40" in out


def test_it_seeds_extra_users_for_scale_tests() -> None:
    out = seed("--users", "3", "--contacts", "20")

    extra = User.objects.filter(email__startswith="demo-user-").order_by("email")
    assert [user.email for user in extra] == [
        "demo-user-0001@netzwerk.example",
        "demo-user-0002@netzwerk.example",
        "demo-user-0003@netzwerk.example",
    ]
    for user in extra:
        assert contacts_of(user).count() == 20
        assert contacts_of(user).strong_ties().count() == 6  # min(10, 20 * 0.3)
        assert EmailAddress.objects.filter(user=user, email=user.email, verified=True, primary=True).exists()
        assert user.check_password(demo.DEMO_PASSWORD)
        assert Organisation.objects.for_owner(user).exists()
    assert contacts_of(demo_user()).count() == 20
    assert "Extra users: 3 seeded (3 new)" in out
    # different e-mails, different seeds, different networks
    assert snapshot(extra[0]) != snapshot(extra[1])

    before = row_counts()
    again = seed("--users", "3", "--contacts", "20")
    assert row_counts() == before
    assert "Extra users: 0 seeded (0 new), 3 already had a network" in again


def test_it_caps_the_strong_ties_of_extra_users_too() -> None:
    capped = User.objects.create_user(demo.extra_user_email(1), "secret-pass-123", strong_tie_cap=40)

    result = demo.seed_extra_users(2, contacts=200, now=NOW, strong_ties_max=60)

    assert (result.users_created, result.users_seeded, result.strong_ties) == (1, 2, 40 + 60)
    assert contacts_of(capped).strong_ties().count() == 40
    assert contacts_of(capped).count() == 200
    assert EmailAddress.objects.filter(user=capped, verified=True, primary=True).exists()
    assert User.objects.get(pk=capped.pk).check_password("secret-pass-123")
    other = User.objects.get(email=demo.extra_user_email(2))
    assert contacts_of(other).strong_ties().count() == 60


@pytest.mark.parametrize(
    ("args", "options"),
    [
        (("--contacts", "-1"), {}),
        ((), {"contacts": -1}),
        ((), {"users": -3}),
        (("--email", "not-an-address"), {}),
    ],
)
def test_it_refuses_bad_options(args: tuple[str, ...], options: dict[str, Any]) -> None:
    with pytest.raises(CommandError):
        seed(*args, **options)
    assert not Contact.objects.exists()


def test_it_handles_tiny_networks() -> None:
    seed("--contacts", "0")
    assert not contacts_of(demo_user()).exists()

    seed("--email", "one@netzwerk.example", "--contacts", "1")
    assert Contact.objects.filter(owner__email="one@netzwerk.example").count() == 1


def test_it_plans_the_same_network_from_the_same_seed() -> None:
    def plan() -> list[tuple[str, str, str, str | None]]:
        network = demo.plan_network(
            demo.rng_for("someone@netzwerk.example"), size=60, strong_ties=18, today=date(2026, 3, 1), now=NOW
        )
        return [(p.contact.name, p.contact.circle, p.contact.stage, p.met_at) for p in network.contacts]

    assert plan() == plan()
