"""Each contact's summary of its touchpoints: denormalised on Contact, recomputed on every change.

`refresh_summary` runs inside the transaction that creates, edits or deletes a touchpoint, with
the contact's row locked (touchpoints/ledger.py), so two touches logged at once cannot leave a
summary that misses one. `refresh_summaries` computes the same summary for many contacts at once
(one grouped query and `bulk_update` per batch), after touches were created in bulk; both read
their aggregates from `_aggregates`. `summarise` is the same rule in plain Python, for the
property test and the demo seed (which computes its summaries as it plans the touches).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from django.db.models import Aggregate, Count, Max, Min, Q
from django.db.models.functions import TruncMinute
from django.utils import timezone

from contacts.models import Contact
from contacts.rules import prospect_counts_from
from touchpoints.kinds import KINDS, PERSONAL_KINDS, QUALIFYING_KINDS
from touchpoints.models import KEPT_PROMISE, OPEN_PROMISE, Exchange, Initiator, Touchpoint


@dataclass(frozen=True)
class Summary:
    first_touch_at: datetime | None
    last_touch_at: datetime | None
    first_personal_touch_at: datetime | None
    last_personal_touch_at: datetime | None
    prospect_touches: int
    touch_count: int
    personal_touch_count: int
    their_touch_count: int
    gives: int
    asks: int
    open_promises: int
    kept_promises: int


SUMMARY_FIELDS = list(Summary.__dataclass_fields__)
# Not a prospect: no touch counts, since none happens after the end of time.
MAX_DATETIME = datetime.max.replace(tzinfo=UTC)
# Contacts per grouped query and per bulk_update: bulk_update writes one CASE per field with a
# WHEN per contact, so small batches are faster than large ones.
SUMMARIES_BATCH_SIZE = 100


class Touch(Protocol):
    """What `summarise` reads: a Touchpoint, or a touch planned in memory (the demo seed)."""

    @property
    def kind(self) -> str: ...
    @property
    def happened_at(self) -> datetime: ...
    @property
    def initiated_by(self) -> str: ...
    @property
    def exchange(self) -> str: ...
    @property
    def has_open_promise(self) -> bool: ...
    @property
    def has_kept_promise(self) -> bool: ...


def summarise(touchpoints: Iterable[Touch], *, prospect_since: datetime | None) -> Summary:
    touches = list(touchpoints)
    qualifying = [t.happened_at for t in touches if KINDS[t.kind].qualifies]
    personal = [t.happened_at for t in touches if KINDS[t.kind].personal]
    return Summary(
        first_touch_at=min(qualifying, default=None),
        last_touch_at=max(qualifying, default=None),
        first_personal_touch_at=min(personal, default=None),
        last_personal_touch_at=max(personal, default=None),
        prospect_touches=(
            sum(1 for when in qualifying if when >= prospect_counts_from(prospect_since))
            if prospect_since
            else 0
        ),
        touch_count=len(qualifying),
        personal_touch_count=len(personal),
        their_touch_count=sum(
            1 for t in touches if KINDS[t.kind].qualifies and t.initiated_by == Initiator.THEM
        ),
        gives=sum(1 for t in touches if t.exchange == Exchange.GIVE),
        asks=sum(1 for t in touches if t.exchange == Exchange.ASK),
        open_promises=sum(1 for t in touches if t.has_open_promise),
        kept_promises=sum(1 for t in touches if t.has_kept_promise),
    )


def stored_summary(contact: Contact) -> Summary:
    return Summary(**{name: getattr(contact, name) for name in SUMMARY_FIELDS})


def _aggregates(*, prospect_since: datetime | TruncMinute) -> dict[str, Aggregate]:
    """The summary as aggregates over a contact's touchpoints: the one definition of its filters.

    `prospect_since` is the contact's own value (one contact) or the truncated column
    (many contacts, grouped by contact), from its minute on (`prospect_counts_from`); a missing
    date, or NULL in SQL, counts no touch.
    """
    qualifying = Q(kind__in=QUALIFYING_KINDS)
    personal = Q(kind__in=PERSONAL_KINDS)
    return {
        "first_touch_at": Min("happened_at", filter=qualifying),
        "last_touch_at": Max("happened_at", filter=qualifying),
        "first_personal_touch_at": Min("happened_at", filter=personal),
        "last_personal_touch_at": Max("happened_at", filter=personal),
        "prospect_touches": Count("pk", filter=qualifying & Q(happened_at__gte=prospect_since)),
        "touch_count": Count("pk", filter=qualifying),
        "personal_touch_count": Count("pk", filter=personal),
        "their_touch_count": Count("pk", filter=qualifying & Q(initiated_by=Initiator.THEM)),
        "gives": Count("pk", filter=Q(exchange=Exchange.GIVE)),
        "asks": Count("pk", filter=Q(exchange=Exchange.ASK)),
        "open_promises": Count("pk", filter=OPEN_PROMISE),
        "kept_promises": Count("pk", filter=KEPT_PROMISE),
    }


def refresh_summary(contact: Contact) -> None:
    """Recompute `contact`'s summary from its touchpoints in one query and save it."""
    since = prospect_counts_from(contact.prospect_since) if contact.prospect_since else MAX_DATETIME
    values = Touchpoint.objects.filter(contact=contact).aggregate(**_aggregates(prospect_since=since))
    for name, value in asdict(Summary(**values)).items():
        setattr(contact, name, value)
    contact.save(update_fields=[*SUMMARY_FIELDS, "updated_at"])


def refresh_summaries(contact_ids: Iterable[int], *, batch_size: int = SUMMARIES_BATCH_SIZE) -> int:
    """`refresh_summary` for many contacts: per batch one grouped query and one `bulk_update`.

    A contact without touchpoints gets the empty summary. Takes no locks: for touches created in
    bulk (the demo seed) inside the caller's transaction. Returns how many contacts were updated.
    """
    ids = list(dict.fromkeys(contact_ids))
    empty = asdict(summarise((), prospect_since=None))
    aggregates = _aggregates(prospect_since=TruncMinute("contact__prospect_since", tzinfo=UTC))
    updated = 0
    for start in range(0, len(ids), batch_size):
        batch = ids[start : start + batch_size]
        rows = (
            Touchpoint.objects.filter(contact_id__in=batch)
            .order_by()
            .values("contact")
            .annotate(**aggregates)
        )
        values: dict[int, dict[str, Any]] = {}
        for row in rows:
            fields: dict[str, Any] = dict(row)
            values[fields.pop("contact")] = fields
        now = timezone.now()  # what `auto_now` gives `refresh_summary`'s save
        contacts = [
            Contact(pk=pk, updated_at=now, **(asdict(Summary(**values[pk])) if pk in values else empty))
            for pk in batch
        ]
        updated += Contact.objects.bulk_update(contacts, [*SUMMARY_FIELDS, "updated_at"])
    return updated
