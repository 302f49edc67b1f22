"""Demo data: a realistic German-speaking network for the demo user, and many more for scale tests.

`plan_network` is pure: from a seeded `random.Random`, the size and today's date it plans a
network (contacts, their e-mails, phones, tags, organisations, introductions). The writers put
plans into the database: organisations and tags with `bulk_create`; the contacts that are not
strong ties, their e-mails, phones and links with `netzwerk.bulk_copy` (COPY on PostgreSQL);
every strong tie through `contacts.roster.create_strong_ties`, the cap's checks for many contacts
at once (R2), so the seed can never fill a roster beyond its cap. A strong tie the cap refuses is
saved in the regular circle instead.

A user who already has contacts is left alone, so seeding twice creates nothing new.

The `seed_demo` command lives in touchpoints (contacts never imports touchpoints): after these
writers it adds each network's touches (touchpoints/demo.py), whose summaries replace the
`last_touch_at` planned here; `seed_extra_users(after_batch=...)` lets it do so per batch.
"""

from __future__ import annotations

import calendar
import contextlib
import functools
import gc
import multiprocessing
import random
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import connection, connections, transaction
from django.utils import timezone

from contacts import roster
from contacts.choices import ONLINE_CHANNELS, Channel, Circle, ProspectStatus, Stage
from contacts.demo_data import (
    ALUMNI_CLUB,
    CHANNEL_WEIGHTS,
    CITIES,
    CITY_TAGS,
    CLUB_ORGANISATIONS,
    COMPANIES,
    CUSTOMER_NOTES,
    FEMALE_FIRST_NAMES,
    FREELANCE_POSITIONS,
    LAST_NAMES,
    MALE_FIRST_NAMES,
    MOBILE_PREFIXES,
    NOT_NOW_NOTES,
    NOTES,
    ORGANISATIONS,
    POSITIONS,
    PRIVATE_DOMAINS,
    PROSPECT_NOTES,
    VENUES_BY_CHANNEL,
    City,
    Company,
    OrganisationSpec,
)
from contacts.models import Contact, ContactEmail, ContactPhone, Organisation, Tag
from netzwerk import bulk_copy
from netzwerk.accounts.models import User

DEMO_EMAIL = "demo@netzwerk.example"
DEMO_PASSWORD = "netzwerk-demo"
DEMO_FIRST_NAME = "Dana"
DEMO_LAST_NAME = "Demo"
# The demo coach and their second client (the demo user is the first); same password.
DEMO_COACH_EMAIL = "coach@netzwerk.example"
DEMO_COACH_NAME = ("Clara", "Coach")
DEMO_CLIENT_EMAIL = "kai@netzwerk.example"
DEMO_CLIENT_NAME = ("Kai", "Klein")
DEMO_LANGUAGE = User.Language.GERMAN
DEMO_TIME_ZONE = "Europe/Berlin"
# The demo network has a year and a half of history: its users joined then (the quarterly roster
# review is due, since none is recorded).
DEMO_MEMBER_FOR = timedelta(days=550)

DEFAULT_CONTACTS = 150
STRONG_TIE_SHARE = 0.3
STRONG_TIES_MAX = 45  # past the warning (40), below the default cap (60)
EXTRA_USER_STRONG_TIES_MAX = 10
EXTRA_USERS_PER_BATCH = 100
BULK_BATCH_SIZE = 1000
UPCOMING_BIRTHDAY_WINDOWS = ((1, 2), (4, 6), (9, 12))  # days ahead: call, card, gift


def extra_user_email(number: int) -> str:
    return f"demo-user-{number:04d}@netzwerk.example"


def rng_for(email: str) -> random.Random:
    """The same e-mail always gets the same network (string seeds are not hash-randomised)."""
    return random.Random(f"netzwerk-demo:{email.lower()}")


def strong_tie_target(contacts: int, *, cap: int, maximum: int = STRONG_TIES_MAX) -> int:
    return max(0, min(maximum, round(contacts * STRONG_TIE_SHARE), cap, contacts))


_TRANSLITERATION = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}
)


