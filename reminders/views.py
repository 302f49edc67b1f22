"""The Today page: what is due, with snooze and done or the touch that clears it on every item,
a prospect's outcome at the target, and the roster review (R10).

An action answers htmx with its section rendered again, so the item leaves the list in place and
the next one moves up. A done item that logs a touch sends `touch-logged`: every section reloads
itself, since one call can settle a cadence, a prospect's next touch and an online-only reminder.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import trigger_client_event

from contacts import outcome_views, roster, rules
from contacts.models import Contact
from netzwerk.http import WRITE, AuthenticatedHttpRequest, owner_object
from reminders import clearing, due, kept, one_offs, review, states
from reminders.answers import TODAY, acted, item_context, section
from reminders.forms import ItemActionForm, ReviewGoalsForm
from reminders.models import ItemKind
from reminders.undo_views import offer_log_undo, offer_state_undo
from touchpoints import kinds
from touchpoints.models import OneOffReminder, Touchpoint
from touchpoints.views import TOUCH_LOGGED

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
        *sorted((contacts / "models").glob("*.py")),
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
        return section(request, ItemKind(request.GET["section"]), expanded=bool(request.GET.get("all")))

    def content(today: due.Today) -> str:
        context = {
            **item_context(),
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
        log, now = form.cleaned_data["log"] or None, timezone.now()
        logged = one_offs.mark_done(reminder, owner=request.user, now=now, log=log)
        if logged is not None:
            text = _("Done: %(kind)s with %(name)s logged.") % {
                "kind": logged.get_kind_display(),
                "name": reminder.contact.name,
            }
            offer_log_undo(request, ItemKind.ONE_OFF, logged, text, one_off=reminder)
        else:
            offer_state_undo(request, ItemKind.ONE_OFF, _("Done."), one_off=reminder.pk, at=now)
    if not request.htmx:
        return redirect("reminders:today")
    response = acted(request, ItemKind.ONE_OFF, expanded=bool(request.POST.get("all")))
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
        return section(request, kind or ItemKind.CADENCE) if kind else HttpResponse(status=400)
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
    response = acted(request, kind, expanded=bool(request.POST.get("all")))
    return trigger_client_event(response, TOUCH_LOGGED) if logged is not None else response


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
    offer_state_undo(
        request,
        kind,
        text,
        state=snoozed.state,
        before=(snoozed.done_at, snoozed.snoozed_until),
        written=(snoozed.done_at, snoozed.until),
    )


def _decide(request: AuthenticatedHttpRequest, contact: Contact, outcome: str) -> None:
    """R6 at the target, as on the contact page (undone for a while: `decide_undo`)."""
    action = reverse("reminders:decide_undo", args=[contact.pk])
    outcome_views.decide(request, contact, outcome, action=action, target=f"#today-{ItemKind.PROSPECT}")


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
        offer_log_undo(request, kind, cleared, text)
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
        offer_log_undo(request, kind, done.logged, text, done=done)
        return done.logged
    if kind == ItemKind.PROMISE and touch is not None:
        text = _("Promise kept: %(promise)s") % {"promise": touch.promise}
    else:
        text = _("Done.")
    offer_state_undo(
        request,
        kind,
        text,
        state=done.state,
        before=(done.done_at, done.snoozed_until),
        written=(done.at, None),
        promise=done.kept,
        at=done.at,
    )
    return None


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
