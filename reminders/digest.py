"""The digest: one e-mail per user and local day, at the user's hour, listing what Today lists.

Beat runs `sweep` every few minutes. It finds the users whose local hour has come (daily, or on
Mondays for weekly) by their `next_digest_at` (reminders.digest_schedule), moves it on and claims
a `DigestRun` row for each: an INSERT that only one sweeper can win (ON CONFLICT DO NOTHING, many
users per statement). Only then is the digest built and sent, and the run is marked sent (or
empty: nothing is sent when nothing is due) by a conditional UPDATE that holds only while the
claim is still the sender's own. Nothing waits in the broker with an ETA.

What can go wrong, and what the sweep does about it:
- the task is lost (a flushed broker): the run is still queued after `requeue_after()`, and the
  sweep queues the same claim again (a duplicate task finds the claim taken and sends nothing);
- the worker dies: its leased runs stay claimed, and a sweep takes each over once its lease is
  older than `retry_after(attempts)`. An attempt is charged only to the run whose message was
  being sent (`sending_at`, set right before the SMTP call): the rest of its lease chunk was not
  tried and is claimed again for free. The wait doubles with each attempt, up to `MAX_BACKOFF`;
- the run's local day ends first: it is marked failed, logged (ids only) and listed in the admin.
The only duplicate left: the server took a message and the worker died before marking it.

A claim is `(run id, claimed_at)`: a task delivered twice, or late after its claim was taken over,
finds the claim changed and sends nothing.
"""

from __future__ import annotations

import email.policy
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.policy import Policy
from itertools import batched
from smtplib import SMTPConnectError, SMTPResponseException, SMTPServerDisconnected
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import mail, signing
from django.db import connection, transaction
from django.db.models import F, Max, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext

from netzwerk.accounts.models import User
from reminders import due
from reminders.digest_schedule import candidates, digest_day, move_on, next_digest
from reminders.models import DigestRun, DigestStatus, ItemKind

# The longest wait before a run whose sends keep failing is tried again (the doubling stops here).
MAX_BACKOFF = timedelta(hours=2)
# Digests per task: one SMTP connection each.
BATCH_SIZE = 50
# Claims renewed, and their digests' items found, together just before their messages: one
# statement each, and a short wait for the last of them (a claim must not go stale while its
# batch is being sent).
LEASE_CHUNK = 25
UNSUBSCRIBE_SALT = "netzwerk.digest.unsubscribe"
# Every zone's day has begun by then (UTC+14): a run dated before it may be a day that is over.
EARLIEST_ZONE = timedelta(hours=14)

logger = logging.getLogger(__name__)

Claim = tuple[int, str]  # (run id, claimed_at in ISO 8601): JSON for the broker


def claim_timeout() -> timedelta:
    """A lease older than this, still unsent, was abandoned: its worker died."""
    return timedelta(seconds=settings.DIGEST_CLAIM_TIMEOUT_SECONDS)


def requeue_after() -> timedelta:
    """A run queued this long and not yet begun may have lost its task: it is queued again."""
    return timedelta(seconds=settings.DIGEST_REQUEUE_SECONDS)


def retry_after(attempts: int) -> timedelta:
    """How old an abandoned lease must be before it is claimed again: the claim timeout, doubled
    for each send after the first that did not finish (a digest that kills its worker must not
    take the others down every few minutes), at most `MAX_BACKOFF` (or the timeout, if longer)."""
    return min(claim_timeout() * (1 << max(0, attempts - 1)), max(claim_timeout(), MAX_BACKOFF))


@dataclass
class SweepResult:
    due: int = 0
    claimed: list[Claim] = field(default_factory=list)
    requeued: list[Claim] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def due_users(now: datetime, users: QuerySet[User] | None = None) -> list[tuple[int, date]]:
    """(user id, local date) for each user whose digest the next sweep would claim: due, and
    without a run for the day. Reads only (`send_digests --dry-run`)."""
    wanted = [(user.pk, day) for user in candidates(now, users) if (day := digest_day(user, now)) is not None]
    return after_the_last(wanted)


def claim_due(now: datetime, users: QuerySet[User] | None = None) -> tuple[int, dict[int, Claim]]:
    """Move on each user whose digest has come (`move_on`) and insert the day's runs, in one
    transaction: how many were due, and the claims won, by user id."""
    with transaction.atomic():
        plans = {user.pk: next_digest(user, now) for user in candidates(now, users)}
        moved = move_on({pk: following for pk, (_day, following) in plans.items()}, now)
        wanted = [(pk, day) for pk, (day, _following) in plans.items() if pk in moved and day is not None]
        return len(wanted), claim_new(after_the_last(wanted), now)