def ascii_name(text: str) -> str:
    """`Jürgen Weiß` -> `Juergen Weiss`: German transliteration, then any other accent dropped."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATION))
    return decomposed.encode("ascii", "ignore").decode("ascii")


@functools.cache
def _slug(text: str, *, separator: str) -> str:
    words = "".join(char if char.isalnum() else " " for char in ascii_name(text).lower()).split()
    return separator.join(words)


# ---------------------------------------------------------------- the plan


@dataclass(slots=True)
class PlannedContact:
    """One contact of a plan; `introducer` and `met_at` are resolved when the plan is written."""

    contact: Contact
    city: City
    company: Company | None = None
    emails: list[tuple[str, str]] = field(default_factory=list)
    phones: list[tuple[str, str]] = field(default_factory=list)
    tags: set[str] = field(default_factory=set)
    memberships: set[str] = field(default_factory=set)
    met_at: str | None = None
    introducer: int | None = None  # index into NetworkPlan.contacts, always a lower one


@dataclass(slots=True)
class NetworkPlan:
    contacts: list[PlannedContact]
    organisations: list[OrganisationSpec]
    tags: list[str]

    def wave_of(self, index: int) -> int:
        """Write order: strong ties (0), contacts introduced by nobody or by a strong tie (1),
        then those introduced by a wave-1 contact (2) and so on: every introducer is saved first."""
        person = self.contacts[index]
        if person.contact.circle == Circle.STRONG:
            return 0
        if person.introducer is None:
            return 1
        return self.wave_of(person.introducer) + 1


def plan_network(
    rng: random.Random, *, size: int, strong_ties: int, today: date, now: datetime
) -> NetworkPlan:
    """A network of `size` contacts, the first `strong_ties` of them meant for the roster."""
    strong = max(0, min(strong_ties, size))
    rest = size - strong
    regular = round(rest * 0.42)
    circles = [Circle.REGULAR] * regular + [Circle.LOOSE] * (rest - regular)
    rng.shuffle(circles)
    circles = [Circle.STRONG] * strong + circles

    planned = [
        _plan_person(rng, first, last, female, circle=circle)
        for (first, last, female), circle in zip(_pick_names(rng, size), circles, strict=True)
    ]
    _cover_every_channel(rng, planned)
    for person in planned:
        _set_stage_and_venue(rng, person)
    _introduce(rng, planned)
    _archive_and_prospects(rng, planned, now=now)
    _birthdays(rng, planned, today=today)
    for person in planned:
        _plan_reachability(rng, person)
        _touch_tags_notes(rng, person, now=now)

    organisation_names = {person.met_at for person in planned if person.met_at}
    organisation_names |= {name for person in planned for name in person.memberships}
    return NetworkPlan(
        contacts=planned,
        organisations=[spec for spec in ORGANISATIONS if spec.name in organisation_names],
        tags=sorted({tag for person in planned for tag in person.tags}),
    )


def _pick_names(rng: random.Random, size: int) -> list[tuple[str, str, bool]]:
    firsts = [(name, True) for name in FEMALE_FIRST_NAMES] + [(name, False) for name in MALE_FIRST_NAMES]
    combinations = len(firsts) * len(LAST_NAMES)
    if size <= combinations:
        picks = rng.sample(range(combinations), size)
    else:  # more contacts than names: namesakes are allowed
        picks = [rng.randrange(combinations) for _ in range(size)]
    names = []
    for pick in picks:
        first, female = firsts[pick % len(firsts)]
        names.append((first, LAST_NAMES[pick // len(firsts)], female))
    return names


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _plan_person(rng: random.Random, first: str, last: str, female: bool, *, circle: str) -> PlannedContact:
    company: Company | None = None
    if rng.random() < 0.9:
        company = rng.choice(COMPANIES)
        positions = POSITIONS
        if circle == Circle.STRONG and rng.random() < 0.5:  # R9: friends in key positions
            positions = tuple(position for position in POSITIONS if position.key)
        position = rng.choice(positions)
    else:
        position = rng.choice(FREELANCE_POSITIONS)
    key_share = (0.85 if circle == Circle.STRONG else 0.5) if position.key else 0.03
    key_position = rng.random() < key_share
    contact = Contact(
        first_name=first,
        last_name=last,
        company=company.name if company else "",
        position=position.female if female else position.male,
        key_position=key_position,
        circle=circle,
        how_met=_weighted(rng, CHANNEL_WEIGHTS[circle]),
    )
    city = CITIES[company.city] if company else rng.choice(list(CITIES.values()))
    person = PlannedContact(contact=contact, city=city, company=company)
    if position.tag:
        person.tags.add(position.tag)
    if city.name in CITY_TAGS:
        person.tags.add(city.name)
    return person


def _digits(rng: random.Random, count: int) -> str:
    return str(rng.randrange(10**count)).zfill(count)


def _landline(rng: random.Random, city: City) -> str:
    if city.country == "AT" and city.prefix == "+431":  # Vienna numbers never start with 0 or 1
        return city.prefix + rng.choice("23456789") + _digits(rng, city.digits - 1)
    return city.prefix + _digits(rng, city.digits)


def _mobile(rng: random.Random, country: str) -> str:
    prefix, digits = rng.choice(MOBILE_PREFIXES[country])
    return prefix + _digits(rng, digits)


def _plan_reachability(rng: random.Random, person: PlannedContact) -> None:
    """E-mails at the (fictitious, .example) company domain, E.164 phones, profile URLs."""
    contact, company, city = person.contact, person.company, person.city
    local = _slug(f"{contact.first_name} {contact.last_name}", separator=".")
    if company:
        person.emails.append((f"{local}@{company.domain}", "Arbeit"))
    if not company or rng.random() < 0.3:
        person.emails.append((f"{local}@{rng.choice(PRIVATE_DOMAINS)}", "Privat"))
    if company and rng.random() < 0.6:
        person.phones.append((_landline(rng, city), "Büro"))
    if not person.phones or rng.random() < 0.55:
        person.phones.append((_mobile(rng, city.country), "Mobil"))
    profile = _slug(f"{contact.first_name} {contact.last_name}", separator="-")
    if contact.how_met == Channel.LINKEDIN or rng.random() < 0.45:
        contact.linkedin_url = f"https://www.linkedin.com/in/{profile}-{rng.getrandbits(16):04x}/"
    if contact.how_met == Channel.XING or rng.random() < 0.3:
        xing = _slug(f"{contact.first_name} {contact.last_name}", separator="_").title()
        contact.xing_url = f"https://www.xing.com/profile/{xing}"
    if company and rng.random() < 0.2:
        contact.website = f"https://www.{company.domain}/"


def _cover_every_channel(rng: random.Random, planned: list[PlannedContact]) -> None:
    """Every `Channel` value appears at least once (on loose contacts, so circles stay plausible)."""
    used = {person.contact.how_met for person in planned}
    loose = [person for person in planned if person.contact.circle == Circle.LOOSE]
    rng.shuffle(loose)
    for channel in Channel.values:
        if channel not in used and loose:
            person = loose.pop()
            person.contact.how_met = channel
            used = {other.contact.how_met for other in planned}


def _set_stage_and_venue(rng: random.Random, person: PlannedContact) -> None:
    """R5: stages follow the circle; online-only contacts (R1) are loose ones met online (met at
    an event, a club or a fair, a contact is at "met in person" at least)."""
    contact = person.contact
    online = contact.how_met in ONLINE_CHANNELS
    if contact.circle == Circle.STRONG:
        rng.random()  # the draw that once chose the stage: the rest of the demo stays as it was
        contact.stage = Stage.STRONG_TIE  # R2, R5: the circle and the stage tell one story
    elif contact.circle == Circle.REGULAR:
        contact.stage = Stage.RELATIONSHIP if rng.random() < 0.55 else Stage.MET
    else:
        contact.stage = Stage.ONLINE if online and rng.random() < 0.85 else Stage.MET

    venues = VENUES_BY_CHANNEL.get(contact.how_met)
    if venues:
        person.met_at = rng.choice(venues)
        if person.met_at in CLUB_ORGANISATIONS and rng.random() < 0.75:
            person.memberships.add(person.met_at)
    if contact.stage != Stage.ONLINE and rng.random() < 0.12:
        person.memberships.add(rng.choice(CLUB_ORGANISATIONS))
    if ALUMNI_CLUB in person.memberships:
        person.tags.add("Alumni")


def _introduce(rng: random.Random, planned: list[PlannedContact]) -> None:
    """Referrals always have an introducer, some others too; introducers come earlier in the plan,
    and a contact introduced by a non-strong tie is never an introducer itself (see `wave_of`)."""
    strong: list[int] = []
    first_wave: list[int] = []
    for index, person in enumerate(planned):
        contact = person.contact
        wants_introducer = contact.how_met == Channel.REFERRAL or rng.random() < 0.08
        if contact.circle == Circle.STRONG:
            if wants_introducer and strong:
                person.introducer = rng.choice(strong)
            strong.append(index)
            continue
        if wants_introducer and (strong or first_wave):
            pool = strong if strong and (not first_wave or rng.random() < 0.6) else first_wave
            person.introducer = rng.choice(pool)
        if person.introducer is None or planned[person.introducer].contact.circle == Circle.STRONG:
            first_wave.append(index)
    for person in planned:
        if person.introducer is not None:
            planned[person.introducer].tags.add("Empfehlungsgeber")


def _share(size: int, fraction: float) -> int:
    return max(1, round(size * fraction)) if size >= 10 else round(size * fraction)


def _archive_and_prospects(rng: random.Random, planned: list[PlannedContact], *, now: datetime) -> None:
    """A few archived contacts (never strong ties), prospects, customers and "not now" (R6)."""
    size = len(planned)
    others = [person for person in planned if person.contact.circle != Circle.STRONG]
    rng.shuffle(others)
    archived, others = others[: _share(size, 0.02)], others[_share(size, 0.02) :]
    for person in archived:
        person.contact.archived_at = now - timedelta(days=rng.randint(3, 90), minutes=rng.randrange(1440))

    for status, share, notes in (
        (ProspectStatus.PROSPECT, 0.08, PROSPECT_NOTES),
        (ProspectStatus.NOT_NOW, 0.025, NOT_NOW_NOTES),
    ):
        chosen, others = others[: _share(size, share)], others[_share(size, share) :]
        for person in chosen:
            person.contact.prospect_status = status
            person.contact.notes = rng.choice(notes)
    customers = [
        person
        for person in planned
        if person.contact.prospect_status == ProspectStatus.NONE and person.contact.archived_at is None
    ]
    for person in rng.sample(customers, min(_share(size, 0.055), len(customers))):
        person.contact.prospect_status = ProspectStatus.CUSTOMER
        person.contact.notes = rng.choice(CUSTOMER_NOTES)
        person.tags.add("Kunde")


def _birthdays(rng: random.Random, planned: list[PlannedContact], *, today: date) -> None:
    """About two thirds have a birthday, a quarter of them without year (R8); one on 29 February,
    and a few within the next two weeks so the reminders have something to show."""
    for person in planned:
        if rng.random() < 0.67:
            month = rng.randint(1, 12)
            day = rng.randint(1, calendar.monthrange(2001, month)[1])  # 2001: no 29 February here
            year = rng.randint(1955, 2001) if rng.random() < 0.75 else None
            _set_birthday(person.contact, day=day, month=month, year=year)
    if not planned:
        return
    specials = rng.sample(planned, min(len(planned), 1 + len(UPCOMING_BIRTHDAY_WINDOWS)))
    _set_birthday(specials[0].contact, day=29, month=2, year=rng.choice((1968, 1976, 1984, 1992)))
    for number, (person, (earliest, latest)) in enumerate(
        zip(specials[1:], UPCOMING_BIRTHDAY_WINDOWS, strict=False)
    ):
        upcoming = today + timedelta(days=rng.randint(earliest, latest))
        year = None if number == 0 or (upcoming.month, upcoming.day) == (2, 29) else rng.randint(1960, 1995)
        _set_birthday(person.contact, day=upcoming.day, month=upcoming.month, year=year)


def _set_birthday(contact: Contact, *, day: int, month: int, year: int | None) -> None:
    contact.birthday_day, contact.birthday_month, contact.birthday_year = day, month, year


def _touch_tags_notes(rng: random.Random, person: PlannedContact, *, now: datetime) -> None:
    contact = person.contact
    if contact.circle == Circle.STRONG:
        # most strong ties are fresh, some dormant: the swap suggestions differ from the roster order
        days = rng.randint(3, 40) if rng.random() < 0.85 else rng.randint(90, 330)
    elif contact.circle == Circle.REGULAR:
        days = rng.randint(10, 200)
    elif contact.stage == Stage.ONLINE and rng.random() < 0.6:
        days = None  # online-only: no touch yet
    else:
        days = rng.randint(30, 365)
    if contact.archived_at is not None:
        days = (now - contact.archived_at).days + rng.randint(30, 200)
    if days is not None:
        contact.last_touch_at = now - timedelta(days=days, minutes=rng.randrange(1440))

    if rng.random() < 0.08:
        person.tags.add("Golf")
    if rng.random() < 0.05:
        person.tags.add("Segeln")
    if contact.circle == Circle.STRONG and contact.key_position and rng.random() < 0.15:
        person.tags.add("Mentor")
    if not contact.notes and rng.random() < 0.3:
        contact.notes = rng.choice(NOTES)


# ---------------------------------------------------------------- users


def ensure_user(email: str, *, first_name: str = "", last_name: str = "") -> tuple[User, bool]:
    """The user with `email`, created with the demo password when missing."""
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        return user, False
    user = User.objects.create_user(
        email.lower(),
        DEMO_PASSWORD,
        first_name=first_name,
        last_name=last_name,
        language=DEMO_LANGUAGE,
        time_zone=DEMO_TIME_ZONE,
        date_joined=timezone.now() - DEMO_MEMBER_FOR,
    )
    return user, True


def ensure_login_email(user: User) -> EmailAddress:
    """A verified allauth address for the user's e-mail (verification is mandatory to log in)."""
    address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
    has_primary = EmailAddress.objects.filter(user=user, primary=True).exclude(
        pk=getattr(address, "pk", None)
    )
    if address is None:
        return EmailAddress.objects.create(
            user=user, email=user.email.lower(), verified=True, primary=not has_primary.exists()
        )
    if not address.verified:
        address.verified = True
        address.primary = address.primary or not has_primary.exists()
        address.save(update_fields=["verified", "primary"])
    return address


