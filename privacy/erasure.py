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

from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import SESSION_KEY
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import CharField
from django.db.models.functions import Cast

from contacts.models import Contact, Organisation
from netzwerk.accounts.coaching import verified_emails
from netzwerk.accounts.models import CoachLink, User
from privacy import registry
from reminders import due
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
    """Delete the user and all they hold; sign every session of theirs out."""
    user_pk = user.pk
    with transaction.atomic():
        _forget_admin_entries(user_pk)
        # Invitations to the user's verified addresses never accepted (open, declined): only the
        # address ties them to the user. An accepted one names the user as a side and goes by
        # cascade; an address the user merely typed in, unverified, may be someone else's.
        CoachLink.objects.filter(email__in=verified_emails(user), accepted_at__isnull=True).delete()
        user.delete()
        sessions = end_sessions(user_pk)
    kept = due.forget_kept(user_pk)
    # Ids only: the log outlives the account.
    logger.info("account %s erased: %s sessions ended, %s kept pages dropped", user_pk, sessions, kept)


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
