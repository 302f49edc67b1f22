"""The digest's lines and Today's items read as German is written: „so“ quoted, one colon."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse
from django.utils import translation

from contacts.models import Contact
from netzwerk.accounts.models import User
from reminders import digest, due
from reminders.models import ItemKind
from tests.reminders.conftest import NOW, at


def test_a_promise_is_quoted_the_german_way_on_today_and_in_the_digest(
    owner: User, owner_client: Client, network: dict[str, Contact]
) -> None:
    owner.language = "de"
    owner.save(update_fields=["language"])
    with at(NOW):
        page = owner_client.get(reverse("reminders:today"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    (promise,) = due.section_for(owner, ItemKind.PROMISE, now=NOW).items

    with translation.override("de"):
        line = digest.text_line(promise, "https://netzwerk.example")

    assert "„Artikel schicken“" in page
    assert "“Artikel schicken”" not in page
    assert "„Artikel schicken“" in line


def test_a_birthday_gestures_line_has_one_colon(owner: User, network: dict[str, Contact]) -> None:
    (gesture,) = due.section_for(owner, ItemKind.BIRTHDAY, now=NOW).items

    with translation.override("de"):
        line = digest.text_line(gesture, "https://netzwerk.example")

    head = line.split(" https://", 1)[0]
    assert head.count(":") == 1, head
    assert f": {network['birthday'].name} – " in head


def test_a_reader_without_a_first_name_is_greeted_without_their_address(
    owner: User, network: dict[str, Contact]
) -> None:
    """Sign-up asks for no name: "Hallo," then, not "Hallo alice@netzwerk.test,"."""
    owner.first_name, owner.language = "", "de"
    owner.save(update_fields=["first_name", "language"])

    with translation.override("de"):
        _subject, text, html = digest.render(owner, due.today_for(owner, now=NOW))

    assert text.startswith("Hallo,")
    assert owner.email not in text.split("\n", 1)[0]
    assert "Hallo," in html
