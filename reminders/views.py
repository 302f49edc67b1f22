"""The Today page: what is due, with snooze and done or the touch that clears it on every item,
a prospect's outcome at the target, and the roster review (R10).

An action answers htmx with its section rendered again, so the item leaves the list in place and
the next one moves up. A done item that logs a touch sends `touch-logged`: every section reloads
itself, since one call can settle a cadence, a prospect's next touch and an online-only reminder.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import reswap, trigger_client_event

from contacts import outcome_views, roster, rules
from contacts.models import Contact
from netzwerk import undo
from netzwerk.http import WRITE, AuthenticatedHttpRequest, owner_object
from reminders import clearing, due, kept, one_offs, review, states
from reminders.forms import ItemActionForm, ReviewGoalsForm
from reminders.items import SHOWN, SHOWN_ALL, SNOOZE_DAYS
from reminders.models import ItemKind
from touchpoints import kinds
from touchpoints.models import OneOffReminder, Touchpoint
from touchpoints.views import TOUCH_LOGGED

TODAY = "reminders/today.html"


def _item_context() -> dict[str, Any]:
    """What every item's form shows alike: the snooze menu, rendered once per response."""
    choices = [
        (days, _("1 week") if days == 7 else ngettext("%(days)s day", "%(days)s days", days) % {"days": days})
        for days in SNOOZE_DAYS
    ]
    return {"snooze_menu": render_to_string("reminders/_snooze.html", {"choices": choices})}


# What the kept page has where each form's CSRF token goes: the request's token replaces it.
KEPT_CSRF_TOKEN = "kept-csrf-token-placeholder"


@cache
def kept_release() -> str:
    """What the kept page is made of — its templates, the code that words and finds the items,
    the translations — as one fingerprint: a deploy that changes any of it starts afresh."""
    here, contacts = Path(__file__).parent, Path(rules.__file__).parent
    # every module of this app (due, clearing, one_offs, reach, birthdays, …: a hand-made list
    # missed some) and what Today reads from the others
    sources = [
        *sorted((here / "templates").rglob("*.html")),
        *sorted(here.glob("*.py")),
        contacts / "templates" / "contacts" / "_roster_gauge.html",
        contacts / "rules.py",
        contacts / "models.py",
        contacts / "moments.py",
        contacts / "choices.py",
        contacts / "roster.py",
        Path(kinds.__file__),
        *sorted(Path(settings.BASE_DIR, "locale").glob("*/LC_MESSAGES/django.mo")),
    ]
    fingerprint = hashlib.sha256()
    for source in sources:
        fingerprint.update(source.read_bytes())
    return fingerprint.hexdigest()[:16]


