"""Deleting an account (GDPR Art. 17): every row, every session and every kept copy.

The user's rows go by the foreign keys' cascades in one transaction: contacts with their
addresses, phones, stage changes and touches, tags, organisations, snoozes, reviews, digest runs,
the calendar feed, sign-in addresses, the prepared exports with their ZIPs (kept in the database,
privacy.models). What no foreign key ties to the user is removed here: the
admin's log entries about the user's rows (they repeat a contact's name), the sessions (each
holds only the user's id), and the Today pages kept in the cache.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import SESSION_KEY
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import CharField, Exists, Max, OuterRef
from django.db.models.functions import Cast
from django.utils import timezone

from contacts.models import Contact, Organisation
from netzwerk.accounts.coaching import tell_of_erasure, verified_emails
from netzwerk.accounts.models import CoachLink, User
from privacy import ledger, registry
from privacy.models import Erasure
from reminders import kept
from touchpoints.models import Touchpoint

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Holdings:
    """What the confirmation page says will go."""

    contacts: int
    organisations: int
    touches: int


def holdings(user: User) -> Holdings:
    return Holdings(
        contacts=Contact.objects.for_owner(user).count(),
        organisations=Organisation.objects.for_owner(user).count(),
        touches=Touchpoint.objects.for_owner(user).count(),
    )


def erase_account(user: User) -> None:
    """Delete the user and all they hold; sign every session of theirs out; write the erasure
    into the deletion ledger, so that a restored backup loses the account again."""
    user_pk = user.pk
    with transaction.atomic():
        _forget_admin_entries(user_pk)
        # Invitations to the user's verified addresses never accepted (open, declined): only the
        # address ties them to the user. An accepted one names the user as a side and goes by
        # cascade; an address the user merely typed in, unverified, may be someone else's.
        CoachLink.objects.filter(email__in=verified_emails(user), accepted_at__isnull=True).delete()
        tell_of_erasure(user)  # a coach's clients (a client's coach) hear that the link ended
        user.delete()
        sessions = end_sessions(user_pk)
        # Last before the commit: an erasure that fails leaves no line in the ledger's file, and
        # one the file cannot take (a full disk) is rolled back, not left out of the ledger.
        ledger.record(user_pk, now=timezone.now())
    dropped = kept.forget_kept(user_pk)
    # Ids only: the log outlives the account.
    logger.info("account %s erased: %s sessions ended, %s kept pages dropped", user_pk, sessions, dropped)


def _forget_admin_entries(user_pk: int) -> None:
    """The admin logs staff edits by content type and object id, with the object's name: no
    cascade reaches them. (The user's own entries, as staff, cascade.)"""
    for label in registry.EXPORTED:
        rows = registry.rows_of(label, user_pk)
        if rows.model._meta.auto_created:  # many-to-many rows have no admin pages
            continue
        ids = rows.annotate(text_pk=Cast("pk", output_field=CharField())).values("text_pk")
        # The model's proxies too: the coach admin logs a client's settings as a coaching.Client.
        proxies = [model for model in apps.get_models() if model._meta.concrete_model is rows.model]
        content_types = ContentType.objects.get_for_models(*proxies, for_concrete_models=False).values()
        LogEntry.objects.filter(content_type__in=content_types, object_id__in=ids).delete()


def end_sessions(user_pk: int) -> int | None:
    """Delete every stored session signed in as the user, and say how many.

    Sessions are found by decoding each (the database keeps them signed, not by user), which
    costs a moment per thousand sessions, once per deleted account. A session engine that keeps
    no table (cache, signed cookies) cannot be searched: None. Its sessions name a user that no
    longer exists, so they load as signed out.
    """
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store, "get_model_class"):
        return None
    ended = 0
    for session in store.get_model_class().objects.iterator():
        if session.get_decoded().get(SESSION_KEY) == str(user_pk):
            store().delete(session.session_key)  # the cached_db engine drops its cached copy too
            ended += 1
    return ended


@dataclass(frozen=True)
class Reapplied:
    erased: list[int]  # account ids
    synced: ledger.Synced


def reapply(file: Path) -> Reapplied:
    """Erase again every account of the ledger (its file and its rows) that exists, by the same
    path as the first time: sessions and kept pages go too.

    After a restore the sequence of account ids may hand an erased account's id to a newcomer;
    only an account that joined before an erasure of its id is that erased account.
    Idempotent: a second run finds nothing to erase.
    """
    synced = ledger.sync(file)
    erased_before_joining = Erasure.objects.filter(
        user_pk=OuterRef("pk"), erased_at__gt=OuterRef("date_joined")
    )
    erased = []
    for user in User.objects.filter(Exists(erased_before_joining)).order_by("pk"):
        erased.append(user.pk)  # before the deletion sets it to None
        erase_account(user)
    retire_erased_ids()
    return Reapplied(erased=erased, synced=synced)


def retire_erased_ids() -> None:
    """Move the sequence of account ids past every erased id: none is handed out again.

    A restore rewinds the sequence to the dump's, so an account erased after the dump could pass
    its id on to a newcomer. `reapply` spares one who joined after the erasure, but the admin
    can change when an account joined. Never moves the sequence back. (SQL: Django has no API
    to set a sequence.)
    """
    highest = Erasure.objects.aggregate(highest=Max("user_pk"))["highest"]
    if highest is None:
        return
    table = User._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT setval(seq, GREATEST(%s, COALESCE(pg_sequence_last_value(seq), 0)))"
                " FROM (SELECT pg_get_serial_sequence(%s, 'id')::regclass AS seq) AS account_ids",
                [highest, table],
            )
        elif connection.vendor == "sqlite":  # AUTOINCREMENT keeps the highest id in sqlite_sequence
            cursor.execute("UPDATE sqlite_sequence SET seq = MAX(seq, %s) WHERE name = %s", [highest, table])
            cursor.execute(
                "INSERT INTO sqlite_sequence (name, seq) SELECT %s, %s"
                " WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = %s)",
                [table, highest, table],
            )