def after_the_last(wanted: list[tuple[int, date]]) -> list[tuple[int, date]]:
    """The (user id, day) pairs later than the user's last digest run: never two digests for one
    day, nor one for a day before a day that had one (a user moving west, from Auckland to Los
    Angeles, would otherwise get yesterday's digest minutes after today's)."""
    if not wanted:
        return wanted
    last = dict(
        DigestRun.objects.filter(owner_id__in=[pk for pk, _day in wanted])
        .values("owner_id")
        .annotate(last=Max("local_date"))
        .values_list("owner_id", "last")
    )
    return [(pk, day) for pk, day in wanted if pk not in last or day > last[pk]]


def claim_new(wanted: list[tuple[int, date]], now: datetime) -> dict[int, Claim]:
    """Insert a run for each (user id, day) that has none, queued, in one statement per chunk; a
    run that exists already is left as it is. Returns the claims this sender won, by user id."""
    table = DigestRun._meta.db_table
    won: dict[int, Claim] = {}
    moment = connection.ops.adapt_datetimefield_value(now)
    for chunk in batched(wanted, 500):
        rows = ", ".join(["(%s, %s, %s, %s, %s, 0, 0)"] * len(chunk))
        params = [
            value
            for user_id, day in chunk
            for value in (
                user_id,
                connection.ops.adapt_datefield_value(day),
                DigestStatus.CLAIMED.value,
                moment,
                moment,
            )
        ]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (owner_id, local_date, status, claimed_at, queued_at, attempts, items) "
                f"VALUES {rows} ON CONFLICT (owner_id, local_date) DO NOTHING RETURNING id, owner_id",
                params,
            )
            won.update({owner_id: (run_id, now.isoformat()) for run_id, owner_id in cursor.fetchall()})
    return won


def take_over(now: datetime, users: QuerySet[User] | None = None) -> list[Claim]:
    """The runs whose lease was abandoned long enough ago (`retry_after`: their worker died),
    each claimed again and queued by a conditional UPDATE that only one sweeper wins."""
    leases = DigestRun.objects.filter(
        status=DigestStatus.CLAIMED, queued_at__isnull=True, claimed_at__lt=now - claim_timeout()
    )
    if users is not None:
        leases = leases.filter(owner__in=users)
    taken: list[Claim] = []
    for run in leases.only("pk", "claimed_at", "attempts", "sending_at").order_by("pk"):
        if run.claimed_at >= now - retry_after(run.attempts):
            continue
        if DigestRun.objects.filter(pk=run.pk, status=DigestStatus.CLAIMED, claimed_at=run.claimed_at).update(
            claimed_at=now, queued_at=now, sending_at=None
        ):
            if run.sending_at is not None:
                logger.warning("digest run %s: its worker died while sending it; sending it again", run.pk)
            taken.append((run.pk, now.isoformat()))
    return taken


def requeue(now: datetime, users: QuerySet[User] | None = None) -> list[Claim]:
    """The claims queued longer than `requeue_after()`, queued again as they are (one UPDATE ...
    RETURNING): their task may be gone with a flushed broker. If it is not, whichever task
    comes first leases the claim and the other finds it changed and sends nothing."""
    table = DigestRun._meta.db_table
    ops = connection.ops
    params: list[Any] = [
        ops.adapt_datetimefield_value(now),
        DigestStatus.CLAIMED.value,
        ops.adapt_datetimefield_value(now - requeue_after()),
    ]
    among = ""
    if users is not None:
        subquery, subparams = users.values("pk").query.sql_with_params()
        among = f" AND owner_id IN ({subquery})"
        params += subparams
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET queued_at = %s WHERE status = %s AND queued_at < %s{among} "
            "RETURNING id, claimed_at",
            params,
        )
        return [(run_id, aware(claimed_at).isoformat()) for run_id, claimed_at in cursor.fetchall()]