# ---------------------------------------------------------------- writing plans


@dataclass(frozen=True, slots=True)
class SeedResult:
    user: User
    user_created: bool
    network_existed: bool
    contacts_created: int
    organisations_created: int
    tags_created: int
    strong_ties: int
    cap: int


def seed_user(
    email: str, *, contacts: int, now: datetime, first_name: str = "", last_name: str = ""
) -> SeedResult:
    """Seed one user's network, unless the user already has contacts."""
    with transaction.atomic():
        user, created = ensure_user(email, first_name=first_name, last_name=last_name)
        ensure_login_email(user)
        existing = Contact.objects.for_owner(user).count()
        if existing:
            return SeedResult(
                user=user,
                user_created=created,
                network_existed=True,
                contacts_created=0,
                organisations_created=0,
                tags_created=0,
                strong_ties=roster.roster_for(user).count,
                cap=user.strong_tie_cap,
            )
        plan = plan_network(
            rng_for(user.email),
            size=contacts,
            strong_ties=strong_tie_target(contacts, cap=user.strong_tie_cap),
            today=user.local_date(now),
            now=now,
        )
        write_plans([(user, plan)])
        return SeedResult(
            user=user,
            user_created=created,
            network_existed=False,
            contacts_created=len(plan.contacts),
            organisations_created=len(plan.organisations),
            tags_created=len(plan.tags),
            strong_ties=roster.roster_for(user).count,
            cap=user.strong_tie_cap,
        )


