"""German makes long words: a company, a tag or a file name with no break in it must wrap on a
375 px phone (and a laptop) rather than push the page sideways."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from imports import pipeline, reading
from imports.models import Import
from tests.e2e.conftest import log_in, no_sideways_scroll
from tests.factories import ContactFactory, TagFactory, UserFactory
from tests.imports.helpers import streams

COMPANY = "Österreichische Donaudampfschifffahrtsgesellschaftskapitänsvereinigung"
TAG = "Wirtschaftskammerveranstaltungsteilnehmerin"
# An address book's export whose layout Netzwerk does not know: the column form is shown.
UNKNOWN_CSV = (
    "Vorname;Nachname;Straße (privat);Ort (privat);Postleitzahl (privat);Telefon (privat);"
    "E-Mail-Adresse;Firma;Position;Geburtstag;Notizen\n"
    "Petra;Brandt;Hafenstraße 1;Hamburg;20457;040 123456;petra@example.de;Stadtwerke;Einkauf;;\n"
)


def test_long_words_wrap_on_the_contact_pages_and_the_quick_log(page: Any, live_server: Any) -> None:
    email = f"lange-woerter-{page.viewport_size['width']}@netzwerk.test"
    owner = UserFactory(email=email, language="de")
    contact = ContactFactory(owner=owner, first_name="Jürgen", last_name="Weiß", company=COMPANY)
    contact.tags.add(TagFactory(owner=owner, name=TAG))
    log_in(page, live_server.url, email)

    page.goto(live_server.url + contact.get_absolute_url())
    no_sideways_scroll(page)

    page.goto(f"{live_server.url}/contacts/")
    page.locator(".contact-row", has_text=TAG).wait_for()
    no_sideways_scroll(page)

    page.goto(f"{live_server.url}/touches/")
    page.fill("#quick-q", "weiß")
    page.locator("#quick-matches .match", has_text=COMPANY).wait_for()
    no_sideways_scroll(page)


def test_the_column_form_of_a_long_file_name_fits(page: Any, live_server: Any) -> None:
    email = f"spalten-{page.viewport_size['width']}@netzwerk.test"
    owner = UserFactory(email=email, language="de")
    name = "contactsio__windows_live_mail_de_semicolon_very_long_name.csv"
    started = pipeline.start(owner, streams((name, UNKNOWN_CSV)), now=timezone.now(), enqueue=lambda pk: None)
    upload = reading.read(started)
    assert upload.status == Import.Status.MAPPING
    log_in(page, live_server.url, email)

    page.goto(live_server.url + upload.get_absolute_url())
    page.locator(".columns-form legend", has_text=name).wait_for()
    no_sideways_scroll(page)
    for select in page.locator(".columns-form select").all():
        box = select.bounding_box()
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= page.viewport_size["width"]  # not cut off
