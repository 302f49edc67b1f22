"""The import from files to contacts: matching, one contact per person, idempotence, undo."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from contacts.choices import Circle, Sorting, Stage
from contacts.models import Contact
from imports import commit, merge, pipeline, reading, undo
from imports.models import Import, ImportRow, RowStatus
from imports.pipeline import report
from netzwerk.accounts.models import User
from tests.factories import ContactEmailFactory, ContactFactory, UserFactory
from tests.imports.helpers import dump, imported, linkedin_zip, read, streams
from touchpoints import ledger
from touchpoints.kinds import Kind
from touchpoints.models import Initiator, Touchpoint
from touchpoints.summary import stored_summary, summarise

pytestmark = pytest.mark.django_db

LINKEDIN = """Notes:
"When exporting your connection data, you may notice that some of the email addresses are missing."

First Name,Last Name,URL,Email Address,Company,Position,Connected On
Jürgen,Schröder,https://www.linkedin.com/in/juergen-schroeder/de/,,Bauer & Söhne GmbH,Vertriebsleiter,22 Dec 2025
Anna,Weiß,https://www.linkedin.com/in/anna-weiss,anna.weiss@example.de,Kanzlei Weiß,Partnerin,03 Jan 2024
"""

OUTLOOK_VCARD = """BEGIN:VCARD
VERSION:2.1
N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Schr=C3=B6der;J=C3=BCrgen
FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:J=C3=BCrgen Schr=C3=B6der
ORG:Bauer & Söhne GmbH
TEL;CELL:0171 2345678
EMAIL;INTERNET:j.schroeder@bauer-soehne.de
BDAY:--0229
END:VCARD
"""

GOOGLE = """First Name,Middle Name,Last Name,Phonetic First Name,Phonetic Middle Name,Phonetic Last Name,Name Prefix,Name Suffix,Nickname,File As,Organization Name,Organization Title,Organization Department,Birthday,Notes,Photo,Labels,E-mail 1 - Label,E-mail 1 - Value,E-mail 2 - Label,E-mail 2 - Value,Phone 1 - Label,Phone 1 - Value
Juergen,,Schroeder,,,,,,,,Bauer & Söhne GmbH,,,--02-29,Kennt den Einkauf,,* myContacts ::: Kunden,Work,j.schroeder@bauer-soehne.de,Home,juergen@privat.example,Mobile,+49 171 2345678
"""


@pytest.fixture
def owner(db: None) -> User:
    return UserFactory(email="alice@netzwerk.test", time_zone="Europe/Berlin")


def test_it_makes_one_contact_of_one_person_from_three_sources(owner: User) -> None:
    imported(owner, ("Connections.csv", LINKEDIN))
    imported(owner, ("kontakte.vcf", OUTLOOK_VCARD))
    imported(owner, ("contacts.csv", GOOGLE))

    schroeders = Contact.objects.filter(owner=owner, last_name="Schröder")
    assert schroeders.count() == 1
    person = schroeders.get()
    assert person.linkedin_url == "https://www.linkedin.com/in/juergen-schroeder"
    assert sorted(person.emails.values_list("address", flat=True)) == [
        "j.schroeder@bauer-soehne.de",
        "juergen@privat.example",
    ]
    assert list(person.phones.values_list("number", flat=True)) == ["+491712345678"]
    assert (person.birthday_day, person.birthday_month, person.birthday_year) == (29, 2, None)
    assert list(person.tags.values_list("name", flat=True)) == ["Kunden"]
    assert person.how_met == "linkedin"
    assert person.created_at.astimezone(owner.zone).date().isoformat() == "2025-12-22"
    assert Contact.objects.filter(owner=owner).count() == 2


def test_it_brings_imported_people_in_loose_and_unsorted(owner: User) -> None:
    imported(owner, ("Connections.csv", LINKEDIN))

    contacts = Contact.objects.filter(owner=owner)
    assert {(c.circle, c.stage, c.sorting) for c in contacts} == {
        (Circle.LOOSE, Stage.ONLINE, Sorting.UNSORTED)
    }
    assert all(c.stage_changes.count() == 1 for c in contacts)


def test_it_adds_nothing_when_the_same_file_comes_twice(owner: User) -> None:
    files = [("Connections.csv", LINKEDIN), ("kontakte.vcf", OUTLOOK_VCARD)]
    imported(owner, *files)
    before = dump()

    again = read(owner, *files)

    assert report(again).new == 0
    assert report(again).changed == 0
    commit.commit(again.pk, now=datetime.now(UTC))
    assert dump() == before


def test_labels_and_unreadable_phones_come_once_however_often_the_file_comes(owner: User) -> None:
    unreadable = GOOGLE.replace("+49 171 2345678", "bitte anrufen")
    imported(owner, ("contacts.csv", unreadable))
    before = dump()

    again = read(owner, ("contacts.csv", unreadable))

    assert (report(again).matched, report(again).changed) == (1, 0)
    commit.commit(again.pk, now=datetime.now(UTC))
    assert dump() == before
    assert Contact.objects.get(owner=owner).notes.count("☎ bitte anrufen") == 1


def test_it_previews_without_writing_a_contact(owner: User) -> None:
    upload = read(owner, ("Connections.csv", LINKEDIN))

    assert upload.status == Import.Status.PREVIEW
    assert report(upload).new == 2
    assert not Contact.objects.filter(owner=owner).exists()


def test_it_folds_the_same_person_inside_one_upload(owner: User) -> None:
    upload = read(owner, ("Connections.csv", LINKEDIN), ("kontakte.vcf", OUTLOOK_VCARD), ("g.csv", GOOGLE))

    found = report(upload)
    assert (found.new, found.duplicates_in_upload) == (2, 2)


def test_it_shows_a_conflict_and_takes_the_picked_value(owner: User) -> None:
    contact = ContactFactory(owner=owner, first_name="Anna", last_name="Weiß", company="Alte Firma AG")
    ContactEmailFactory(contact=contact, address="anna.weiss@example.de")
    upload = read(owner, ("Connections.csv", LINKEDIN))
    row = ImportRow.objects.get(upload=upload, status=RowStatus.MATCH)
    assert row.contact == contact
    assert row.evidence == "email"
    assert row.conflicts == {"company": ["Alte Firma AG", "Kanzlei Weiß"]}
    assert row.adds["position"] == "Partnerin"

    row.choices = {"company": "imported"}
    row.save()
    commit.commit(upload.pk, now=datetime.now(UTC))

    contact.refresh_from_db()
    assert (contact.company, contact.position) == ("Kanzlei Weiß", "Partnerin")


def test_it_keeps_the_contacts_value_when_nothing_is_picked(owner: User) -> None:
    contact = ContactFactory(owner=owner, first_name="Anna", last_name="Weiß", company="Alte Firma AG")
    upload = read(owner, ("Connections.csv", LINKEDIN))
    commit.commit(upload.pk, now=datetime.now(UTC))

    contact.refresh_from_db()
    assert contact.company == "Alte Firma AG"
    assert contact.emails.get().address == "anna.weiss@example.de"


def test_it_leaves_out_the_rows_the_user_left_out(owner: User) -> None:
    upload = read(owner, ("Connections.csv", LINKEDIN))
    ImportRow.objects.filter(upload=upload, data__last_name="Weiß").update(included=False)

    commit.commit(upload.pk, now=datetime.now(UTC))

    assert list(Contact.objects.filter(owner=owner).values_list("last_name", flat=True)) == ["Schröder"]


def test_it_commits_once(owner: User) -> None:
    upload = imported(owner, ("Connections.csv", LINKEDIN))

    with pytest.raises(commit.NotCommittable):
        commit.commit(upload.pk, now=datetime.now(UTC))
    assert Contact.objects.filter(owner=owner).count() == 2


def test_it_never_reaches_into_another_users_contacts(owner: User) -> None:
    other = UserFactory()
    theirs = ContactFactory(owner=other, first_name="Anna", last_name="Weiß", company="", position="")
    ContactEmailFactory(contact=theirs, address="anna.weiss@example.de")

    imported(owner, ("Connections.csv", LINKEDIN))

    assert Contact.objects.filter(owner=owner).count() == 2
    theirs.refresh_from_db()
    assert (theirs.company, theirs.position) == ("", "")


def test_undo_restores_the_database_exactly(owner: User) -> None:
    anna = ContactFactory(owner=owner, first_name="Anna", last_name="Weiß", company="")
    ContactEmailFactory(contact=anna, address="anna.weiss@example.de")
    ledger.log_touch(anna, kind=Kind.CALL, happened_at=datetime(2024, 5, 2, 9, tzinfo=UTC))
    before = dump()
    upload = imported(
        owner, ("Connections.csv", LINKEDIN), ("kontakte.vcf", OUTLOOK_VCARD), ("g.csv", GOOGLE)
    )
    assert dump() != before

    result = undo.undo(upload.pk, now=datetime.now(UTC))

    assert (result.deleted, result.restored, result.kept) == (1, 1, [])
    assert dump() == before
    assert Import.objects.get(pk=upload.pk).status == Import.Status.UNDONE


def test_undo_keeps_a_contact_touched_since_and_says_so(owner: User) -> None:
    upload = imported(owner, ("Connections.csv", LINKEDIN))
    anna = Contact.objects.get(owner=owner, last_name="Weiß")
    ledger.log_touch(anna, kind=Kind.CALL, happened_at=datetime.now(UTC))

    assert undo.kept_on_undo(upload) == [anna]
    result = undo.undo(upload.pk, now=datetime.now(UTC))

    assert result.kept == [anna.pk]
    assert list(Contact.objects.filter(owner=owner)) == [anna]
    with pytest.raises(undo.NotUndoable):
        undo.undo(upload.pk, now=datetime.now(UTC))


def test_undo_keeps_a_contact_a_later_import_added_to(owner: User) -> None:
    first = imported(owner, ("Connections.csv", LINKEDIN))
    imported(owner, ("google.csv", GOOGLE))  # adds e-mails and a phone to Jürgen
    juergen = Contact.objects.get(owner=owner, last_name="Schröder")

    assert undo.kept_on_undo(first) == [juergen]
    page = Client()
    page.force_login(owner)
    assert "imported more about" in page.get(reverse("imports:undo", args=[first.pk])).content.decode()
    result = undo.undo(first.pk, now=datetime.now(UTC))

    assert result.kept == [juergen.pk]
    assert list(Contact.objects.filter(owner=owner)) == [juergen]  # Anna, only LinkedIn's, went
    assert list(juergen.phones.values_list("number", flat=True)) == ["+491712345678"]


def test_undo_after_a_merge_takes_back_only_what_the_undone_import_brought(owner: User) -> None:
    first = imported(owner, ("google.csv", GOOGLE))
    juergen = Contact.objects.get(owner=owner)
    ContactEmailFactory(contact=juergen, address="von.hand@example.de")  # added by the user
    twin = ContactFactory(owner=owner, first_name="Jürgen", last_name="Schröder")
    ContactEmailFactory(contact=twin, address="twin@example.de")

    merge.merge(owner, twin, juergen, {}, now=datetime.now(UTC))
    undo.undo(first.pk, now=datetime.now(UTC))

    addresses = set(twin.emails.values_list("address", flat=True))
    assert addresses == {"twin@example.de", "von.hand@example.de"}  # the import's two went
    assert not twin.phones.exists()


def test_undo_keeps_a_field_the_user_edited_since(owner: User) -> None:
    anna = ContactFactory(owner=owner, first_name="Anna", last_name="Weiß", company="")
    ContactEmailFactory(contact=anna, address="anna.weiss@example.de")
    upload = imported(owner, ("Connections.csv", LINKEDIN))
    anna.refresh_from_db()
    assert anna.company == "Kanzlei Weiß"
    anna.company = "Eigene Kanzlei"
    anna.save()

    result = undo.undo(upload.pk, now=datetime.now(UTC))

    anna.refresh_from_db()
    assert (anna.company, anna.position) == ("Eigene Kanzlei", "")
    assert result.edited == [anna.pk]


def test_an_unreadable_file_writes_nothing(owner: User) -> None:
    before = dump()

    upload = read(owner, ("Connections.csv", LINKEDIN), ("kaputt.vcf", b"\x89PNG\r\n\x1a\n\x00\x00garbage"))

    assert upload.status == Import.Status.FAILED
    assert (upload.failure or {}).get("file") == "kaputt.vcf"
    assert not ImportRow.objects.filter(upload=upload).exists()
    assert dump() == before


# ---------------------------------------------------------------- LinkedIn messages

ME = "https://www.linkedin.com/in/alice-owner"
CONNECTIONS = """First Name,Last Name,URL,Email Address,Company,Position,Connected On
Jürgen,Schröder,https://www.linkedin.com/in/juergen-schroeder,,Bauer,Leiter,22 Dec 2022
Anna,Weiß,https://www.linkedin.com/in/anna-weiss,,Kanzlei,Partnerin,03 Jan 2022
"""
HEADER = "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,SUBJECT,CONTENT,FOLDER\n"


def _message(
    conversation: str, sender: tuple[str, str], to: list[tuple[str, str]], when: str, text: str
) -> str:
    names = "; ".join(name for name, _url in to)
    urls = "; ".join(url for _name, url in to)
    return f'{conversation},,{sender[0]},{sender[1]},"{names}","{urls}",{when},,"{text}",INBOX\n'


ALICE = ("Alice Owner", ME)
JUERGEN = ("Jürgen Schröder", "https://www.linkedin.com/in/juergen-schroeder")
ANNA = ("Anna Weiß", "https://www.linkedin.com/in/anna-weiss")
STRANGER = ("Rolf Recruiter", "https://www.linkedin.com/in/rolf-recruiter")

MESSAGES = HEADER + "".join(
    [
        # Saturday 25 March 2023, 23:30 in Berlin (CET): Jürgen writes first that day
        _message("c1", JUERGEN, [ALICE], "2023-03-25 22:30:00 UTC", "Hallo Alice"),
        _message("c1", ALICE, [JUERGEN], "2023-03-25 22:45:00 UTC", "Hallo Jürgen"),
        # 00:30 on Sunday 26 March (still CET), then 03:30 CEST after the clocks went forward:
        # one local day, Alice first
        _message("c1", ALICE, [JUERGEN], "2023-03-25 23:30:00 UTC", "Noch wach?"),
        _message("c1", JUERGEN, [ALICE], "2023-03-26 01:30:00 UTC", "Jetzt ja"),
        # a group message: a touch for each connection in it
        _message("c2", ALICE, [JUERGEN, ANNA], "2023-06-11 15:33:58 UTC", "Treffen wir uns?"),
        # a recruiter who is not a connection: skipped, counted
        _message("c3", STRANGER, [ALICE], "2023-07-01 08:00:00 UTC", "Spannende Position"),
    ]
)


def _touches(contact: Contact) -> list[tuple[str, str, str]]:
    return [
        (t.happened_at.astimezone(contact.owner.zone).date().isoformat(), t.initiated_by, t.note)
        for t in Touchpoint.objects.filter(contact=contact).order_by("happened_at")
    ]


def test_linkedin_messages_become_a_touch_per_person_and_local_day(owner: User) -> None:
    upload = read(owner, ("Basic_LinkedInDataExport.zip", linkedin_zip(CONNECTIONS, MESSAGES)))
    assert upload.account_holder == ME
    found = report(upload)
    assert (found.new, found.touches, found.skipped_messages) == (2, 4, 1)

    commit.commit(upload.pk, now=datetime.now(UTC))

    juergen = Contact.objects.get(owner=owner, last_name="Schröder")
    anna = Contact.objects.get(owner=owner, last_name="Weiß")
    assert _touches(juergen) == [
        ("2023-03-25", Initiator.THEM, ""),
        ("2023-03-26", Initiator.ME, ""),
        ("2023-06-11", Initiator.ME, ""),
    ]
    assert _touches(anna) == [("2023-06-11", Initiator.ME, "")]
    assert {t.kind for t in Touchpoint.objects.filter(contact__owner=owner)} == {Kind.MESSAGE}
    for contact in (juergen, anna):
        contact.refresh_from_db()
        assert stored_summary(contact) == summarise(contact.touchpoints.all(), prospect_since=None)


def test_a_linkedin_message_to_many_is_a_mass_mail_for_each_not_a_touch(owner: User) -> None:
    """R12: one message from the holder to seven people (Jürgen, Anna and five others) is
    recorded as a mass mail for each connection in it and counts for neither; a message to one of
    them on another day is a touch as before."""
    others = [(f"Person {n}", f"https://www.linkedin.com/in/person-{n}") for n in range(5)]
    messages = HEADER + "".join(
        [
            _message("c9", ALICE, [JUERGEN, ANNA, *others], "2023-09-01 09:00:00 UTC", "Mein Newsletter"),
            _message("c1", ALICE, [JUERGEN], "2023-09-02 09:00:00 UTC", "Und persönlich: Kaffee?"),
        ]
    )
    upload = read(owner, ("export.zip", linkedin_zip(CONNECTIONS, messages)))

    commit.commit(upload.pk, now=datetime.now(UTC))

    juergen = Contact.objects.get(owner=owner, last_name="Schröder")
    anna = Contact.objects.get(owner=owner, last_name="Weiß")
    assert [t.kind for t in juergen.touchpoints.order_by("happened_at")] == [Kind.MASS_MAIL, Kind.MESSAGE]
    assert [t.kind for t in anna.touchpoints.all()] == [Kind.MASS_MAIL]
    assert (anna.touch_count, anna.last_touch_at) == (0, None)
    assert juergen.touch_count == 1


def test_a_linkedin_message_to_many_imported_twice_is_logged_once(owner: User) -> None:
    others = [(f"Person {n}", f"https://www.linkedin.com/in/person-{n}") for n in range(5)]
    messages = HEADER + _message(
        "c9", ALICE, [JUERGEN, ANNA, *others], "2023-09-01 09:00:00 UTC", "Newsletter"
    )
    data = linkedin_zip(CONNECTIONS, messages)
    imported(owner, ("export.zip", data))

    again = read(owner, ("export.zip", data))
    commit.commit(again.pk, now=datetime.now(UTC))

    assert Touchpoint.objects.filter(contact__owner=owner, kind=Kind.MASS_MAIL).count() == 2


def test_linkedin_message_text_is_kept_only_when_asked(owner: User) -> None:
    upload = read(owner, ("export.zip", linkedin_zip(CONNECTIONS, MESSAGES)))
    Import.objects.filter(pk=upload.pk).update(keep_message_text=True)

    commit.commit(upload.pk, now=datetime.now(UTC))

    anna = Contact.objects.get(owner=owner, last_name="Weiß")
    assert _touches(anna) == [("2023-06-11", Initiator.ME, "Treffen wir uns?")]


def test_linkedin_messages_newest_first_as_linkedin_exports_them_read_the_same(owner: User) -> None:
    header, *lines = MESSAGES.splitlines(keepends=True)
    upload = read(owner, ("export.zip", linkedin_zip(CONNECTIONS, header + "".join(reversed(lines)))))
    Import.objects.filter(pk=upload.pk).update(keep_message_text=True)

    commit.commit(upload.pk, now=datetime.now(UTC))

    juergen = Contact.objects.get(owner=owner, last_name="Schröder")
    assert _touches(juergen) == [
        ("2023-03-25", Initiator.THEM, "Hallo Alice\n\nHallo Jürgen"),
        ("2023-03-26", Initiator.ME, "Noch wach?\n\nJetzt ja"),
        ("2023-06-11", Initiator.ME, "Treffen wir uns?"),
    ]


def test_linkedin_messages_imported_twice_log_nothing_more(owner: User) -> None:
    data = linkedin_zip(CONNECTIONS, MESSAGES)
    imported(owner, ("export.zip", data))

    again = read(owner, ("export.zip", data))

    assert report(again).touches == 0
    commit.commit(again.pk, now=datetime.now(UTC))
    assert Touchpoint.objects.filter(contact__owner=owner).count() == 4


def test_undo_takes_the_message_touches_back_from_a_matched_contact(owner: User) -> None:
    anna = ContactFactory(owner=owner, first_name="Anna", last_name="Weiß", linkedin_url=ANNA[1])
    before = dump()
    upload = imported(owner, ("export.zip", linkedin_zip(CONNECTIONS, MESSAGES)))
    assert anna.touchpoints.count() == 1

    undo.undo(upload.pk, now=datetime.now(UTC))

    assert dump() == before


def test_people_sharing_a_switchboard_number_stay_apart(owner: User) -> None:
    office = "First Name,Last Name,Company,Business Phone\nAnita,Jorgensen,Contoso,030 5555 1212\nKemal,Celik,Contoso,030 5555 1212\nAnita,Jorgensen,Contoso,\n"
    upload = read(owner, ("outlook.csv", office))

    found = report(upload)
    assert (found.new, found.duplicates_in_upload) == (2, 1)


def test_a_formula_in_a_cell_is_kept_as_text_and_exported_escaped(owner: User, client: Client) -> None:
    evil = LINKEDIN.replace("Bauer & Söhne GmbH", '"=HYPERLINK(""http://evil.example"",""x"")"')
    imported(owner, ("Connections.csv", evil))
    contact = Contact.objects.get(owner=owner, last_name="Schröder")
    assert contact.company == '=HYPERLINK("http://evil.example","x")'

    client.force_login(owner)
    response: Any = client.get(reverse("contacts:export_csv"))
    exported = b"".join(response.streaming_content).decode("utf-8-sig")

    assert "'=HYPERLINK" in exported
    assert all(f"{before}=HYPERLINK" not in exported for before in "\n;,")


def test_a_layout_mapped_once_is_read_with_the_same_columns_next_time(owner: User) -> None:
    liste = "Vorname;Nachname;Firma;E-Mail\nAnna;Weiß;Kanzlei Weiß;anna@weiss.example\n"
    assert read(owner, ("liste.csv", liste)).status == Import.Status.PREVIEW  # columns chosen

    again = reading.read(
        pipeline.start(owner, streams(("liste-2.csv", liste)), now=datetime.now(UTC), enqueue=lambda pk: None)
    )

    assert again.status == Import.Status.PREVIEW
    assert report(again).new == 1


def test_a_different_birthday_does_not_hide_a_shared_profile(owner: User) -> None:
    anna = ContactFactory(
        owner=owner,
        first_name="Anna",
        last_name="Weiß",
        linkedin_url=ANNA[1],
        birthday_day=14,
        birthday_month=7,
    )
    google = GOOGLE.replace("Juergen,,Schroeder", "Anna,,Weiss").replace("--02-29", "1985-07-15")

    upload = read(owner, ("export.zip", linkedin_zip(CONNECTIONS, MESSAGES)), ("google.csv", google))

    row = ImportRow.objects.get(upload=upload, status=RowStatus.MATCH)
    assert (row.contact, row.evidence) == (anna, "profile")
    assert row.conflicts["birthday"] == [[14, 7, None], [15, 7, 1985]]


def test_a_reading_is_claimed_once_and_again_after_its_lease(owner: User) -> None:
    now = datetime.now(UTC)
    upload = pipeline.start(owner, streams(("Connections.csv", LINKEDIN)), now=now, enqueue=lambda pk: None)

    assert pipeline.claim(upload.pk, now=now) is not None
    assert pipeline.claim(upload.pk, now=now) is None  # a second task for the same import
    assert pipeline.claim(upload.pk, now=now + pipeline.READING_LEASE + timedelta(seconds=1)) is not None


def test_the_sweep_queues_a_lost_reading_again_and_drops_a_days_old_upload(owner: User) -> None:
    now = datetime.now(UTC)
    lost = pipeline.start(owner, streams(("a.csv", LINKEDIN)), now=now, enqueue=lambda pk: None)
    pipeline.claim(lost.pk, now=now)  # its worker died while reading
    waiting = read(owner, ("b.csv", LINKEDIN))
    Import.objects.filter(pk=waiting.pk).update(created_at=now - timedelta(hours=25))
    queued: list[int] = []

    later = now + pipeline.READING_LEASE + timedelta(minutes=1)
    assert pipeline.sweep(now=later, enqueue=queued.append) == (1, 1)

    assert pipeline.claim(lost.pk, now=later) is not None
    waiting.refresh_from_db()
    assert waiting.status == Import.Status.ABANDONED
    assert not waiting.files.exists()


@pytest.mark.parametrize("bday", ["1885-03-04", "9999-03-04"])
def test_a_birth_year_no_contact_can_have_does_not_stop_the_import(owner: User, bday: str) -> None:
    """The contact's table refuses such a year: it used to pass the preview and fail every commit."""
    imported(owner, ("alt.vcf", f"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Alt;Anna\r\nBDAY:{bday}\r\nEND:VCARD\r\n"))

    anna = Contact.objects.get(owner=owner)
    assert (anna.birthday_day, anna.birthday_month, anna.birthday_year) == (4, 3, None)


