from __future__ import annotations

from datetime import timedelta

import factory
from allauth.account.internal.flows.login import record_authentication
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.http import HttpRequest
from django.test import Client
from django.utils import timezone

from contacts.choices import Circle, ProspectStatus, Stage
from contacts.models import Contact, ContactEmail, ContactPhone, Organisation, Tag
from netzwerk.accounts.coaching import make_coach
from netzwerk.accounts.models import CoachLink, Sharing, Side, User
from reminders.models import CalendarFeed, DigestRun, DigestStatus, RosterReview
from touchpoints.kinds import Kind
from touchpoints.models import Exchange, Touchpoint
from touchpoints.summary import refresh_summary

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@netzwerk.test")
    first_name = "Alice"
    # Tests read the English texts; German, the default for real users, has tests of its own.
    language = "en"
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(self, create: bool, extracted: bool | None, **kwargs: object) -> None:
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)

    @factory.post_generation
    def totp(self, create: bool, extracted: bool | None, **kwargs: object) -> None:
        """`totp=True`: the user has enrolled TOTP (staff and coaches must, to open anything)."""
        if create and extracted:
            enrol_totp(self)


TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def enrol_totp(user: User) -> None:
    TOTP.activate(user, TOTP_SECRET)


def sign_in(browser: Client, user: User) -> Client:
    """`browser` signed in as `user` without the form, and, when `user` has a second factor,
    as if this session had passed it (allauth records that in the session; staff need it)."""
    browser.force_login(user)
    factor = Authenticator.objects.filter(user=user).exclude(type=Authenticator.Type.RECOVERY_CODES).first()
    if factor is not None:
        session = browser.session
        request = HttpRequest()
        request.session = session
        record_authentication(request, user, "mfa", id=factor.pk, type=factor.type)
        session.save()
    return browser


def coach_of(client: User, *, sharing: str = Sharing.HEALTH, **fields: object) -> User:
    """A coach (staff, in the coaches group, TOTP enrolled) whom `client` has accepted."""
    coach = UserFactory(is_staff=True, totp=True, **fields)
    make_coach(coach)
    link_coach(client, coach, sharing=sharing)
    return coach


def link_coach(client: User, coach: User, *, sharing: str = Sharing.HEALTH) -> CoachLink:
    return CoachLink.objects.create(
        client=client,
        coach=coach,
        invited_by=Side.CLIENT,
        email=coach.email,
        sharing=sharing,
        accepted_at=timezone.now(),
    )


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Marketing-Club {n}")


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Tag {n}")


class ContactFactory(factory.django.DjangoModelFactory):
    """Never a strong tie: those are made through contacts.roster (see strong_tie below)."""

    class Meta:
        model = Contact

    owner = factory.SubFactory(UserFactory)
    first_name = factory.Sequence(lambda n: f"Jürgen{n}")
    last_name = "Weiß"
    company = "Beispiel GmbH"
    circle = Circle.REGULAR
    stage = Stage.MET


class ContactEmailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactEmail

    contact = factory.SubFactory(ContactFactory)
    address = factory.Sequence(lambda n: f"kontakt{n}@beispiel.test")


class ContactPhoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactPhone

    contact = factory.SubFactory(ContactFactory)
    number = factory.Sequence(lambda n: f"+4930{1000000 + n}")


class RosterReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RosterReview

    owner = factory.SubFactory(UserFactory)
    reviewed_at = factory.LazyFunction(timezone.now)
    strong_ties = 0


class DigestRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DigestRun

    owner = factory.SubFactory(UserFactory)
    local_date = factory.LazyFunction(timezone.localdate)
    status = DigestStatus.SENT
    claimed_at = factory.LazyFunction(timezone.now)
    attempts = 1
    items = 3
    finished_at = factory.LazyFunction(timezone.now)


class CalendarFeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CalendarFeed

    owner = factory.SubFactory(UserFactory)


def strong_ties(owner: User, count: int) -> list[Contact]:
    """`count` strong ties for `owner`, made through the roster like every other path."""
    from contacts import roster

    made = []
    for contact in ContactFactory.create_batch(count, owner=owner):
        roster.promote(contact, now=timezone.now())
        made.append(contact)
    return made


def contact_form_data(**fields: str) -> dict[str, str]:
    """A valid POST for the contact form (one empty e-mail and phone row), changed by `fields`."""
    data = {
        "first_name": "Sören",
        "last_name": "Groß",
        "circle": Circle.REGULAR,
        "stage": Stage.MET,
        "prospect_status": ProspectStatus.NONE,
        "emails-TOTAL_FORMS": "1",
        "emails-INITIAL_FORMS": "0",
        "emails-0-address": "",
        "emails-0-label": "",
        "phones-TOTAL_FORMS": "1",
        "phones-INITIAL_FORMS": "0",
        "phones-0-number": "",
        "phones-0-label": "",
    }
    data.update(fields)
    return data


def bulk_touches(contact: Contact, size: int) -> None:
    """`size` touches in one query, kinds and promises mixed; then the summary, once."""
    start = timezone.now() - timedelta(days=size + 1)
    Touchpoint.objects.bulk_create(
        Touchpoint(
            contact=contact,
            kind=Kind.CALL if n % 2 else Kind.EMAIL,
            happened_at=start + timedelta(days=n),
            note=f"Notiz {n}",
            exchange=Exchange.GIVE if n % 5 == 0 else "",
            promise="Rückruf" if n % 3 == 0 else "",
        )
        for n in range(size)
    )
    refresh_summary(contact)


class ImportFactory(factory.django.DjangoModelFactory):
    """An import waiting in its preview (rows come from ImportRowFactory)."""

    class Meta:
        model = "imports.Import"

    owner = factory.SubFactory(UserFactory)
    status = "preview"
    report = factory.LazyFunction(lambda: {"files": ["Connections.csv"]})


class ImportRowFactory(factory.django.DjangoModelFactory):
    """A new person read from a file."""

    class Meta:
        model = "imports.ImportRow"

    upload = factory.SubFactory(ImportFactory)
    file = "Connections.csv"
    line = factory.Sequence(lambda n: n + 2)
    status = "new"
    data = factory.Sequence(
        lambda n: {
            "first_name": f"Jürgen{n}",
            "last_name": "Schröder",
            "company": "Bauer & Söhne GmbH",
            "position": "",
            "emails": [f"juergen{n}@bauer-soehne.example"],
            "phones": [],
            "birthday": None,
            "profiles": {},
            "notes": "",
            "labels": [],
            "how_met": "linkedin",
            "connected_on": None,
        }
    )