@login_required
@require_GET
@vary_on_headers("HX-Request")
def today(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Everything due today; `?section=<kind>` answers with that section alone (htmx reloads),
    `all` shows all of a section.

    The page's content is kept rendered (see reminders/kept.py) until what it shows may change, in the
    language and time zone of the request, with a placeholder for the CSRF token.
    """
    if request.htmx and request.GET.get("section") in ItemKind.values:
        return _section(request, ItemKind(request.GET["section"]), expanded=bool(request.GET.get("all")))

    def content(today: due.Today) -> str:
        context = {
            **_item_context(),
            "today": today,
            "roster": roster.roster_for(request.user),
            "csrf_token": KEPT_CSRF_TOKEN,
        }
        return render_to_string(f"{TODAY}#content", context)

    expanded = request.GET.get("all")
    content_kept = kept.kept(
        request.user,
        now=timezone.now(),
        build=content,
        variant=f"page:{kept_release()}:{translation.get_language()}:{timezone.get_current_timezone_name()}",
        expanded=expanded if expanded in ItemKind.values else None,
    )
    page = mark_safe(content_kept.replace(KEPT_CSRF_TOKEN, get_token(request)))
    return render(request, TODAY, {"content": page})


def _section(request: AuthenticatedHttpRequest, kind: ItemKind, *, expanded: bool = False) -> HttpResponse:
    """The section alone (all of it when `expanded`), as it reloads itself."""
    limit = SHOWN_ALL if expanded else SHOWN
    section = due.section_for(request.user, kind, now=timezone.now(), limit=limit)
    context = {**_item_context(), "section": section, "is_fragment": True}
    return render(request, f"{TODAY}#section", context)


@owner_object(Contact, methods=WRITE)
def contact_item(request: AuthenticatedHttpRequest, contact: Contact) -> HttpResponse:
    return _act(request, contact=contact)


@owner_object(Touchpoint, methods=WRITE)
def promise_item(request: AuthenticatedHttpRequest, touch: Touchpoint) -> HttpResponse:
    return _act(request, ItemKind.PROMISE, contact=touch.contact, touch=touch)


@login_required
@require_POST
def review_item(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _act(request, ItemKind.ROSTER_REVIEW)


@owner_object(OneOffReminder, methods=WRITE)
def one_off_item(request: AuthenticatedHttpRequest, reminder: OneOffReminder) -> HttpResponse:
    """A one-off reminder on Today: done (with the touch pressed, if one was) or snoozed."""
    form = ItemActionForm(request.POST, contact_item=False)
    logged = None
    if not form.is_valid() or form.cleaned_data["action"] == "decide" or reminder.done_at is not None:
        messages.error(request, _("This reminder could not be changed. Reload the page and try again."))
    elif form.cleaned_data["action"] == "snooze":
        data = {**form.cleaned_data, "occasion": str(reminder.pk)}  # its key: one_offs.state_key
        _snooze(request, ItemKind.ONE_OFF, data, contact=reminder.contact, touch=None)
    else:
        log = form.cleaned_data["log"] or None
        logged = one_offs.mark_done(reminder, owner=request.user, now=timezone.now(), log=log)
        if logged is not None:
            text = _("Done: %(kind)s with %(name)s logged.") % {
                "kind": logged.get_kind_display(),
                "name": reminder.contact.name,
            }
            _offer_undo(request, ItemKind.ONE_OFF, logged, text, one_off=reminder)
        else:
            _offer_state_undo(request, ItemKind.ONE_OFF, _("Done."), one_off=reminder.pk)
    if not request.htmx:
        return redirect("reminders:today")
    response = _acted(request, ItemKind.ONE_OFF, expanded=bool(request.POST.get("all")))
    return trigger_client_event(response, TOUCH_LOGGED) if logged is not None else response


def _act(
    request: AuthenticatedHttpRequest,
    kind: ItemKind | None = None,
    *,
    contact: Contact | None = None,
    touch: Touchpoint | None = None,
) -> HttpResponse:
    form = ItemActionForm(request.POST, contact_item=kind is None)
    if not form.is_valid():
        messages.error(request, _("This reminder could not be changed. Reload the page and try again."))
        if not request.htmx:
            return redirect("reminders:today")
        return _section(request, kind or ItemKind.CADENCE) if kind else HttpResponse(status=400)
    data = form.cleaned_data
    kind = kind or ItemKind(data["kind"])
    logged = None
    if data["action"] == "snooze":
        _snooze(request, kind, data, contact=contact, touch=touch)
    elif data["action"] == "decide" and contact is not None:
        _decide(request, contact, data["outcome"])
    else:
        logged = _done(request, kind, data, contact=contact, touch=touch)
    if not request.htmx:
        return redirect("reminders:today")
    response = _acted(request, kind, expanded=bool(request.POST.get("all")))
    return trigger_client_event(response, TOUCH_LOGGED) if logged is not None else response


def _acted(request: AuthenticatedHttpRequest, kind: ItemKind, *, expanded: bool) -> HttpResponse:
    """The acted section (focus goes to its heading, for keyboard users), with the total and the
    other sections' counts out of band: all of Today in its own queries (as many at any size), so no count on the
    page is left behind."""
    today = due.today_for(request.user, now=timezone.now(), expanded=kind if expanded else None)
    section = next(section for section in today.sections if section.kind == kind)
    context = {**_item_context(), "today": today, "section": section, "is_fragment": True, "acted": True}
    return render(request, f"{TODAY}#acted", context)


def _snooze(
    request: AuthenticatedHttpRequest,
    kind: ItemKind,
    data: dict[str, Any],
    *,
    contact: Contact | None,
    touch: Touchpoint | None,
) -> None:
    snoozed = states.snooze(
        request.user,
        kind,
        days=data["days"],
        now=timezone.now(),
        contact=contact,
        touch=touch,
        occasion=data["occasion"],
    )
    text = _("Snoozed until %(day)s.") % {"day": date_format(snoozed.until, "DATE_FORMAT")}
    _offer_state_undo(
        request, kind, text, state=snoozed.state, done_at=snoozed.done_at, snoozed_until=snoozed.snoozed_until
    )


def _decide(request: AuthenticatedHttpRequest, contact: Contact, outcome: str) -> None:
    """R6 at the target, as on the contact page: the prospect's outcome, dated now (undone for a
    while: `decide_undo`)."""
    try:
        contact.decide_prospect(outcome, now=timezone.now())
    except ValueError:  # decided meanwhile (another tab)
        messages.error(request, _("Only a prospect can become a customer or a “not now”."))
        return
    action = reverse("reminders:decide_undo", args=[contact.pk])
    outcome_views.offer_decision_undo(request, contact, action=action, target=f"#today-{ItemKind.PROSPECT}")


def _done(
    request: AuthenticatedHttpRequest,
    kind: ItemKind,
    data: dict[str, Any],
    *,
    contact: Contact | None,
    touch: Touchpoint | None,
) -> Touchpoint | None:
    """Done (with a touch, if one was pressed); or, for an item only a touch clears, that touch.
    A touch logged in one click can be taken back for a while (`touch_undo`)."""
    now = timezone.now()
    if clearing.only_a_touch_clears(kind) and contact is not None:
        cleared = clearing.log_clearing_touch(kind, contact=contact, log=data["log"], now=now)
        text = _("%(kind)s with %(name)s logged.") % {
            "kind": cleared.get_kind_display(),
            "name": contact.name,
        }
        _offer_undo(request, kind, cleared, text)
        return cleared
    done = states.mark_done(
        request.user,
        kind,
        now=now,
        occasion=data["occasion"],
        log=data["log"] or None,
        contact=contact,
        touch=touch,
    )
    if done.logged is not None and contact is not None:
        text = _("Done: %(kind)s with %(name)s logged.") % {
            "kind": done.logged.get_kind_display(),
            "name": contact.name,
        }
        _offer_undo(request, kind, done.logged, text, done=done)
        return done.logged
    if kind == ItemKind.PROMISE and touch is not None:
        text = _("Promise kept: %(promise)s") % {"promise": touch.promise}
    else:
        text = _("Done.")
    _offer_state_undo(
        request,
        kind,
        text,
        state=done.state,
        done_at=done.done_at,
        snoozed_until=done.snoozed_until,
        promise=done.kept,
    )
    return None


UNDO_LOG = "today-log"
UNDO_STATE = "today-state"


def _offer_undo(
    request: AuthenticatedHttpRequest,
    kind: ItemKind,
    logged: Touchpoint,
    text: str,
    *,
    done: states.Done | None = None,
    one_off: OneOffReminder | None = None,
) -> None:
    """The message, with an undo that deletes `logged` and puts the item's state back as it was
    (a one-off reminder open again)."""
    before: dict[str, Any] = {"one_off": one_off.pk} if one_off is not None else {}
    if done is not None:
        before = {
            "key": done.key,
            "done_at": done.done_at.isoformat() if done.done_at else None,
            "snoozed_until": done.snoozed_until.isoformat() if done.snoozed_until else None,
        }
    token = undo.sign(request.user.pk, UNDO_LOG, pk=logged.pk, kind=kind.value, **before)
    action = reverse("reminders:touch_undo", args=[logged.pk])
    undo.offer(request, text, action=action, target=f"#today-{kind}", token=token)


def _offer_state_undo(
    request: AuthenticatedHttpRequest,
    kind: ItemKind,
    text: str,
    *,
    state: int | None = None,
    done_at: datetime | None = None,
    snoozed_until: date | None = None,
    promise: int | None = None,
    one_off: int | None = None,
) -> None:
    """The message, with an undo that puts back what a snooze or a done without a touch changed:
    the item's `state` as it was, the `promise` kept open again, the `one_off` reminder open."""
    values = {
        "state": state,
        "done_at": done_at.isoformat() if done_at else None,
        "snoozed_until": snoozed_until.isoformat() if snoozed_until else None,
        "promise": promise,
        "one_off": one_off,
    }
    token = undo.sign(request.user.pk, UNDO_STATE, kind=kind.value, **values)
    undo.offer(request, text, action=reverse("reminders:state_undo"), target=f"#today-{kind}", token=token)