ADDRESS_CARD = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Berg;Anna;Maria;;\r\nNICKNAME:Anni\r\nORG:Stadtwerke Graz;Einkauf\r\n"
    "EMAIL:anna.berg@example.at\r\nADR;TYPE=WORK:;;Am Markt 2;Graz;;8010;Österreich\r\nEND:VCARD\r\n"
)


@pytest.mark.parametrize(
    ("language", "lines"),
    [
        ("de", ["Weitere Vornamen: Maria", "Spitzname: Anni", "Abteilung: Einkauf",
                "Adresse (geschäftlich): Am Markt 2, 8010 Graz, Österreich"]),
        ("en", ["Middle names: Maria", "Nickname: Anni", "Department: Einkauf",
                "Address (work): Am Markt 2, 8010 Graz, Österreich"]),
    ],
)  # fmt: skip
def test_what_a_contact_has_no_field_for_is_kept_in_its_notes_once(language: str, lines: list[str]) -> None:
    owner = UserFactory(language=language)
    imported(owner, ("anna.vcf", ADDRESS_CARD))
    assert Contact.objects.get(owner=owner).notes == "\n".join(lines)

    again = read(owner, ("anna.vcf", ADDRESS_CARD.replace("Am Markt 2", "Am Markt 2 ")))
    assert (report(again).matched, report(again).changed) == (1, 0)