def write_plans(plans: Sequence[tuple[User, NetworkPlan]]) -> None:
    """Write each user's plan at once: the strong ties through the cap's checks for many
    (`roster.create_strong_ties`), the rest with `bulk_copy` (COPY on PostgreSQL)."""
    organisations = [
        Organisation(owner=user, name=spec.name, kind=spec.kind, place=spec.place, notes=spec.notes)
        for user, plan in plans
        for spec in plan.organisations
    ]
    Organisation.objects.bulk_create(organisations, batch_size=BULK_BATCH_SIZE)
    organisation_by_name = {(item.owner_id, item.name): item for item in organisations}
    tags = [Tag(owner=user, name=name) for user, plan in plans for name in plan.tags]
    Tag.objects.bulk_create(tags, batch_size=BULK_BATCH_SIZE)
    tag_by_name = {(item.owner_id, item.name): item for item in tags}

    waves: dict[int, list[Contact]] = {}
    for user, plan in plans:
        for index, person in enumerate(plan.contacts):
            contact = person.contact
            contact.owner = user
            if person.met_at:
                contact.met_at = organisation_by_name[(user.pk, person.met_at)]
            if person.introducer is not None:
                contact.introduced_by = plan.contacts[person.introducer].contact
            waves.setdefault(plan.wave_of(index), []).append(contact)

    # the cap's checks (R2), for all at once; every strong tie's plan has its first meeting
    roster.create_strong_ties(waves.pop(0, []), meetings_follow=True)
    for wave in sorted(waves):  # every introducer is written before those it introduced
        for contact in waves[wave]:
            contact.fill_keys()  # the writer bypasses Contact.save
        bulk_copy.create(Contact, waves[wave])

    emails: list[tuple[int, str, str]] = []
    phones: list[tuple[int, str, str]] = []
    tag_links: list[tuple[int, int]] = []
    memberships: list[tuple[int, int]] = []
    for user, plan in plans:
        for person in plan.contacts:
            pk = person.contact.pk
            emails.extend((pk, address, label) for address, label in person.emails)
            phones.extend((pk, number, label) for number, label in person.phones)
            tag_links.extend((pk, tag_by_name[(user.pk, name)].pk) for name in sorted(person.tags))
            memberships.extend(
                (pk, organisation_by_name[(user.pk, name)].pk) for name in sorted(person.memberships)
            )
    bulk_copy.insert(ContactEmail, ["contact_id", "address", "label"], emails)
    bulk_copy.insert(ContactPhone, ["contact_id", "number", "label"], phones)
    bulk_copy.insert(Contact.tags.through, ["contact_id", "tag_id"], tag_links)
    bulk_copy.insert(Contact.organisations.through, ["contact_id", "organisation_id"], memberships)