def _undo_refused(request: AuthenticatedHttpRequest, refused: undo.UndoRefused) -> HttpResponse:
    """Say why an undo was refused, and change nothing on the page but the message."""
    messages.error(request, undo.refusal(refused))
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
    now = timezone.now()
    with transaction.atomic():
        if values.get("state"):
            states.restore(
                request.user,
                int(values["state"]),
                done_at=datetime.fromisoformat(values["done_at"]) if values.get("done_at") else None,
                snoozed_until=date.fromisoformat(values["snoozed_until"])
                if values.get("snoozed_until")
                else None,
                now=now,
            )
        if values.get("promise"):
            states.reopen_promise(request.user, int(values["promise"]))
        if values.get("one_off"):
            one_offs.reopen(int(values["one_off"]), owner=request.user, now=now)
    messages.success(request, _("Undone: back on your list."))
    if not request.htmx:
        return redirect("reminders:today")
    return _acted(request, ItemKind(values["kind"]), expanded=False)


@owner_object(Contact, methods=WRITE)
def decide_undo(request: AuthenticatedHttpRequest, contact: Contact) -> HttpResponse:
    """Undo a prospect's outcome decided on Today: a prospect again, back in its section."""
    outcome_views.take_back_decision(request, contact)
    if not request.htmx:
        return redirect("reminders:today")
    return _acted(request, ItemKind.PROSPECT, expanded=False)


