"""Two users with a row in every model that holds a user's data, each marked with their own strings.

`seed` is where a new model's row goes (see privacy/registry.py): the export and erasure tests
fail, naming the model, while a user has no row of a model with a path to the user.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from allauth.account.models import EmailAddress, EmailConfirmation
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contacts.choices import Stage
from contacts.models import Contact, DistinctPair, StageChange
from imports.models import (
    ColumnMapping,
    Import,
    ImportedContact,
    ImportedTag,
    ImportFile,
    ImportFileChunk,
    ImportKey,
    ImportRow,
    MergedContact,
    StagedTouch,
)
from netzwerk.accounts.models import AccessLog, CoachLink, User
from privacy.models import ExportChunk, ExportJob, ExportState
from reminders import states
from reminders.models import ItemKind
from tests.factories import (
    PASSWORD,
    CalendarFeedFactory,
    ContactEmailFactory,
    ContactFactory,
    ContactPhoneFactory,
    DigestRunFactory,
    OrganisationFactory,
    RosterReviewFactory,
    TagFactory,
    UserFactory,
    link_coach,
)
from touchpoints import ledger
from touchpoints.kinds import Kind
from touchpoints.models import OneOffReminder, Touchpoint


@dataclass
class Seeded:
    user: User
    contact: Contact
    touch: Touchpoint
    # What the user wrote or is: none of it may reach another user's export, or any log.
    strings: list[str] = field(default_factory=list)
    # Credentials: never in any export.
    secrets: list[str] = field(default_factory=list)


def seed(user: User, marker: str) -> Seeded:
    """One row, at least, of every model with a path to the user, each with `marker` in it."""
    now = timezone.now()
    organisation = OrganisationFactory(owner=user, name=f"{marker} Golfclub", place=f"{marker}hausen")
    tag = TagFactory(owner=user, name=f"{marker}-Kundin")
    introducer = ContactFactory(owner=user, first_name=f"{marker}vermittler", last_name="Groß")
    contact = ContactFactory(
        owner=user,
        first_name=f"{marker}kontakt",
        last_name="Müller-Lüdenscheidt",
        company=f"{marker} Werke GmbH",
        position=f"{marker}leiterin",
        birthday_day=14,
        birthday_month=3,
        notes=f"{marker} trifft man beim Golf,\nmag Espresso; kein Zucker",
        met_at=organisation,
        introduced_by=introducer,
        linkedin_url=f"https://www.linkedin.com/in/{marker.lower()}-kontakt",
    )
    contact.tags.add(tag)
    contact.organisations.add(organisation)
    email = ContactEmailFactory(
        contact=contact, address=f"{marker.lower()}.kontakt@beispiel.test", label="work"
    )
    phone = ContactPhoneFactory(contact=contact, label="mobil")
    # a contact met nowhere: only the owner leads from its rows to the user
    ContactEmailFactory(contact=introducer, address=f"{marker.lower()}.vermittler@beispiel.test")
    StageChange.objects.create(
        contact=contact,
        from_stage=Stage.ONLINE,
        to_stage=Stage.MET,
        cause=StageChange.Cause.EDITED,
        changed_at=now,
    )
    DistinctPair.keep_apart(introducer, contact)  # "not the same person"
    touch = ledger.log_touch(
        contact,
        kind=Kind.MEETING,
        happened_at=now - timedelta(days=2),
        note=f"{marker} erzählte vom Umzug",
        promise=f"{marker} das Buch schicken",
        promise_due=timezone.localdate() + timedelta(days=7),
    )
    one_off = OneOffReminder.objects.create(
        contact=contact,
        due_on=timezone.localdate() + timedelta(days=3),
        text=f"{marker} wegen Angebot anrufen",
    )
    states.snooze(user, ItemKind.ONE_OFF, days=3, now=now, contact=contact, occasion=str(one_off.pk))
    states.snooze(user, ItemKind.CADENCE, days=3, now=now, contact=contact)
    states.snooze(user, ItemKind.PROMISE, days=3, now=now, touch=touch)
    RosterReviewFactory(owner=user)
    DigestRunFactory(owner=user)
    feed = CalendarFeedFactory(owner=user, token=f"{marker}-feed-token-0123456789")
    user.groups.add(Group.objects.get_or_create(name="privacy-test")[0])
    user.user_permissions.add(Permission.objects.get(codename="view_contact"))
    address = EmailAddress.objects.get(user=user, primary=True)
    confirmation = EmailConfirmation.objects.create(email_address=address, key=f"{marker}-confirmation-key")
    LogEntry.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(Contact),
        object_id=str(contact.pk),
        object_repr=contact.name,
        action_flag=CHANGE,
    )
    # coaching: a coach of the user's, a client of the user's, each reading once, and an
    # invitation addressed to the user (tied to them by the address only)
    coach, client = UserFactory(first_name=f"{marker}coach"), UserFactory(first_name=f"{marker}klient")
    link_coach(user, coach)
    link_coach(client, user)
    AccessLog.objects.create(coach=coach, client=user, action="view", what="contact", object_id=contact.pk)
    AccessLog.objects.create(coach=user, client=client, action="view", what="overview")
    CoachLink.objects.create(client=UserFactory(), invited_by="client", email=user.email)
    _seed_import(user, marker, contact, touch, tag, email, phone)
    # an export past its download period, its ZIP not yet deleted by the retention job
    asked = now - timedelta(hours=25)
    export = ExportJob.objects.create(
        owner=user,
        state=ExportState.READY,
        progress=100,
        filename="netzwerk-export.zip",
        created_at=asked,
        finished_at=asked + timedelta(minutes=1),
        expires_at=asked + timedelta(hours=24, minutes=1),
    )
    ExportChunk.objects.create(job=export, number=0, data=f"{marker} im Export".encode())
    secrets = [user.password, feed.token, confirmation.key]
    if apps.is_installed("allauth.mfa"):
        from allauth.mfa.models import Authenticator

        totp = Authenticator.objects.create(
            user=user, type=Authenticator.Type.TOTP, data={"secret": f"{marker.upper()}TOTPSECRET"}
        )
        secrets.append(totp.data["secret"])
    strings = [
        user.email,
        user.first_name,
        user.last_name,
        organisation.name,
        organisation.place,
        tag.name,
        introducer.first_name,
        contact.first_name,
        contact.company,
        contact.position,
        f"{marker} trifft man beim Golf",
        contact.linkedin_url,
        email.address,
        phone.number,
        touch.note,
        touch.promise,
    ]
    return Seeded(user=user, contact=contact, touch=touch, strings=strings, secrets=secrets)


def _seed_import(
    user: User, marker: str, contact: Contact, touch: Touchpoint, tag: Any, email: Any, phone: Any
) -> None:
    """An import in its preview (a file, a row, a staged touch) and one that changed `contact`."""
    upload = Import.objects.create(owner=user, status=Import.Status.PREVIEW)
    upload_file = ImportFile.objects.create(upload=upload, name=f"{marker}.vcf", size=11)
    ImportFileChunk.objects.create(file=upload_file, number=0, data=b"BEGIN:VCARD")
    row = ImportRow.objects.create(
        upload=upload,
        file=f"{marker}.vcf",
        line=1,
        data={"first_name": f"{marker}importiert"},
        status="match",
        contact=contact,
    )
    ImportKey.objects.create(
        upload=upload, person=row, kind="email", value=f"{marker.lower()}@importiert.test"
    )
    StagedTouch.objects.create(
        row=row, happened_at=timezone.now(), initiated_by="me", note=f"{marker} schrieb"
    )
    ColumnMapping.objects.create(owner=user, header_key=f"{marker}-header", fields=["first_name"])
    done = Import.objects.create(owner=user, status=Import.Status.COMMITTED)
    record = ImportedContact.objects.create(upload=done, contact=contact, created=False)
    record.emails.add(email)
    record.phones.add(phone)
    record.tags.add(tag)
    record.touches.add(touch)
    ImportedTag.objects.create(upload=done, tag=tag)
    MergedContact.objects.create(
        survivor=contact,
        name=f"{marker} Doppelt",
        values={"emails": [f"{marker.lower()}@doppelt.test"]},
        merged_at=timezone.now(),
    )


@pytest.fixture(autouse=True)
def ledger_file(tmp_path: Path, settings: Any) -> Path:
    """Each test's own deletion-ledger file (erasing an account appends to it)."""
    settings.ERASURE_LEDGER_PATH = tmp_path / "ledger" / "erasures.jsonl"
    return Path(settings.ERASURE_LEDGER_PATH)


@pytest.fixture
def alice(db: None) -> Seeded:
    user = UserFactory(email="alice.arendt@netzwerk.test", first_name="Alice", last_name="Arendt")
    return seed(user, "Alice")


@pytest.fixture
def bob(db: None) -> Seeded:
    user = UserFactory(email="bob.brecht@netzwerk.test", first_name="Bob", last_name="Brecht")
    return seed(user, "Bob")


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def delete_account(client: Client, email: str) -> Any:
    """Type `email` on the confirmation page, then re-authenticate: allauth replays the POST, and
    the view's answer to it is returned."""
    asked = client.post(reverse("privacy:delete"), {"email": email})
    assert asked.status_code == 302
    assert asked["Location"].startswith(reverse("account_reauthenticate"))
    return client.post(asked["Location"], {"password": PASSWORD})
