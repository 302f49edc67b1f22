"""Which rows hold a user's data: what the export writes, what it leaves out and why.

Every model with a foreign-key path to the user (directly, or through other models: a contact's
e-mail address belongs to the contact's owner; many-to-many through tables count) is named here,
either in `EXPORTED` or in `EXPORT_EXCLUDED`. tests/privacy/test_registry.py walks
`apps.get_models()` and fails, naming the model, while one is in neither.

Adding a model with a path to the user is one line, in one of the two dicts below:

    EXPORTED = {..., "accounts.CoachLink": ("coach", "client")}
    EXPORT_EXCLUDED = {..., "accounts.Secret": "why it is left out"}

An `EXPORTED` value is the lookup from the model to the user (`"owner"`, `"contact__owner"`; `"pk"`
for the user's own row), or a tuple of lookups when the user may stand on either side of a row
(a row matching any of them is hers). Then give the tests a row of it: `seed` in
tests/privacy/conftest.py (the export and erasure tests fail, naming the model, until the seeded
users have one). A field that is a credential goes into `EXCLUDED_FIELDS`. A model whose rows
outlive the account on purpose (pseudonymised: the foreign key to the user set to NULL) goes into
`ERASURE_KEPT`; the erasure test then checks that none of them still leads to the user.

Outside the database, and so outside this registry: the cache (Today pages kept by
reminders.kept, derived from the contacts exported here; dropped with the account, or expiring)
and Celery's queue (digest tasks carry run ids, no content; a deleted account's runs are gone, so
its queued tasks send nothing).

Not here either: the deletion ledger (privacy.Erasure and its file, privacy.ledger). It keeps an
erased account's id and the moment, kept for good so a restored backup loses the account again;
no foreign key, nothing personal.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db.models import Model, Q, QuerySet

Lookups = str | tuple[str, ...]

EXPORTED: dict[str, Lookups] = {
    "accounts.User": "pk",
    "accounts.User_groups": "user",
    "accounts.User_user_permissions": "user",
    "account.EmailAddress": "user",
    "contacts.Organisation": "owner",
    "contacts.Tag": "owner",
    "contacts.Contact": "owner",
    "contacts.Contact_tags": "contact__owner",
    "contacts.Contact_organisations": "contact__owner",
    "contacts.ContactEmail": "contact__owner",
    "contacts.ContactPhone": "contact__owner",
    "contacts.StageChange": "contact__owner",
    "contacts.DistinctPair": "owner",
    "touchpoints.Touchpoint": "contact__owner",
    "touchpoints.OneOffReminder": "contact__owner",
    "reminders.ReminderState": "owner",
    "reminders.RosterReview": "owner",
    "reminders.DigestRun": "owner",
    "reminders.CalendarFeed": "owner",
    # coaching: the links the user is on either side of, and the coach reads of either side
    "accounts.CoachLink": ("client", "coach"),
    "accounts.AccessLog": ("client", "coach"),
    # imports: each import, what it read (while not yet committed) and what it did (for undo)
    "imports.Import": "owner",
    "imports.ColumnMapping": "owner",
    "imports.ImportRow": "upload__owner",
    "imports.ImportKey": "upload__owner",
    "imports.StagedTouch": "row__upload__owner",
    "imports.ImportedContact": "upload__owner",
    "imports.ImportedContact_emails": "importedcontact__upload__owner",
    "imports.ImportedContact_phones": "importedcontact__upload__owner",
    "imports.ImportedContact_tags": "importedcontact__upload__owner",
    "imports.ImportedContact_touches": "importedcontact__upload__owner",
    "imports.ImportedTag": "upload__owner",
    "imports.MergedContact": "survivor__owner",
}

EXPORT_EXCLUDED: dict[str, str] = {
    "admin.LogEntry": (
        "The admin's record of what staff did: the operator's accountability, not the user's "
        "content. Erased with the account, and the entries about the user's rows with it."
    ),
    "account.EmailConfirmation": (
        "A pending confirmation key, a credential; the address itself is in account.EmailAddress."
    ),
    "mfa.Authenticator": (
        "Second-factor secrets (TOTP seed, recovery codes, WebAuthn keys): credentials that must "
        "never be written to a file."
    ),
    "imports.ImportFile": (
        "The files the user uploaded, as they uploaded them: kept at most a day until the import "
        "is committed or abandoned; what was read from them is exported as imports.ImportRow."
    ),
    "imports.ImportFileChunk": "The pieces of an uploaded file (imports.ImportFile, left out above).",
    "privacy.ExportJob": (
        "An export the user asked for: a copy of what is exported here, kept only "
        "while it may be downloaded (then deleted by privacy.retention), and with the account."
    ),
    "privacy.ExportChunk": "The pieces of a prepared export's ZIP (privacy.ExportJob, left out above).",
    "sessions.Session": (
        "Session keys are credentials; a session holds the signed-in user's id and short-lived "
        "sign-in state. All of them end when the account is deleted."
    ),
}

# Fields of exported models left out of the export: credentials, not personal data.
EXCLUDED_FIELDS: dict[str, dict[str, str]] = {
    "accounts.User": {"password": "the password's hash, a credential"},
    "reminders.CalendarFeed": {"token": "the secret in the feed's URL, a credential"},
}

# Models whose rows may outlive the account, pseudonymised: none of them may point at the user
# afterwards (tests/privacy/test_erasure.py checks it). Model label -> why the rows are kept.
ERASURE_KEPT: dict[str, str] = {
    "accounts.AccessLog": (
        "A client's record of who looked at their data outlives the coach's account: the coach "
        "is set to NULL ('a deleted account'), and nothing personal was ever in the row."
    ),
}


def model(label: str) -> type[Model]:
    return apps.get_model(label)


def rows_of(label: str, user_pk: int) -> QuerySet[Any]:
    """The rows of `label` that belong to the user, by the lookups in `EXPORTED`."""
    lookups = EXPORTED[label]
    match = Q()
    for lookup in (lookups,) if isinstance(lookups, str) else lookups:
        match |= Q(**{lookup: user_pk})
    return model(label)._default_manager.filter(match).order_by("pk")


def exported_fields(label: str) -> list[str]:
    """The columns written for `label`: every concrete field but the excluded ones and those the
    database derives from the others (generated columns)."""
    excluded = EXCLUDED_FIELDS.get(label, {})
    fields = model(label)._meta.concrete_fields
    return [field.attname for field in fields if field.name not in excluded and not field.generated]
