"""The import's pages: upload, progress, columns, preview actions, commit, undo, history."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from contacts.choices import Sorting
from contacts.models import Contact
from imports import pipeline, reading, tasks
from imports.models import ColumnMapping, Import, ImportFile, ImportRow, RowStatus
from imports.sources import reasons
from imports.sources.limits import MAX_UPLOAD_BYTES
from netzwerk.accounts.models import User
from tests.factories import ContactEmailFactory, ContactFactory, ImportFactory, ImportRowFactory
from tests.imports.helpers import imported, linkedin_zip, read, streams
from touchpoints import ledger
from touchpoints.kinds import Kind

pytestmark = pytest.mark.django_db

LINKEDIN = """Notes:
"When exporting your connection data, you may notice that some of the email addresses are missing."

First Name,Last Name,URL,Email Address,Company,Position,Connected On
Jürgen,Schröder,https://www.linkedin.com/in/juergen-schroeder,,Bauer & Söhne GmbH,Vertriebsleiter,22 Dec 2025
Anna,Weiß,https://www.linkedin.com/in/anna-weiss,anna.weiss@example.de,Kanzlei Weiß,Partnerin,03 Jan 2024
"""

VCARD = """BEGIN:VCARD
VERSION:3.0
N:Brandt;Petra;;;
FN:Petra Brandt
ORG:Stadtwerke Nord
EMAIL;TYPE=WORK:petra.brandt@stadtwerke-nord.example
TEL;TYPE=CELL:0171 2345678
BDAY:--0203
END:VCARD
"""

# No layout Netzwerk knows, separated by semicolons: the user maps the columns.
ODD_CSV = "Wer;Wo;Wie erreichbar\nJürgen Schröder;Bauer & Söhne GmbH;j.schroeder@bauer-soehne.example\n"
# The reading task's refusal of an unreadable vCard file names it; see imports.sources.
NOT_A_ZIP = b"PK\x03\x04 this is not a zip file at all"


def csv_file(name: str, content: str | bytes) -> SimpleUploadedFile:
    data = content.encode() if isinstance(content, str) else content
    return SimpleUploadedFile(name, data, content_type="text/csv")


def upload(client: Client, *files: SimpleUploadedFile) -> Any:
    return client.post(reverse("imports:upload"), {"uploads": list(files)})


def read_now(upload: Import) -> Import:
    """What the worker does with the queued task, called here (the task function, no eager mode)."""
    tasks.read(upload.pk)
    upload.refresh_from_db()
    return upload


@pytest.fixture
def preview(owner: User) -> Import:
    return read(owner, ("Connections.csv", LINKEDIN), ("kontakte.vcf", VCARD))


# ------------------------------------------------------------------------------ access


@pytest.mark.parametrize("name", ["imports:list", "imports:upload"])
def test_it_sends_anonymous_users_to_login(client: Client, name: str) -> None:
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


OBJECT_URLS = [
    "imports:detail",
    "imports:progress",
    "imports:columns",
    "imports:include",
    "imports:pick",
    "imports:commit",
    "imports:abandon",
    "imports:undo",
]
POST_ONLY = {"imports:columns", "imports:include", "imports:pick", "imports:commit"}


@pytest.mark.parametrize("name", OBJECT_URLS)
def test_it_answers_404_to_a_stranger_whatever_the_method(
    name: str, preview: Import, stranger_client: Client
) -> None:
    row = preview.rows.first()
    assert row is not None
    url = reverse(name, args=[preview.pk])

    assert stranger_client.get(url).status_code == 404
    assert stranger_client.post(url, {"row": row.pk, "included": "0"}).status_code == 404
    assert stranger_client.post(url, HTTP_HX_REQUEST="true").status_code == 404
    preview.refresh_from_db()
    assert preview.status == Import.Status.PREVIEW
    assert preview.rows.filter(included=False).count() == 0


@pytest.mark.parametrize("name", OBJECT_URLS)
def test_it_serves_the_owner_and_refuses_get_on_post_only_actions(
    name: str, preview: Import, owner_client: Client
) -> None:
    response = owner_client.get(reverse(name, args=[preview.pk]))
    assert response.status_code == (405 if name in POST_ONLY else 200)


def test_it_lists_only_the_owners_imports(owner_client: Client, owner: User, stranger: User) -> None:
    ImportFactory(owner=owner, report={"files": ["meine-kontakte.vcf"]})
    ImportFactory(owner=stranger, report={"files": ["geheim.vcf"]})

    page = owner_client.get(reverse("imports:list")).content.decode()

    assert "meine-kontakte.vcf" in page
    assert "geheim.vcf" not in page


def test_it_explains_what_to_import_when_there_is_nothing_yet(owner_client: Client) -> None:
    response = owner_client.get(reverse("imports:list"))
    assert 'data-testid="imports-empty"' in response.content.decode()
    assert response.content.decode().count(f'href="{reverse("imports:upload")}"') == 1  # once, in the card


@pytest.mark.parametrize("size", [1, 8])
def test_it_lists_the_history_in_the_same_number_of_queries(
    size: int, owner: User, owner_client: Client, django_assert_num_queries: Any
) -> None:
    ImportFactory.create_batch(size, owner=owner)
    owner_client.get(reverse("imports:list"))  # the session and the user, loaded once

    # session, user, the imports
    with django_assert_num_queries(3):
        response = owner_client.get(reverse("imports:list"))
    assert response.content.decode().count("data-import=") == size


# ------------------------------------------------------------------------------ upload


def test_it_shows_the_upload_form_with_the_limits(owner_client: Client) -> None:
    page = owner_client.get(reverse("imports:upload")).content.decode()
    assert 'type="file"' in page
    assert "multiple" in page
    assert 'accept=".csv,.vcf,.zip"' in page
    assert 'enctype="multipart/form-data"' in page
    assert "20 MB" in page
    assert "50,000 rows" in page


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([csv_file("gross.csv", b"a" * (MAX_UPLOAD_BYTES + 1))], "larger than 20 MB"),
        ([csv_file("kontakte.xlsx", b"PK\x03\x04")], "“kontakte.xlsx” is not a file Netzwerk reads"),
        ([csv_file("leer.vcf", b"")], "“leer.vcf” is empty"),
        ([], "Choose at least one file"),
    ],
    ids=["too-large", "kind", "empty", "no-file"],
)
def test_it_refuses_an_upload_with_a_message_in_the_form(
    owner_client: Client, files: list[SimpleUploadedFile], message: str
) -> None:
    response = upload(owner_client, *files)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Import.objects.exists()


def test_it_counts_the_limit_over_all_files_of_an_upload(owner_client: Client) -> None:
    half = MAX_UPLOAD_BYTES // 2 + 1
    response = upload(owner_client, csv_file("a.csv", b"a" * half), csv_file("b.csv", b"b" * half))

    assert "larger than 20 MB" in response.content.decode()
    assert not Import.objects.exists()


def test_it_stores_the_upload_and_queues_the_reading_after_the_commit(
    owner: User,
    owner_client: Client,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    queued: list[int] = []
    monkeypatch.setattr(tasks.read, "delay", queued.append)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = upload(owner_client, csv_file("Connections.csv", LINKEDIN), csv_file("k.vcf", VCARD))

    new = Import.objects.for_owner(owner).get()
    assert response.status_code == 302
    assert response["Location"] == new.get_absolute_url()
    assert new.status == Import.Status.READING
    assert sorted(ImportFile.objects.filter(upload=new).values_list("name", flat=True)) == [
        "Connections.csv",
        "k.vcf",
    ]
    assert queued == []  # nothing before the commit
    (callback,) = callbacks
    callback()
    assert queued == [new.pk]

    assert read_now(new).status == Import.Status.PREVIEW
    assert new.rows.count() == 3


# ------------------------------------------------------------------------------ progress


def test_it_shows_the_progress_while_reading_as_a_page_and_as_a_fragment(
    owner: User, owner_client: Client
) -> None:
    reading = ImportFactory(owner=owner, status=Import.Status.READING, rows_read=120, rows_expected=400)

    page = owner_client.get(reading.get_absolute_url()).content.decode()
    fragment = owner_client.get(reverse("imports:progress", args=[reading.pk]), HTTP_HX_REQUEST="true")

    assert "<html" in page
    assert 'hx-trigger="every 1s"' in page
    assert f'href="{reading.get_absolute_url()}"' in page  # refresh without JavaScript
    html = fragment.content.decode()
    assert "<html" not in html
    assert '<progress max="400" value="120"' in html
    assert "120 rows read" in html
    full = owner_client.get(reverse("imports:progress", args=[reading.pk]))
    assert "<html" in full.content.decode()


def test_it_moves_the_page_on_once_the_reading_is_done(preview: Import, owner_client: Client) -> None:
    response = owner_client.get(reverse("imports:progress", args=[preview.pk]), HTTP_HX_REQUEST="true")

    assert response["HX-Redirect"] == preview.get_absolute_url()


# ------------------------------------------------------------------------------ columns


def test_it_asks_for_the_columns_of_an_unknown_csv_and_reads_it_with_them(
    owner: User,
    owner_client: Client,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(tasks.read, "delay", lambda pk: None)
    with django_capture_on_commit_callbacks(execute=True):
        upload(owner_client, csv_file("adressen.csv", ODD_CSV))
    waiting = read_now(Import.objects.for_owner(owner).get())
    assert waiting.status == Import.Status.MAPPING

    page = owner_client.get(waiting.get_absolute_url()).content.decode()
    assert "Which column holds what?" in page
    for header in ("Wer", "Wo", "Wie erreichbar"):
        assert header in page
    upload_file = waiting.files.get()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = owner_client.post(
            reverse("imports:columns", args=[waiting.pk]),
            {
                f"file{upload_file.pk}-col0": "full_name",
                f"file{upload_file.pk}-col1": "company",
                f"file{upload_file.pk}-col2": "email",
            },
        )

    assert response.status_code == 302
    assert len(callbacks) == 1
    waiting.refresh_from_db()
    assert waiting.status == Import.Status.READING
    done = read_now(waiting)
    assert done.status == Import.Status.PREVIEW
    row = done.rows.get()
    assert (row.data["first_name"], row.data["last_name"], row.data["company"]) == (
        "Jürgen",
        "Schröder",
        "Bauer & Söhne GmbH",
    )
    assert row.data["emails"] == ["j.schroeder@bauer-soehne.example"]
    assert ColumnMapping.objects.get(owner=owner).fields == ["full_name", "company", "email"]


def test_it_keeps_the_columns_form_until_a_name_column_is_chosen(owner: User, owner_client: Client) -> None:
    waiting = reading.read(
        pipeline.start(owner, streams(("adressen.csv", ODD_CSV)), now=timezone.now(), enqueue=lambda pk: None)
    )
    assert waiting.status == Import.Status.MAPPING
    upload_file = waiting.files.get()

    response = owner_client.post(
        reverse("imports:columns", args=[waiting.pk]), {f"file{upload_file.pk}-col1": "company"}
    )

    assert response.status_code == 200
    assert "choose the column with the name" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == Import.Status.MAPPING


# ------------------------------------------------------------------------------ failed


def test_it_names_the_file_and_the_reason_when_a_file_cannot_be_read(
    owner: User, owner_client: Client
) -> None:
    failed = read(owner, ("linkedin.zip", NOT_A_ZIP))
    assert failed.status == Import.Status.FAILED

    page = owner_client.get(failed.get_absolute_url()).content.decode()

    assert "linkedin.zip" in page
    assert "The file is not a ZIP archive that can be opened." in page
    assert "Nothing was imported" in page
    assert reverse("imports:upload") in page


# ------------------------------------------------------------------------------ preview


def test_it_previews_counts_rows_and_birthdays_without_a_year(preview: Import, owner_client: Client) -> None:
    page = owner_client.get(preview.get_absolute_url()).content.decode()

    assert 'data-testid="count-new">3<' in page
    assert "Import 3 contacts" in page
    assert "Petra Brandt" in page
    assert "February 3" in page  # the birthday, no year (German: "3. Februar")
    assert "+49 171 2345678" in page
    assert "anna.weiss@example.de" in page


def test_it_shows_a_birthday_without_a_year_in_german(owner: User, client: Client) -> None:
    owner.language = "de"
    owner.save()
    client.force_login(owner)
    upload = read(owner, ("kontakte.vcf", VCARD))

    page = client.get(upload.get_absolute_url()).content.decode()

    assert "3. Februar" in page


def test_it_filters_the_rows_as_a_page_and_as_a_fragment(preview: Import, owner_client: Client) -> None:
    ImportRow.objects.filter(upload=preview, data__last_name="Weiß").update(included=False)
    url = f"{preview.get_absolute_url()}?show=left_out"

    page = owner_client.get(url).content.decode()
    fragment = owner_client.get(url, HTTP_HX_REQUEST="true").content.decode()

    assert "<html" in page
    assert "<html" not in fragment
    assert 'id="import-rows"' in fragment
    assert "Anna Weiß" in fragment
    assert "Petra Brandt" not in fragment


def test_it_shows_a_match_with_its_evidence_additions_and_conflicts(
    owner: User, owner_client: Client
) -> None:
    contact = ContactFactory(owner=owner, first_name="Anna", last_name="Weiß", company="Alte Firma AG")
    ContactEmailFactory(contact=contact, address="anna.weiss@example.de")
    upload = read(owner, ("Connections.csv", LINKEDIN))

    page = owner_client.get(f"{upload.get_absolute_url()}?show=changed").content.decode()

    assert "same e-mail" in page
    assert contact.get_absolute_url() in page
    assert "Partnerin" in page  # the position it lacks, added
    assert "Alte Firma AG" in page
    assert "Kanzlei Weiß" in page
    assert 'name="choice" value="current"' in page


@pytest.mark.parametrize("size", [2, 12])
def test_it_renders_the_preview_in_the_same_number_of_queries(
    size: int, owner: User, owner_client: Client, django_assert_num_queries: Any
) -> None:
    upload = ImportFactory(owner=owner)
    ImportRowFactory.create_batch(size, upload=upload)
    owner_client.get(upload.get_absolute_url())

    # session, user, the import, the report, errors, its error count, rows counted, the rows
    with django_assert_num_queries(8):
        owner_client.get(upload.get_absolute_url())


def test_it_lists_the_rows_not_read_with_file_line_and_reason(owner: User, owner_client: Client) -> None:
    upload = read(owner, ("Connections.csv", LINKEDIN + ",,,,,Leitung,01 Jan 2024\n"))

    page = owner_client.get(upload.get_absolute_url()).content.decode()
    rows = owner_client.get(f"{upload.get_absolute_url()}?show=error", HTTP_HX_REQUEST="true")

    assert "The row not read" in page
    reason = "“Connections.csv”, line 7: This row has no name, no e-mail address and no company."
    assert reason in page
    assert reason in rows.content.decode()
    assert "Import 2 contacts" in page


def test_it_words_a_reason_in_the_users_language(owner: User, client: Client) -> None:
    owner.language = "de"
    owner.save()
    client.force_login(owner)
    failed = read(owner, ("linkedin.zip", NOT_A_ZIP))  # read in English (the worker's language)

    with translation.override("de"):
        german = reasons.describe("not_a_zip")
    page = client.get(failed.get_absolute_url()).content.decode()

    assert german in page


# ------------------------------------------------------------------------------ include and pick


def test_it_leaves_a_row_out_without_javascript(preview: Import, owner_client: Client) -> None:
    row = preview.rows.get(data__last_name="Weiß")
    page = f"{preview.get_absolute_url()}?show=new"

    response = owner_client.post(
        reverse("imports:include", args=[preview.pk]), {"row": row.pk, "included": "0", "next": page}
    )

    assert response.status_code == 302
    assert response["Location"] == f"{page}#row-{row.pk}"
    row.refresh_from_db()
    assert row.included is False


def test_it_leaves_a_row_out_and_takes_it_back_by_htmx(preview: Import, owner_client: Client) -> None:
    row = preview.rows.get(data__last_name="Weiß")
    url = reverse("imports:include", args=[preview.pk])

    left_out = owner_client.post(url, {"row": row.pk, "included": "0"}, HTTP_HX_REQUEST="true")

    html = left_out.content.decode()
    assert left_out.status_code == 200
    assert "<html" not in html
    assert f'id="row-{row.pk}"' in html
    assert "Take in" in html
    assert 'id="import-summary" aria-labelledby="summary-title" hx-swap-oob="true"' in html
    assert "Import 2 contacts" in html
    row.refresh_from_db()
    assert row.included is False

    back = owner_client.post(url, {"row": row.pk, "included": "1"}, HTTP_HX_REQUEST="true")
    assert "Import 3 contacts" in back.content.decode()
    row.refresh_from_db()
    assert row.included is True


def test_it_takes_no_row_of_another_import(preview: Import, owner: User, owner_client: Client) -> None:
    other = ImportRowFactory(upload=ImportFactory(owner=owner))

    response = owner_client.post(
        reverse("imports:include", args=[preview.pk]), {"row": other.pk, "included": "0"}
    )

    assert response.status_code == 404
    other.refresh_from_db()
    assert other.included is True


@pytest.fixture
def conflict(owner: User) -> ImportRow:
    contact = ContactFactory(owner=owner, first_name="Anna", last_name="Weiß", company="Alte Firma AG")
    ContactEmailFactory(contact=contact, address="anna.weiss@example.de")
    upload = read(owner, ("Connections.csv", LINKEDIN))
    return upload.rows.get(status=RowStatus.MATCH)


def test_it_saves_a_pick_by_htmx_and_without_javascript(conflict: ImportRow, owner_client: Client) -> None:
    url = reverse("imports:pick", args=[conflict.upload_id])
    data = {"row": conflict.pk, "field": "company", "choice": "imported"}

    fragment = owner_client.post(url, data, HTTP_HX_REQUEST="true")

    html = fragment.content.decode()
    assert "<html" not in html
    assert '<form class="conflict"' in html
    assert 'value="imported" id="pick-' in html
    assert "checked> <span>Take from the file" in html
    conflict.refresh_from_db()
    assert conflict.choices == {"company": "imported"}

    plain = owner_client.post(url, {**data, "choice": "current"})
    assert plain.status_code == 302
    conflict.refresh_from_db()
    assert conflict.choices == {"company": "current"}


def test_it_refuses_a_pick_of_no_conflict(conflict: ImportRow, owner_client: Client) -> None:
    response = owner_client.post(
        reverse("imports:pick", args=[conflict.upload_id]),
        {"row": conflict.pk, "field": "notes", "choice": "imported"},
    )

    assert response.status_code == 400
    conflict.refresh_from_db()
    assert conflict.choices == {}


# ------------------------------------------------------------------------------ commit and undo


def test_it_commits_and_undoes_through_the_pages(preview: Import, owner: User, owner_client: Client) -> None:
    left_out = preview.rows.get(data__last_name="Weiß")
    owner_client.post(reverse("imports:include", args=[preview.pk]), {"row": left_out.pk, "included": "0"})

    committed = owner_client.post(reverse("imports:commit", args=[preview.pk]))

    assert committed.status_code == 302
    contacts = Contact.objects.for_owner(owner)
    assert sorted(contacts.values_list("last_name", flat=True)) == ["Brandt", "Schröder"]
    assert {c.sorting for c in contacts} == {Sorting.UNSORTED}
    page = owner_client.get(preview.get_absolute_url()).content.decode()
    assert "2 new contacts" in page
    assert "1 row you left out" in page
    assert reverse("imports:undo", args=[preview.pk]) in page

    confirm = owner_client.get(reverse("imports:undo", args=[preview.pk])).content.decode()
    assert "2 contacts it created are deleted" in confirm
    named = confirm.split('data-testid="deleted"')[1].split("</ul>")[0]
    assert "Brandt" in named
    assert "Schröder" in named
    assert Contact.objects.for_owner(owner).count() == 2  # asking changes nothing
    undone = owner_client.post(reverse("imports:undo", args=[preview.pk]))

    assert undone.status_code == 302
    assert not Contact.objects.for_owner(owner).exists()
    preview.refresh_from_db()
    assert preview.status == Import.Status.UNDONE
    assert "2 contacts deleted" in owner_client.get(preview.get_absolute_url()).content.decode()


def test_it_says_which_contacts_stay_on_undo(owner: User, owner_client: Client) -> None:
    upload = imported(owner, ("kontakte.vcf", VCARD))
    petra = Contact.objects.for_owner(owner).get()
    ledger.log_touch(petra, kind=Kind.CALL, happened_at=upload.committed_at)  # type: ignore[arg-type]

    confirm = owner_client.get(reverse("imports:undo", args=[upload.pk])).content.decode()
    assert 'data-testid="kept"' in confirm
    assert petra.get_absolute_url() in confirm

    owner_client.post(reverse("imports:undo", args=[upload.pk]))
    assert Contact.objects.filter(pk=petra.pk).exists()
    assert petra.get_absolute_url() in owner_client.get(upload.get_absolute_url()).content.decode()


def test_it_commits_once(preview: Import, owner: User, owner_client: Client) -> None:
    owner_client.post(reverse("imports:commit", args=[preview.pk]))
    again = owner_client.post(reverse("imports:commit", args=[preview.pk]), follow=True)

    assert "not waiting to be imported any more" in again.content.decode()
    assert Contact.objects.for_owner(owner).count() == 3


ONE_MESSAGE = (
    "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,SUBJECT,CONTENT,FOLDER\n"
    "c1,,Alice Muster,https://www.linkedin.com/in/alice-muster,Anna Weiß,https://www.linkedin.com/in/anna-weiss,"
    "2025-11-03 09:15:00 UTC,,Hallo Anna,INBOX\n"
)


def test_it_asks_the_linkedin_account_holder_to_confirm_the_profile(
    owner: User, owner_client: Client
) -> None:
    upload = read(owner, ("Basic_LinkedInDataExport.zip", linkedin_zip(LINKEDIN, ONE_MESSAGE)))
    assert upload.account_holder == "https://www.linkedin.com/in/alice-muster"
    page = owner_client.get(upload.get_absolute_url()).content.decode()
    assert "Is this your profile?" in page
    assert "Keep the message text as the touch" in page

    refused = owner_client.post(reverse("imports:commit", args=[upload.pk]))
    assert refused.status_code == 200
    assert "Say whether this is your profile" in refused.content.decode()
    assert "Nothing was imported yet: answer the question" in refused.content.decode()
    assert not Contact.objects.for_owner(owner).exists()

    owner_client.post(
        reverse("imports:commit", args=[upload.pk]), {"holder_confirmed": "yes", "keep_message_text": "on"}
    )
    anna = Contact.objects.for_owner(owner).get(last_name="Weiß")
    assert list(anna.touchpoints.values_list("note", flat=True)) == ["Hallo Anna"]


def test_someone_elses_messages_are_left_out_and_the_contacts_come_in(
    owner: User, owner_client: Client
) -> None:
    upload = read(owner, ("Basic_LinkedInDataExport.zip", linkedin_zip(LINKEDIN, ONE_MESSAGE)))

    owner_client.post(reverse("imports:commit", args=[upload.pk]), {"holder_confirmed": "no"})

    anna = Contact.objects.for_owner(owner).get(last_name="Weiß")
    assert not anna.touchpoints.exists()
    assert Import.objects.get(pk=upload.pk).status == Import.Status.COMMITTED


def test_it_drops_an_import_after_asking(preview: Import, owner_client: Client) -> None:
    url = reverse("imports:abandon", args=[preview.pk])

    confirm = owner_client.get(url)
    assert "Drop this import?" in confirm.content.decode()
    response = owner_client.post(url)

    assert response.status_code == 302
    preview.refresh_from_db()
    assert preview.status == Import.Status.ABANDONED
    assert not preview.files.exists()
    assert not preview.rows.exists()
