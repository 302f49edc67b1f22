"""Contacts as vCard 4.0 (RFC 6350), written by vobject: its escaping and line folding (75 octets,
UTF-8) are what other address books read.

Every card has a UID that stays the same across exports of one installation, so an address book
that imports a second export updates its cards instead of doubling them: a name-based UUID of the
contact's id in a namespace of the site's URL (`uid_namespace`). No UID is stored.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC

import vobject
from django.conf import settings

from contacts.models import Contact, ContactEmail, ContactPhone, ContactQuerySet

PRODID = "-//Netzwerk//Contacts export//EN"

# Free-text labels that name a standard TYPE (RFC 6350 6.4.1); other labels are left out.
TYPES_BY_LABEL = {
    "work": "work",
    "arbeit": "work",
    "büro": "work",
    "geschäftlich": "work",
    "home": "home",
    "privat": "home",
    "zuhause": "home",
}
CELL_LABELS = frozenset({"mobile", "mobil", "handy", "cell"})


def uid_namespace() -> uuid.UUID:
    """One namespace per installation: the same contact id on another site is another person."""
    return uuid.uuid5(uuid.NAMESPACE_URL, settings.SITE_URL)


def contact_uid(contact: Contact, *, namespace: uuid.UUID) -> str:
    return uuid.uuid5(namespace, f"contact:{contact.pk}").urn


def cards_of(contacts: ContactQuerySet) -> ContactQuerySet:
    """What `write_vcards` reads, in three queries whatever the number of contacts."""
    return contacts.prefetch_related("emails", "phones", "tags").order_by("last_name", "first_name", "pk")


def write_vcards(contacts: Iterable[Contact]) -> str:
    """One card per contact, archived ones included (see `cards_of` for the queryset)."""
    namespace = uid_namespace()
    return "".join(_card(contact, namespace=namespace).serialize() for contact in contacts)


def _card(contact: Contact, *, namespace: uuid.UUID) -> vobject.base.Component:
    card = vobject.vCard()
    card.add("version").value = "4.0"
    card.add("prodid").value = PRODID
    card.add("uid").value = contact_uid(contact, namespace=namespace)
    card.add("fn").value = contact.name
    card.add("n").value = vobject.vcard.Name(family=contact.last_name, given=contact.first_name)
    if contact.company:
        card.add("org").value = [contact.company]
    if contact.position:
        card.add("title").value = contact.position
    if birthday := _birthday(contact):
        card.add("bday").value = birthday
    for email in contact.emails.all():
        _add_typed(card, "email", email.address, email)
    for phone in contact.phones.all():
        # RFC 6350 6.4.1: a TEL value SHOULD be a tel: URI; the number is stored in E.164.
        line = _add_typed(card, "tel", f"tel:{phone.number}", phone)
        line.value_param = "uri"
    for _label, url in contact.social_profiles:
        card.add("url").value = url
    if contact.notes:
        card.add("note").value = contact.notes
    if tags := [tag.name for tag in contact.tags.all()]:
        card.add("categories").value = tags
    card.add("rev").value = contact.updated_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return card


def _birthday(contact: Contact) -> str:
    """RFC 6350 4.3.1: `19700314`, or `--0314` when the year is not known."""
    if contact.birthday_day is None or contact.birthday_month is None:
        return ""
    year = f"{contact.birthday_year:04d}" if contact.birthday_year else "--"
    return f"{year}{contact.birthday_month:02d}{contact.birthday_day:02d}"


def _add_typed(
    card: vobject.base.Component, name: str, value: str, source: ContactEmail | ContactPhone
) -> vobject.base.ContentLine:
    line = card.add(name)
    line.value = value
    label = source.label.strip().lower()
    kind = "cell" if name == "tel" and label in CELL_LABELS else TYPES_BY_LABEL.get(label)
    if kind:
        line.type_param = kind
    return line