# ---------------------------------------------------------------- many users for scale tests


@dataclass(frozen=True, slots=True)
class ExtraUsersResult:
    users_created: int
    users_seeded: int
    users_skipped: int
    contacts_created: int
    strong_ties: int
    after_batch: list[object] = field(default_factory=list)  # what `after_batch` returned, per batch


def seed_extra_users(
    count: int,
    *,
    contacts: int,
    now: datetime,
    strong_ties_max: int = EXTRA_USER_STRONG_TIES_MAX,
    users_per_batch: int = EXTRA_USERS_PER_BATCH,
    after_batch: Callable[[list[User]], object] | None = None,
    workers: int = 1,
) -> ExtraUsersResult:
    """`count` users demo-user-0001@… each with `contacts` contacts; a batch per transaction.

    The password is hashed once and shared (hashing is deliberately slow); users that already
    have contacts are skipped. `after_batch` gets each batch's newly seeded users inside the
    batch's transaction (the command adds their touchpoints there: contacts never imports
    touchpoints); what it returns is collected. With `workers` above 1, outside a transaction,
    the batches are shared out to that many forked processes (each its own connection): the
    batches touch disjoint users, so the result is the same.
    """
    password = make_password(DEMO_PASSWORD)
    batches = [
        [extra_user_email(number) for number in range(start, min(start + users_per_batch, count + 1))]
        for start in range(1, count + 1, users_per_batch)
    ]
    seed = functools.partial(
        _seed_batch,
        password=password,
        contacts=contacts,
        now=now,
        strong_ties_max=strong_ties_max,
        after_batch=after_batch,
    )
    if workers > 1 and len(batches) > 1 and not connection.in_atomic_block:
        results = _in_processes(seed, batches, workers=workers)
    else:
        results = [seed(emails) for emails in batches]
    return ExtraUsersResult(
        users_created=sum(result.users_created for result in results),
        users_seeded=sum(result.users_seeded for result in results),
        users_skipped=sum(result.users_skipped for result in results),
        contacts_created=sum(result.contacts_created for result in results),
        strong_ties=sum(result.strong_ties for result in results),
        after_batch=[item for result in results for item in result.after_batch],
    )