def test_a_new_address_of_a_known_contact_is_added_to_its_notes() -> None:
    owner = UserFactory(language="de")
    contact = ContactFactory(owner=owner, first_name="Anna", last_name="Berg", notes="Kennt Max.")
    ContactEmailFactory(contact=contact, address="anna.berg@example.at")

    upload = read(owner, ("anna.vcf", ADDRESS_CARD))

    row = ImportRow.objects.get(upload=upload)
    assert row.status == RowStatus.MATCH
    assert row.adds["details"][-1] == ["address_work", "Am Markt 2, 8010 Graz, Österreich"]
    commit.commit(upload.pk, now=datetime.now(UTC))
    contact.refresh_from_db()
    assert contact.notes.startswith("Kennt Max.\n\nWeitere Vornamen: Maria\n")
    assert contact.notes.endswith("Adresse (geschäftlich): Am Markt 2, 8010 Graz, Österreich")
    undo.undo(upload.pk, now=datetime.now(UTC))
    contact.refresh_from_db()
    assert contact.notes == "Kennt Max."


def test_a_name_alone_does_not_join_two_people_who_each_have_their_own_address(owner: User) -> None:
    """Two John Does, each with an e-mail of their own: nothing of the one is written into the
    other. A contact of that name without any address still matches."""
    ibm = ContactFactory(owner=owner, first_name="John", last_name="Doe", company="IBM")
    ContactEmailFactory(contact=ibm, address="john.doe@ibm.example")
    card = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;John;;;\r\nEMAIL:johndoe@host.example\r\nEND:VCARD\r\n"

    upload = read(owner, ("john.vcf", card))

    assert ImportRow.objects.get(upload=upload).status == RowStatus.NEW
    commit.commit(upload.pk, now=datetime.now(UTC))
    assert list(ibm.emails.values_list("address", flat=True)) == ["john.doe@ibm.example"]

    anna = ContactFactory(owner=owner, first_name="Anna", last_name="Weiß")
    again = read(owner, ("anna.vcf", card.replace("Doe;John", "Weiß;Anna")))
    row = ImportRow.objects.get(upload=again)
    assert (row.status, row.contact_id) == (RowStatus.MATCH, anna.pk)


