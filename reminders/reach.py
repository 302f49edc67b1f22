"""The contact's first phone and e-mail on an item (`Item.phone`, `Item.email`): Today offers a
call and an e-mail. Read once for all the items a page or a digest shows (`with_reach`), after
the sections found them, so no query per item and only one per page, whatever the sections'
totals (a subquery in each section's own query would run for every due row before the first
few are taken)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, TypedDict

from django.db.models import OuterRef, Subquery

from contacts.models import Contact, ContactEmail, ContactPhone

if TYPE_CHECKING:
    from reminders.items import Section


class Reach(TypedDict):
    phone: str
    email: str


NO_REACH: Reach = {"phone": "", "email": ""}


def reach_of(contact_ids: Iterable[int]) -> dict[int, Reach]:
    """The first phone number (E.164) and e-mail address of each contact, in one query."""
    ids = set(contact_ids)
    if not ids:
        return {}
    phones = ContactPhone.objects.filter(contact_id=OuterRef("pk")).order_by("pk").values("number")[:1]
    emails = ContactEmail.objects.filter(contact_id=OuterRef("pk")).order_by("pk").values("address")[:1]
    rows = Contact.objects.filter(pk__in=ids).values_list("pk", Subquery(phones), Subquery(emails))
    return {pk: {"phone": phone or "", "email": email or ""} for pk, phone, email in rows}


def with_reach(sections: Mapping[int, list[Section]]) -> dict[int, list[Section]]:
    """Each user's sections with every item's phone and e-mail filled in."""
    found = reach_of(
        item.contact.pk
        for user_sections in sections.values()
        for section in user_sections
        for item in section.items
        if item.contact is not None
    )
    return {
        owner: [
            replace(
                section,
                # a contact gone since its section was read (merged, erased) is shown without
                items=[
                    replace(item, **found.get(item.contact.pk, NO_REACH))
                    if item.contact is not None
                    else item
                    for item in section.items
                ],
            )
            for section in user_sections
        ]
        for owner, user_sections in sections.items()
    }
