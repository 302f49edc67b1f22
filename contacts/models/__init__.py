"""Contacts, their e-mails and phones, tags, and the organisations and events where people meet.

A package of rooms: the contact (`contact`), how it is reached (`reach`), what groups contacts
(`organisation`) and what a contact has been through (`history`). Import from here.
"""

from __future__ import annotations

from contacts.models.contact import (
    KEY_FIELDS,
    NAME_KEY_LENGTH,
    SEARCHED_FIELDS,
    STRONG_TIE_STAGE_ERROR,
    Contact,
    ContactQuerySet,
)
from contacts.models.history import DistinctPair, DistinctPairQuerySet, StageChange
from contacts.models.organisation import Organisation, OrganisationQuerySet, OwnedQuerySet, Tag
from contacts.models.reach import (
    PHONE_DEFAULT_REGION,
    ContactEmail,
    ContactPhone,
    display_number,
    normalise_phone,
)

__all__ = [
    "KEY_FIELDS",
    "NAME_KEY_LENGTH",
    "PHONE_DEFAULT_REGION",
    "SEARCHED_FIELDS",
    "STRONG_TIE_STAGE_ERROR",
    "Contact",
    "ContactEmail",
    "ContactPhone",
    "ContactQuerySet",
    "DistinctPair",
    "DistinctPairQuerySet",
    "Organisation",
    "OrganisationQuerySet",
    "OwnedQuerySet",
    "StageChange",
    "Tag",
    "display_number",
    "normalise_phone",
]