def aware(value: datetime | str) -> datetime:
    """A datetime as a raw cursor returns it: aware from PostgreSQL, naive UTC text from SQLite."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=UTC)


def fail_days_over(now: datetime) -> list[int]:
    """Claimed runs whose local day ended before they were sent (not while being leased): marked
    failed and logged by id, so none is dropped silently. Returns their ids."""
    idle = Q(queued_at__isnull=False) | Q(claimed_at__lt=now - claim_timeout())
    claimed = DigestRun.objects.filter(
        idle, status=DigestStatus.CLAIMED, local_date__lt=(now + EARLIEST_ZONE).date()
    ).values_list("pk", "local_date", "owner__time_zone")
    over = [pk for pk, day, zone in claimed if now.astimezone(ZoneInfo(zone)).date() > day]
    if over:
        DigestRun.objects.filter(idle, pk__in=over, status=DigestStatus.CLAIMED).update(
            status=DigestStatus.FAILED, finished_at=now
        )
        logger.error("digest runs failed, their local day over before they could be sent: %s", over)
    return over


def sweep(
    now: datetime, *, send: Callable[[list[Claim]], object], users: QuerySet[User] | None = None
) -> SweepResult:
    """Claim every due digest, take over abandoned leases and queue again the claims whose task
    may be lost, then hand them to `send` in batches, after commit. Runs whose day is over unsent
    are failed first. Only the users whose `next_digest_at` has come are looked at.
    """
    result = SweepResult(failed=fail_days_over(now))
    result.due, won = claim_due(now, users)
    result.claimed = list(won.values()) + take_over(now, users)
    result.requeued = requeue(now, users)
    for batch in batched(result.claimed + result.requeued, BATCH_SIZE):
        transaction.on_commit(lambda batch=list(batch): send(batch))  # type: ignore[misc]
    return result


# ---------------------------------------------------------------- building and sending


def unsubscribe_url(user: User) -> str:
    token = signing.dumps(user.pk, salt=UNSUBSCRIBE_SALT, compress=True)
    return settings.SITE_URL + reverse("digest:unsubscribe", args=[token])


def unsubscribed_user(token: str) -> User | None:
    try:
        pk = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return User.objects.filter(pk=pk).first()


def text_line(item: due.Item, site_url: str) -> str:
    """An item's line in the plain-text digest (the HTML one shares reminders/_what.html)."""
    if item.kind == ItemKind.ROSTER_REVIEW:
        title = gettext("Walk through your strong ties: keep, demote or archive.")
        return f"{title} ({item.meta}) {site_url}{reverse('reminders:roster_review')}"
    if item.contact is None:
        return item.meta
    name = item.contact.name
    if item.gesture is not None:
        name = f"{item.gesture.gesture.label}: {name}"
    elif item.cadence is not None:
        name = f"{name} ({item.cadence.status.label})"
    elif item.prospect is not None:
        name = f"{name} ({item.prospect.label})"
    what = item.meta
    if item.touch is not None:
        what = f"{quoted(item.touch.promise)}, {item.meta}"
    elif item.one_off is not None:
        what = f"{item.one_off.text}, {item.meta}"
    when = f" · {item.when}" if item.gesture is not None else ""
    # a gesture's line already has its colon ("Call and congratulate: Dieter"): a dash then
    between = " – " if item.gesture is not None else ": "
    return f"{name}{between}{what}{when} {site_url}{item.url}"


def quoted(text: str) -> str:
    """`text` in the language's quotation marks: „so“ in German."""
    return gettext("“%(text)s”") % {"text": text}


def render(user: User, today: due.Today, *, style_nonce: str = "") -> tuple[str, str, str]:
    """Subject, plain text and HTML, in the user's language and time zone. `style_nonce` is for
    the preview page: its CSP lets the e-mail's style element apply by that nonce alone."""
    with translation.override(user.language), timezone.override(user.zone):
        day = f"{date_format(today.day, 'l')}, {date_format(today.day, 'DATE_FORMAT')}"
        if days_ahead(user):  # the weekly digest: its items are the week's
            subject = ngettext(
                "Netzwerk: %(count)d thing to do in the week from %(day)s",
                "Netzwerk: %(count)d things to do in the week from %(day)s",
                today.total,
            )
        else:
            subject = ngettext(
                "Netzwerk: %(count)d thing to do on %(day)s",
                "Netzwerk: %(count)d things to do on %(day)s",
                today.total,
            )
        subject %= {"count": today.total, "day": day}
        context = {
            "user": user,
            "today": today,
            "day": day,
            "site_url": settings.SITE_URL,
            "today_url": settings.SITE_URL + reverse("reminders:today"),
            "settings_url": settings.SITE_URL + reverse("accounts:preferences"),
            "unsubscribe_url": unsubscribe_url(user),
            "style_nonce": style_nonce,
            "lines": [
                (section, [text_line(item, settings.SITE_URL) for item in section.items])
                for section in today.due
            ],
        }
        text = render_to_string("reminders/email/digest.txt", context)
        html = render_to_string("reminders/email/digest.html", context)
    return subject, text, html


