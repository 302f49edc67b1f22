"""The contact's first phone and e-mail on an item (`Item.phone`, `Item.email`): Today offers a
call and an e-mail. Read in each section's own statement for the rows it returns, so no query
per item and none more per page."""

from __future__ import annotations

from typing import TypedDict

from contacts.models import ContactEmail, ContactPhone

PHONES = ContactPhone._meta.db_table
EMAILS = ContactEmail._meta.db_table


def reach_columns(contact_id: str) -> str:
    """The two columns for the contact whose id is the SQL expression `contact_id`."""
    return ", ".join(
        f"(SELECT {table}.{column} FROM {table} WHERE {table}.contact_id = {contact_id} "
        f"ORDER BY {table}.id LIMIT 1) AS reach_{name}"
        for table, column, name in ((PHONES, "number", "phone"), (EMAILS, "address", "email"))
    )


class Reach(TypedDict):
    phone: str
    email: str


def reach(row: object) -> Reach:
    """What `reach_columns` read for the row."""
    values = vars(row)
    return {"phone": values.get("reach_phone") or "", "email": values.get("reach_email") or ""}