def _seed_batch(
    emails: list[str],
    *,
    password: str,
    contacts: int,
    now: datetime,
    strong_ties_max: int,
    after_batch: Callable[[list[User]], object] | None,
) -> ExtraUsersResult:
    with _cyclic_gc_paused(), transaction.atomic():
        users, created = _ensure_extra_users(emails, password=password)
        owners_with_contacts = set(
            Contact.objects.filter(owner__in=[user for user, _ in users])
            .values_list("owner_id", flat=True)
            .distinct()
        )
        plans = []
        for user, is_new in users:
            if user.pk in owners_with_contacts:
                continue
            if not is_new:
                ensure_login_email(user)
            target = strong_tie_target(contacts, cap=user.strong_tie_cap, maximum=strong_ties_max)
            plan = plan_network(
                rng_for(user.email), size=contacts, strong_ties=target, today=user.local_date(now), now=now
            )
            plans.append((user, plan))
        write_plans(plans)
        after = [after_batch([user for user, _ in plans])] if after_batch is not None and plans else []
        seeded = [user for user, _ in plans]
        return ExtraUsersResult(
            users_created=created,
            users_seeded=len(plans),
            users_skipped=len(users) - len(plans),
            contacts_created=sum(len(plan.contacts) for _, plan in plans),
            strong_ties=Contact.objects.filter(owner__in=seeded).strong_ties().count(),
            after_batch=after,
        )