class DigestEmail(mail.EmailMultiAlternatives):
    """Written with lines up to RFC 5322's 998 characters: folded at 78, Python would put the
    long List-Unsubscribe address into RFC 2047 encoded words, which no mail client reads as a
    URL."""

    def message(self, *, policy: Policy | None = None) -> EmailMessage:
        return super().message(policy=(policy or email.policy.default).clone(max_line_length=998))


def message(user: User, today: due.Today) -> mail.EmailMultiAlternatives:
    subject, text, html = render(user, today)
    digest_email = DigestEmail(
        subject,
        text,
        to=[user.email],
        headers={
            # RFC 2369 and RFC 8058: mail clients show an unsubscribe button that POSTs here.
            "List-Unsubscribe": f"<{unsubscribe_url(user)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    digest_email.attach_alternative(html, "text/html")
    return digest_email


# SMTP trouble that may pass: the task retries the batch (runs already sent are skipped).
TRANSIENT = (SMTPServerDisconnected, SMTPConnectError, ConnectionError, TimeoutError)


class TransientDeliveryError(Exception):
    """Sending failed in a way that may pass; the cause is chained. Raised for a retry."""


def is_transient(error: Exception) -> bool:
    """Connection trouble, or a 4xx answer (RFC 5321: try again later); 5xx and the rest are final."""
    if isinstance(error, TRANSIENT):
        return True
    return isinstance(error, SMTPResponseException) and 400 <= error.smtp_code < 500


def lease(claims: Iterable[Claim], now: datetime) -> dict[int, DigestRun]:
    """Renew each claim still as given, just before sending: a sweep cannot take over a run that
    is being sent, and a duplicate or late task finds the claim changed and stops. Returns the
    runs leased, with their users, by id (one UPDATE ... RETURNING and one SELECT)."""
    claims = list(claims)
    if not claims:
        return {}
    table = DigestRun._meta.db_table
    ops = connection.ops
    pairs = " OR ".join(["(id = %s AND claimed_at = %s)"] * len(claims))
    params: list[Any] = [ops.adapt_datetimefield_value(now), DigestStatus.CLAIMED.value]
    params += [
        value
        for run_id, claimed_at in claims
        for value in (run_id, ops.adapt_datetimefield_value(datetime.fromisoformat(claimed_at)))
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET claimed_at = %s, queued_at = NULL WHERE status = %s AND ({pairs}) "
            "RETURNING id",
            params,
        )
        leased = [run_id for (run_id,) in cursor.fetchall()]
    return DigestRun.objects.select_related("owner").in_bulk(leased)


def release(runs: Iterable[DigestRun], claimed: dict[int, str], now: datetime) -> None:
    """Give leased runs back their claims as given, queued, for the task's retry with the same
    claims (each only while the lease is still this sender's). If the retry is lost, the sweep
    queues them again (`requeue`)."""
    for run in runs:
        DigestRun.objects.filter(pk=run.pk, status=DigestStatus.CLAIMED, claimed_at=run.claimed_at).update(
            claimed_at=datetime.fromisoformat(claimed[run.pk]), queued_at=now, sending_at=None
        )


def mark_sending(run: DigestRun, now: datetime) -> bool:
    """Charge the run an attempt and note that its message is under way, right before the SMTP
    conversation: a worker dying now leaves this run, and no other of its chunk, charged. False
    if the lease is no longer this sender's (then nothing is sent)."""
    return bool(
        DigestRun.objects.filter(pk=run.pk, status=DigestStatus.CLAIMED, claimed_at=run.claimed_at).update(
            sending_at=now, attempts=F("attempts") + 1
        )
    )


def finish(run: DigestRun, status: DigestStatus, *, items: int = 0) -> None:
    """Mark the run, if the lease is still this sender's (else log: somebody took it over)."""
    marked = DigestRun.objects.filter(
        pk=run.pk, status=DigestStatus.CLAIMED, claimed_at=run.claimed_at
    ).update(status=status, items=items, finished_at=timezone.now())
    if not marked:
        logger.warning("digest run %s was taken over while being sent", run.pk)


def deliver(claims: Iterable[Claim], *, now: datetime | None = None) -> dict[str, int]:
    """Build and send each claimed digest still claimed as given; mark each right after.

    Claims are leased a few at a time, just before their messages (`LEASE_CHUNK`). A run whose
    user turned the digest off meanwhile is skipped; one whose day is over is failed (and
    logged). Each run is marked as sending just before its message (`mark_sending`). A permanent
    failure (a refused address, a 5xx answer, a digest that cannot be built) marks that run failed and
    the batch goes on. Transient SMTP trouble (at connecting too) gives the leased, unsent runs
    back their claims (`release`) and raises `TransientDeliveryError` for the task to retry with
    the same claims (its message names the error type only, never an address).
    Logs name runs by id and errors by type, never an address.
    """
    outcome = dict.fromkeys(["sent", "empty", "skipped", "failed"], 0)
    claims = list(claims)
    mailer = mail.mailers["default"]  # opened at the first message, closed at the end
    try:
        for chunk in batched(claims, LEASE_CHUNK):
            moment = now or timezone.now()
            runs = sorted(lease(chunk, moment).values(), key=lambda run: run.pk)
            outcome["skipped"] += len(chunk) - len(runs)
            todays = _todays([run.owner for run in runs], moment)
            for sent, run in enumerate(runs):
                try:
                    outcome[_deliver_run(run, todays, mailer, now=now, moment=moment)] += 1
                except TransientDeliveryError:
                    release(runs[sent:], dict(claims), moment)
                    raise
    finally:
        mailer.close()
    return outcome


def _deliver_run(
    run: DigestRun, todays: dict[int, due.Today], mailer: Any, *, now: datetime | None, moment: datetime
) -> str:
    """One leased run: sent, empty, skipped (no longer wanted) or failed, and marked so;
    transient SMTP trouble raises `TransientDeliveryError`."""
    user = run.owner
    if (unsendable := not_to_send(run, now or timezone.now())) is not None:
        finish(run, unsendable)
        return unsendable
    try:
        today = todays.get(user.pk) or due.today_for(user, now=moment, horizon=days_ahead)
        if today.total:
            if not mark_sending(run, moment):
                logger.warning("digest run %s was taken over before being sent", run.pk)
                return "skipped"
            mailer.open()  # at the first message: a refusal is the run's trouble
            mailer.send_messages([message(user, today)])
    except Exception as error:
        if is_transient(error):
            raise TransientDeliveryError(type(error).__name__) from error
        logger.warning("digest run %s failed: %s", run.pk, type(error).__name__)
        finish(run, DigestStatus.FAILED)
        return DigestStatus.FAILED
    status = DigestStatus.SENT if today.total else DigestStatus.EMPTY
    finish(run, status, items=today.total)
    return status


def not_to_send(run: DigestRun, now: datetime) -> DigestStatus | None:
    """Why a leased run is not to be sent at `now`, if it is not: the user left, switched the
    digest off or moved its hour or day (skipped), or the run's local day is over (failed, and
    logged: a digest lost, not one unwanted)."""
    user = run.owner
    if user.is_active and digest_day(user, now) == run.local_date:
        return None
    wanted = user.is_active and user.digest_frequency != User.DigestFrequency.OFF
    if wanted and now.astimezone(user.zone).date() > run.local_date:
        logger.error("digest run %s failed: its local day was over before it could be sent", run.pk)
        return DigestStatus.FAILED
    return DigestStatus.SKIPPED


def _todays(users: list[User], now: datetime) -> dict[int, due.Today]:
    """What is due for a chunk of users, found together; empty if that fails, so that each
    digest is built alone and a failure stays with its own run."""
    try:
        with transaction.atomic():  # a savepoint: a failure here leaves the caller's transaction usable
            return due.todays_for(users, now=now, horizon=days_ahead)
    except Exception as error:
        logger.warning("digests built one by one after %s", type(error).__name__)
        return {}


def preview(user: User, *, now: datetime, style_nonce: str = "") -> tuple[str, str, str]:
    """What the user's digest would say now, even when nothing is due."""
    return render(user, due.today_for(user, now=now, horizon=days_ahead), style_nonce=style_nonce)


def days_ahead(user: User) -> int:
    """The days after its own that a digest covers: a weekly one, the rest of its week (the
    birthday gestures, promises and reminders due before the next Monday's digest)."""
    return 6 if user.digest_frequency == User.DigestFrequency.WEEKLY else 0