def test_a_row_of_a_name_several_people_in_the_file_have_folds_into_none(owner: User) -> None:
    """Two Anna Schmidts with their own addresses, then a row of that name without one: which
    of them it is nobody can tell, so it joins neither (as with existing contacts)."""
    twins = (
        "First Name,Last Name,E-mail Address,Job Title,Nickname\n"
        "Anna,Schmidt,anna1@a.example,,Anni\n"
        "Anna,Schmidt,anna2@b.example,,Nana\n"
        "Anna,Schmidt,,,Ann\n"
    )
    upload = read(owner, ("anna.csv", twins))

    assert (
        sorted(ImportRow.objects.filter(upload=upload).values_list("status", flat=True))
        == [RowStatus.NEW] * 3
    )
    commit.commit(upload.pk, now=datetime.now(UTC))
    assert sorted(Contact.objects.filter(owner=owner).values_list("notes", flat=True)) == [
        "Nickname: Ann",
        "Nickname: Anni",
        "Nickname: Nana",
    ]


def test_a_short_detail_is_added_though_the_notes_hold_its_letters(owner: User) -> None:
    """A nickname "Max" and a department "IT" are not held by notes that mention Maximilian."""
    contact = ContactFactory(
        owner=owner, first_name="Eva", last_name="Lang", notes="Kennt Maximilian, wohnt in Graz"
    )
    ContactEmailFactory(contact=contact, address="eva@lang.example")
    card = "First Name,Last Name,E-mail Address,Job Title,Department,Nickname\nEva,Lang,eva@lang.example,,IT,Max\n"

    imported(owner, ("eva.csv", card))

    contact.refresh_from_db()
    assert contact.notes == "Kennt Maximilian, wohnt in Graz\n\nNickname: Max\nDepartment: IT"
    assert report(read(owner, ("eva.csv", card))).changed == 0  # and once only