@owner_object(Touchpoint, methods=WRITE)
def touch_undo(request: AuthenticatedHttpRequest, touch: Touchpoint) -> HttpResponse:
    """Undo a one-click log: the touch deleted (the contact's summary recomputed) and the item
    back on Today as it was; refused after `undo.UNDO_SECONDS`."""
    try:
        values = undo.posted(request, UNDO_LOG, touch.pk)
    except undo.UndoRefused as refused:
        return _undo_refused(request, refused)
    with transaction.atomic():
        states.undo_log(
            request.user,
            touch,
            now=timezone.now(),
            key=values.get("key") or "",
            done_at=datetime.fromisoformat(values["done_at"]) if values.get("done_at") else None,
            snoozed_until=date.fromisoformat(values["snoozed_until"])
            if values.get("snoozed_until")
            else None,
        )
        if values.get("one_off"):
            one_offs.reopen(int(values["one_off"]), owner=request.user, now=timezone.now())
    messages.success(
        request,
        _("Undone: %(kind)s with %(name)s deleted.")
        % {"kind": touch.get_kind_display(), "name": touch.contact.name},
    )
    if not request.htmx:
        return redirect("reminders:today")
    return trigger_client_event(_acted(request, ItemKind(values["kind"]), expanded=False), TOUCH_LOGGED)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def roster_review(request: AuthenticatedHttpRequest) -> HttpResponse:
    """R10: last quarter's goals against what happened, the strong ties (longest without a
    personal touch first), who could join them; then the review recorded with the next goals."""
    form = ReviewGoalsForm(request.POST if request.method == "POST" else None, owner=request.user)
    if request.method == "POST" and form.is_valid():
        next_on = review.record_review(request.user, now=timezone.now(), goals=form.goals())
        messages.success(
            request,
            _("Roster review recorded. The next one is due on %(day)s.")
            % {"day": date_format(next_on, "DATE_FORMAT")},
        )
        return redirect("reminders:today")
    now = timezone.now()
    current = roster.roster_for(request.user)
    context = {
        "strong_ties": roster.swap_candidates(request.user, now=now, limit=None),
        "roster": current,
        "last_quarter": review.last_quarter(request.user, key_positions=current.key_positions),
        "candidates": review.promotion_candidates(request.user, now=now),
        "form": form,
    }
    status = 400 if form.is_bound else 200
    return render(request, "reminders/roster_review.html", context, status=status)
