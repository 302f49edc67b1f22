"""The digest preview under the page's CSP, and the digest's "and N more" opening its section."""

from __future__ import annotations

import html
import re

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from netzwerk.accounts.models import User
from reminders import digest, due, items
from tests.factories import UserFactory
from tests.reminders.test_digest import MONDAY, due_contact

pytestmark = pytest.mark.django_db


def frame_of(page: str) -> tuple[str, str]:
    """The preview frame's opening tag and its document (srcdoc, unescaped)."""
    found = re.search(r'(<iframe[^>]*srcdoc="([^"]*)"[^>]*>)', page)
    assert found is not None, "no framed e-mail"
    return found.group(1), html.unescape(found.group(2))


def test_the_preview_frames_the_email_with_a_nonce_and_no_unsafe_inline(client: Client) -> None:
    reader: User = UserFactory(language="de")
    due_contact(reader)
    client.force_login(reader)

    with time_machine.travel(MONDAY, tick=False):
        response = client.get(reverse("digest:preview"))
        _subject, _text, sent_html = digest.preview(reader, now=MONDAY)

    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    style_src = re.search(r"style-src ([^;]*)", policy)
    assert style_src is not None
    nonce = re.search(r"'nonce-([^']+)'", style_src.group(1))
    assert nonce is not None
    page = response.content.decode()
    assert "<html" in page  # the app's page, with the e-mail inside
    tag, framed = frame_of(page)
    assert "sandbox=" in tag
    assert "allow-scripts" not in tag
    assert f'<style nonce="{nonce.group(1)}">' in framed
    assert '<base target="_top">' in framed  # a link opens the app, not a page inside the frame
    assert "Überfällig" in framed
    # the e-mail as sent carries neither
    assert "nonce=" not in sent_html
    assert "<base" not in sent_html


def test_each_preview_gets_its_own_nonce(client: Client) -> None:
    reader: User = UserFactory()
    client.force_login(reader)

    first, second = client.get(reverse("digest:preview")), client.get(reverse("digest:preview"))

    assert first["Content-Security-Policy"] != second["Content-Security-Policy"]
    # the rest of the app keeps its strict style policy
    today = client.get(reverse("reminders:today"))
    assert re.search(r"style-src 'self'(;|$)", today["Content-Security-Policy"])


def test_the_plain_text_preview_is_unchanged(client: Client) -> None:
    reader: User = UserFactory(language="de")
    due_contact(reader)
    client.force_login(reader)

    with time_machine.travel(MONDAY, tick=False):
        text = client.get(reverse("digest:preview"), {"format": "text"})

    assert text["Content-Type"] == "text/plain; charset=utf-8"
    assert text.content.decode().startswith("Netzwerk: 1 Sache zu tun am Montag")


def test_and_n_more_opens_that_section_in_full(client: Client) -> None:
    reader: User = UserFactory(language="de")
    for n in range(items.SHOWN + 2):
        due_contact(reader, name=f"Person{n}")
    client.force_login(reader)

    with time_machine.travel(MONDAY, tick=False):
        _subject, text, sent_html = digest.render(reader, due.today_for(reader, now=MONDAY))
        link = f"{settings.SITE_URL}{reverse('reminders:today')}?all=cadence#today-cadence"
        today = client.get(link.removeprefix(settings.SITE_URL))

    assert f'href="{link}"' in sent_html
    assert f"und 2 weitere: {link}" in text
    assert mail.outbox == []
    shown = today.content.decode()
    section = shown.split('id="today-cadence"', 1)[1].split("</section>", 1)[0]
    assert section.count('data-testid="item"') == items.SHOWN + 2
    assert 'data-testid="more-cadence"' not in section
