"""Today's undos: a touch logged in one click, a snooze, a done without a touch (a kept promise, a
one-off reminder) and a prospect's outcome, each taken back for a while (netzwerk/undo.py). The
token names what the change wrote, so an undo works once and never on a later change."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import reswap, trigger_client_event

from contacts import outcome_views
from contacts.models import Contact
from netzwerk import undo
from netzwerk.http import WRITE, AuthenticatedHttpRequest, owner_object
from reminders import states
from reminders.answers import acted
from reminders.models import ItemKind
from touchpoints.models import OneOffReminder, Touchpoint, touch_version
from touchpoints.views import TOUCH_LOGGED

UNDO_LOG = "today-log"
UNDO_STATE = "today-state"


def offer_log_undo(
    request: AuthenticatedHttpRequest,
    kind: ItemKind,
    logged: Touchpoint,
    text: str,
    *,
    done: states.Done | None = None,
    one_off: OneOffReminder | None = None,
) -> None:
    """The message, with an undo that deletes `logged` and puts the item's state back as it was
    (a one-off reminder open again, a promise kept in the same click open again)."""
    before: dict[str, Any] = {}
    if one_off is not None:
        before = {"one_off": one_off.pk, "at": _iso(one_off.done_at)}
    if done is not None:
        before = {
            "key": done.key,
            "done_at": _iso(done.done_at),
            "snoozed_until": _iso(done.snoozed_until),
            "promise": done.kept,
            "at": _iso(done.at),
        }
    token = undo.sign(
        request.user.pk, UNDO_LOG, pk=logged.pk, version=touch_version(logged), kind=kind.value, **before
    )
    action = reverse("reminders:touch_undo", args=[logged.pk])
    undo.offer(request, text, action=action, target=f"#today-{kind}", token=token)


def offer_state_undo(
    request: AuthenticatedHttpRequest,
    kind: ItemKind,
    text: str,
    *,
    state: int | None = None,
    before: tuple[datetime | None, date | None] = (None, None),
    written: tuple[datetime | None, date | None] = (None, None),
    promise: int | None = None,
    one_off: int | None = None,
    at: datetime | None = None,
) -> None:
    """The message, with an undo that puts back what a snooze or a done without a touch changed:
    the item's `state` as it was `before` (done at, snoozed until), the `promise` kept `at` open
    again, the `one_off` reminder done `at` open. The token names what the change `written`, so
    the undo works once and never on a later change."""
    values = {
        "state": state,
        "done_at": _iso(before[0]),
        "snoozed_until": _iso(before[1]),
        "written_done_at": _iso(written[0]),
        "written_snoozed_until": _iso(written[1]),
        "promise": promise,
        "one_off": one_off,
        "at": _iso(at),
    }
    token = undo.sign(request.user.pk, UNDO_STATE, kind=kind.value, **values)
    undo.offer(request, text, action=reverse("reminders:state_undo"), target=f"#today-{kind}", token=token)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _number(value: int | None) -> int | None:
    return int(value) if value is not None else None


def _undo_refused(request: AuthenticatedHttpRequest, refused: undo.UndoRefused) -> HttpResponse:
    """Say why an undo was refused, and change nothing on the page but the message."""
    messages.error(request, undo.refusal(refused))
    return _undo_refused_in_place(request)


def _undo_refused_in_place(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The message already said, and nothing else on the page changed."""
    if not request.htmx:
        return redirect("reminders:today")
    return reswap(render(request, "_messages.html"), "none")


@login_required
@require_POST
def state_undo(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Undo a snooze or a done without a touch: the item back on Today as it was; refused after
    `undo.UNDO_SECONDS`. The token is signed for this user (another's is refused)."""
    try:
        values = undo.read(request.user.pk, UNDO_STATE, request.POST.get("token", ""))
    except undo.UndoRefused as refused:
        return _undo_refused(request, refused)
    put_back = states.put_back(
        request.user,
        state=_number(values.get("state")),
        before=(_moment(values.get("done_at")), _day(values.get("snoozed_until"))),
        written=(_moment(values.get("written_done_at")), _day(values.get("written_snoozed_until"))),
        promise=_number(values.get("promise")),
        one_off=_number(values.get("one_off")),
        at=_moment(values.get("at")),
        now=timezone.now(),
    )
    if not put_back:
        messages.error(request, _("This has changed since; nothing was undone."))
        return _undo_refused_in_place(request)
    messages.success(request, _("Undone: back on your list."))
    if not request.htmx:
        return redirect("reminders:today")
    return acted(request, ItemKind(values["kind"]), expanded=False)


@owner_object(Contact, methods=WRITE)
def decide_undo(request: AuthenticatedHttpRequest, contact: Contact) -> HttpResponse:
    """Undo a prospect's outcome decided on Today: a prospect again, back in its section."""
    outcome_views.take_back_decision(request, contact)
    if not request.htmx:
        return redirect("reminders:today")
    return acted(request, ItemKind.PROSPECT, expanded=False)


@owner_object(Touchpoint, methods=WRITE)
def touch_undo(request: AuthenticatedHttpRequest, touch: Touchpoint) -> HttpResponse:
    """Undo a one-click log: the touch deleted (the contact's summary recomputed) and the item
    back on Today as it was; refused after `undo.UNDO_SECONDS`."""
    try:
        values = undo.posted(request, UNDO_LOG, touch.pk, version=touch_version(touch))
    except undo.UndoRefused as refused:
        return _undo_refused(request, refused)
    states.undo_log(
        request.user,
        touch,
        now=timezone.now(),
        key=values.get("key") or "",
        done_at=_moment(values.get("done_at")),
        snoozed_until=_day(values.get("snoozed_until")),
        promise=_number(values.get("promise")),
        one_off=_number(values.get("one_off")),
        at=_moment(values.get("at")),
    )
    messages.success(
        request,
        _("Undone: %(kind)s with %(name)s deleted.")
        % {"kind": touch.get_kind_display(), "name": touch.contact.name},
    )
    if not request.htmx:
        return redirect("reminders:today")
    return trigger_client_event(acted(request, ItemKind(values["kind"]), expanded=False), TOUCH_LOGGED)
