"""An import in the browser, with a real Celery worker reading it: upload a vCard and LinkedIn's
Connections.csv, watch the progress, leave a row out, settle a conflict, import, sort, undo."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.db import connections
from playwright.sync_api import expect

from contacts.choices import Sorting
from contacts.models import Contact
from imports.models import Import, ImportRow
from netzwerk.accounts.models import User
from netzwerk.celery import app
from tests.e2e.conftest import go_by_menu, log_in, no_sideways_scroll
from tests.factories import ContactEmailFactory, ContactFactory, UserFactory

CONNECTIONS = """Notes:
"When exporting your connection data, you may notice that some of the email addresses are missing."

First Name,Last Name,URL,Email Address,Company,Position,Connected On
Jürgen,Schröder,https://www.linkedin.com/in/juergen-schroeder-lang-und-ohne-umbruch-im-profilnamen,,Bauer & Söhne GmbH,Vertriebsleiter,22 Dec 2025
Anna,Weiß,https://www.linkedin.com/in/anna-weiss,anna.weiss@example.de,Kanzlei Weiß,Partnerin,03 Jan 2024
"""
VCARD = """BEGIN:VCARD
VERSION:3.0
N:Brandt;Petra;;;
FN:Petra Brandt
ORG:Stadtwerke Nord
EMAIL;TYPE=WORK:petra.brandt.einkauf.und.beschaffung@stadtwerke-norddeutschland-beispiel.example
TEL;TYPE=CELL:0171 2345678
BDAY:--0203
END:VCARD
"""


def close_connections(**kwargs: Any) -> None:
    """After each task, in the worker's thread: a connection left open there would keep
    PostgreSQL from dropping the test database at the end of the run."""
    connections.close_all()


@contextmanager
def celery_worker() -> Iterator[None]:
    """A worker in this process (solo pool, a thread) on the configured broker: the filesystem
    broker here, Redis in CI. It reaches the live server's database as a deployed one would."""
    task_postrun.connect(close_connections, weak=False)
    try:
        with start_worker(
            app, perform_ping_check=False, pool="solo", loglevel="WARNING", shutdown_timeout=30
        ):
            yield
    finally:
        task_postrun.disconnect(close_connections)


def wait_for(condition: Any, *, seconds: float = 10) -> None:
    """The database catches up with an htmx request the page has sent."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the change never reached the database"
        time.sleep(0.1)


def test_an_import_from_upload_to_undo(page: Any, live_server: Any, tmp_path: Path) -> None:
    base = live_server.url
    email = f"import-{page.viewport_size['width']}@netzwerk.test"
    owner: User = UserFactory(email=email, language="de")
    anna = ContactFactory(owner=owner, first_name="Anna", last_name="Weiß", company="Alte Firma AG")
    ContactEmailFactory(contact=anna, address="anna.weiss@example.de")
    (tmp_path / "kontakte.vcf").write_text(VCARD)
    (tmp_path / "Connections.csv").write_text(CONNECTIONS)
    log_in(page, base, email)

    go_by_menu(page, "/import/")
    page.wait_for_url(re.compile(r"/import/$"))
    expect(page.locator("[data-testid=imports-empty]")).to_be_visible()
    page.click("main [data-testid=imports-empty] a[href='/import/new/']")  # no import yet: the card offers it
    page.wait_for_url(re.compile(r"/import/new/$"))
    no_sideways_scroll(page)
    page.set_input_files("input[type=file]", [tmp_path / "kontakte.vcf", tmp_path / "Connections.csv"])
    page.click("form.upload-form button[type=submit]")
    page.wait_for_url(re.compile(r"/import/\d+/$"))

    # No worker yet: the page shows the reading, and does so again after a reload.
    expect(page.locator("#import-progress progress")).to_be_visible()
    page.reload()
    expect(page.locator("#import-progress progress")).to_be_visible()
    upload = Import.objects.get(owner=owner)
    assert upload.status == Import.Status.READING

    with celery_worker():
        expect(page.locator("[data-testid=count-new]")).to_have_text("2", timeout=30_000)
    upload.refresh_from_db()
    assert upload.status == Import.Status.PREVIEW
    expect(page.locator("[data-testid=count-matched]")).to_have_text("1")
    expect(page.locator("#import-rows")).to_contain_text("3. Februar")
    no_sideways_scroll(page)

    # Leave Jürgen out, without a reload.
    page.evaluate("window.__noReload = true")
    juergen = page.locator(".import-row", has_text="Jürgen Schröder")
    juergen.locator(".include-toggle button[type=submit]").click()
    expect(page.locator(".import-row.left-out", has_text="Jürgen Schröder")).to_be_visible()
    expect(page.locator("[data-testid=count-left-out]")).to_have_text("1")
    expect(page.locator("[data-testid=commit]")).to_contain_text("2")

    # Anna is there already: take the file's company.
    conflict = page.locator(".import-row", has_text="Anna Weiß").locator("form.conflict")
    conflict.locator("input[value=imported]").check()
    row = ImportRow.objects.get(upload=upload, status="match")
    wait_for(lambda: ImportRow.objects.get(pk=row.pk).choices == {"company": "imported"})
    assert page.evaluate("window.__noReload") is True
    no_sideways_scroll(page)

    page.click("[data-testid=commit]")
    expect(page.locator("[data-testid=done]")).to_be_visible()
    no_sideways_scroll(page)
    petra = Contact.objects.get(owner=owner, last_name="Brandt")
    assert petra.sorting == Sorting.UNSORTED
    assert not Contact.objects.filter(owner=owner, last_name="Schröder").exists()
    anna.refresh_from_db()
    assert anna.company == "Kanzlei Weiß"

    # The new contact waits in the list, to be sorted.
    expect(page.locator("main .done a.button[href='/import/sort/']")).to_be_visible()  # or one by one
    page.click("main .done a.button[href^='/contacts/']")
    page.wait_for_url(re.compile(r"/contacts/\?"))
    expect(page.locator("#contact-results")).to_contain_text("Petra Brandt")
    expect(page.locator("#contact-results")).not_to_contain_text("Anna Weiß")  # sorted long ago
    no_sideways_scroll(page)

    # Undo from the history: asked first, then done.
    go_by_menu(page, "/import/")
    page.wait_for_url(re.compile(r"/import/$"))
    no_sideways_scroll(page)
    page.click(f"tr[data-import='{upload.pk}'] [data-testid=undo-link]")
    page.wait_for_url(re.compile(r"/import/\d+/undo/$"))
    no_sideways_scroll(page)
    page.click("main form button[type=submit]")
    expect(page.locator("[data-testid=undone]")).to_be_visible()
    assert not Contact.objects.filter(owner=owner, last_name="Brandt").exists()
    anna.refresh_from_db()
    assert anna.company == "Alte Firma AG"

    go_by_menu(page, "/contacts/")
    page.wait_for_url(re.compile(r"/contacts/$"))
    expect(page.locator("#contact-results")).to_contain_text("Anna Weiß")
    expect(page.locator("#contact-results")).not_to_contain_text("Petra Brandt")
