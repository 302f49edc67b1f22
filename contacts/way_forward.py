"""What a refused promotion tells the user, with the way forward (R5: trust grows from meeting)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from contacts.models import Contact


def not_met(contact: Contact) -> SafeString:
    """A strong tie grows from meeting in person: log the first meeting, linked to the log form."""
    link = format_html(
        '<a href="{}">{}</a>',
        reverse("touchpoints:panel", args=[contact.pk]),
        gettext("Log your first meeting with %(name)s") % {"name": contact.name},
    )
    text = gettext("You have not met %(name)s in person yet, and a strong tie grows from meeting.")
    return format_html("{} {}", text % {"name": contact.name}, link)