# The batch function for the forked workers: inherited with the process (a closure cannot be pickled).
_batch_in_worker: Callable[[list[str]], ExtraUsersResult] | None = None


def _run_in_worker(emails: list[str]) -> ExtraUsersResult:
    assert _batch_in_worker is not None  # set before the fork
    return _batch_in_worker(emails)


def _in_processes(
    seed: Callable[[list[str]], ExtraUsersResult], batches: list[list[str]], *, workers: int
) -> list[ExtraUsersResult]:
    global _batch_in_worker
    _batch_in_worker = seed
    connections.close_all()  # each worker opens its own
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            return pool.map(_run_in_worker, batches, chunksize=1)
    finally:
        _batch_in_worker = None


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """A batch allocates a few hundred thousand small objects, all freed by reference counting;
    the cyclic collector would rescan them again and again (about a fifth of the run time)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
        gc.collect()


def _ensure_extra_users(emails: list[str], *, password: str) -> tuple[list[tuple[User, bool]], int]:
    """The users for `emails` (each with whether it is new); new ones get a verified address."""
    existing = {user.email: user for user in User.objects.filter(email__in=emails)}
    joined = timezone.now() - DEMO_MEMBER_FOR
    missing = [
        User(
            email=email,
            password=password,
            first_name="Demo",
            last_name=email.split("@")[0].removeprefix("demo-user-"),
            language=DEMO_LANGUAGE,
            time_zone=DEMO_TIME_ZONE,
            date_joined=joined,
        )
        for email in emails
        if email not in existing
    ]
    User.objects.bulk_create(missing, batch_size=BULK_BATCH_SIZE)
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in missing],
        batch_size=BULK_BATCH_SIZE,
    )
    users = {**existing, **{user.email: user for user in missing}}
    return [(users[email], email not in existing) for email in emails], len(missing)
