"""Certain evidence that two of an owner's contacts are one person: a shared e-mail address,
phone number or social profile, compared by the keys of contacts.keys.

Read two ways, each through the keys' indexes and never by comparing contacts two by two: every
key the owner's contacts share (imports.duplicates makes the candidate pairs of them) and the
contacts sharing a key with one contact (the warning when a contact is saved). A pair the owner
kept apart (DistinctPair) is no evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.fields import CharField

from contacts.keys import PROFILE_FIELDS, email_key, profile_key
from contacts.models import Contact, ContactEmail, ContactPhone, DistinctPair

if TYPE_CHECKING:
    from netzwerk.accounts.models import User

EMAIL, PHONE = "email", "phone"
# The kinds of certain evidence: EMAIL, PHONE and the profiles' keys ("linkedin", "xing", ...).
KINDS = (EMAIL, PHONE, *PROFILE_FIELDS)


@dataclass(frozen=True)
class Shared:
    """A key and the owner's contacts that have it (two or more)."""

    kind: str
    key: str
    contacts: list[int]


@dataclass(frozen=True)
class Twin:
    """Another contact of the owner with the same e-mail, phone or profile (`key`)."""

    contact: Contact
    kind: str
    key: str


def _keyed(owner: User) -> list[QuerySet[Any]]:
    """The owner's keys, one queryset per kind, each row annotated (kind, key, cid)."""
    kind = {"output_field": CharField()}
    parts: list[QuerySet[Any]] = [
        ContactEmail.objects.filter(contact__owner=owner).annotate(
            kind=Value(EMAIL, **kind), key=email_key(), cid=F("contact_id")
        ),
        ContactPhone.objects.filter(contact__owner=owner).annotate(
            kind=Value(PHONE, **kind), key=F("number"), cid=F("contact_id")
        ),
    ]
    for name, field in PROFILE_FIELDS.items():
        profiles = Contact.objects.for_owner(owner).exclude(**{field: ""})
        parts.append(profiles.annotate(kind=Value(name, **kind), key=profile_key(field), cid=F("pk")))
    return [part.order_by() for part in parts]


def _union(parts: list[QuerySet[Any]]) -> QuerySet[Any]:
    rows = [part.values_list("kind", "key", "cid") for part in parts]
    # ordered: without, the union would take ContactEmail's default ordering, not one of its columns
    return rows[0].union(*rows[1:], all=True).order_by("kind", "key", "cid")


def shared_keys(owner: User) -> list[Shared]:
    """Every key two or more of the owner's contacts have, in one query."""
    parts = []
    for rows in _keyed(owner):
        # no contact has a key twice (contact_email_unique, contact_phone_unique, one field per
        # profile), so a plain count, which PostgreSQL can hash, tells contacts apart
        shared = rows.values("key").annotate(n=Count("cid")).filter(n__gt=1).values("key")
        parts.append(rows.filter(key__in=shared))
    found: dict[tuple[str, str], list[int]] = {}
    for kind, key, contact_id in _union(parts):
        found.setdefault((kind, key), []).append(contact_id)
    return [Shared(kind, key, holders) for (kind, key), holders in found.items() if len(holders) > 1]


def twins_of(contact: Contact) -> list[Twin]:
    """The owner's other contacts sharing an e-mail, phone or profile with `contact` (but those
    the owner kept apart from it), in two queries; by name."""
    parts = []
    for rows in _keyed(contact.owner):
        own = rows.filter(cid=contact.pk).values("key")
        parts.append(rows.filter(key__in=own).exclude(cid=contact.pk))
    keys: dict[int, list[tuple[str, str]]] = {}
    for kind, key, contact_id in _union(parts):
        keys.setdefault(contact_id, []).append((kind, key))
    if not keys:
        return []
    kept_apart = DistinctPair.objects.filter(
        Q(first=contact, second=OuterRef("pk")) | Q(first=OuterRef("pk"), second=contact)
    )
    others = Contact.objects.for_owner(contact.owner).filter(pk__in=keys).exclude(Exists(kept_apart))
    return [
        Twin(other, kind, key)
        for other in others.by_name()
        for kind, key in sorted(keys[other.pk], key=lambda found: KINDS.index(found[0]))
    ]
