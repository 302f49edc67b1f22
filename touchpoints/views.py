"""Logging touches: the panel on the contact page, the timeline, and the quick log from anywhere.

A logged, edited or kept touch answers htmx with `HX-Trigger: touch-logged`, so other parts of
the page (the contact's rules panel, the channel mix and promise record) reload themselves; a
kept promise also sends `promise-kept`, which reloads the timeline. Edit and delete end on the
contact page: a redirect, or for htmx a client redirect.

The record (R12 channel mix, R3 promises) exists per contact and for all of the user's contacts;
both are lazy-loaded fragments, so neither the contact page nor the quick log waits for them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import trigger_client_event

from contacts import roster
from contacts import views as contact_views
from contacts.models import Contact
from netzwerk import undo
from netzwerk.http import (
    READ,
    READ_WRITE,
    WRITE,
    AuthenticatedHttpRequest,
    is_htmx_fragment,
    owner_object,
    reload_page,
    render_page,
)
from touchpoints import ledger, mix
from touchpoints.forms import QUICK_KINDS, QuickTouchForm, TouchpointForm
from touchpoints.models import OneOffReminder, Touchpoint, TouchpointQuerySet, touch_version

# Short pages keep the contact's facts and record within reach on a phone.
TOUCHES_PER_PAGE = 10
MATCHES = 8
TOUCH_LOGGED = "touch-logged"
PROMISE_KEPT = "promise-kept"
OPEN_PROMISES_SHOWN = 10
PANEL = "touchpoints/touchpoint_panel.html"
TIMELINE = "touchpoints/touchpoint_timeline.html"
QUICK = "touchpoints/touchpoint_quick.html"
FORM = "touchpoints/touchpoint_form.html"
LOGGED = "touchpoints/touchpoint_logged.html"
UNDO_LOG = "quick-log"


def _page(
    request: AuthenticatedHttpRequest, template: str, partial: str, context: dict[str, Any]
) -> HttpResponse:
    return render_page(request, template, partial, {**context, "quick_kinds": QUICK_KINDS})


def _today(request: AuthenticatedHttpRequest) -> date:
    return request.user.local_date(timezone.now())


def _timeline(request: AuthenticatedHttpRequest, contact: Contact, number: Any) -> Page[Touchpoint]:
    touches = Touchpoint.objects.for_owner(request.user).for_contact(contact)
    return Paginator(touches, TOUCHES_PER_PAGE).get_page(number)


def _form(request: AuthenticatedHttpRequest, contact: Contact, data: Any = None) -> TouchpointForm:
    return TouchpointForm(
        data, instance=Touchpoint(contact=contact), zone=request.user.zone, now=timezone.now()
    )


def _panel(request: AuthenticatedHttpRequest, contact: Contact, form: TouchpointForm) -> HttpResponse:
    page = _timeline(request, contact, 1)
    context = {"contact": contact, "form": form, "page": page, "today": _today(request)}
    return _page(request, PANEL, "touch-panel", context)


def _log(
    request: AuthenticatedHttpRequest,
    contact: Contact,
    form: TouchpointForm,
    *,
    undoable: bool = False,
    from_contact_page: bool = False,
) -> Touchpoint:
    """Log the touch and say so; `undoable` with an undo for a while, which answers with the quick
    log, or the contact's page again (`from_contact_page`)."""
    if form.asks_before_giving(contact):
        messages.warning(
            request,
            _("You asked %(name)s for something before ever giving. Give first, then ask.")
            % {"name": contact.name},
        )
    reminder = form.reminder_data()
    with transaction.atomic():
        touch = ledger.log_touch(contact, **form.touch_data())
        if reminder is not None:
            OneOffReminder.objects.create(contact=contact, **reminder)
    text = _("%(kind)s with %(name)s logged.") % {"kind": touch.get_kind_display(), "name": contact.name}
    if undoable:
        token = undo.sign(
            request.user.pk,
            UNDO_LOG,
            pk=touch.pk,
            version=touch_version(touch),
            contact_page=from_contact_page,
        )
        action = reverse("touchpoints:undo", args=[touch.pk])
        back = contact.get_absolute_url() if from_contact_page else ""
        # the quick log swaps its form back in; the contact page reloads whole (HX-Redirect), so
        # any target there will do, but one there must be or htmx sends nothing
        target = "body" if from_contact_page else "#quick-log"
        undo.offer(request, text, action=action, target=target, token=token, next_url=back)
    else:
        messages.success(request, text)
    if reminder is not None:
        messages.success(
            request,
            _("Reminder set for %(day)s: %(text)s")
            % {"day": date_format(reminder["due_on"], "DATE_FORMAT"), "text": reminder["text"]},
        )
    return touch


@owner_object(Touchpoint, methods=WRITE)
def touchpoint_undo(request: AuthenticatedHttpRequest, touch: Touchpoint) -> HttpResponse:
    """Undo a touch just logged in the quick log or on the contact page: deleted through the
    ledger (the contact's summary recomputed); refused after `undo.UNDO_SECONDS`. The contact's
    page is loaded again, as everything on it may have moved."""
    contact = touch.contact
    try:
        values = undo.posted(request, UNDO_LOG, touch.pk, version=touch_version(touch))
    except undo.UndoRefused as refused:
        messages.error(request, undo.refusal(refused))
        taken_back, values = False, {}
    else:
        ledger.take_back(touch)
        messages.success(
            request,
            _("Undone: %(kind)s with %(name)s deleted.")
            % {"kind": touch.get_kind_display(), "name": touch.contact.name},
        )
        taken_back = True
    # from the contact page (its form posts `next`; a refused token has no values to say so)
    if values.get("contact_page") or request.POST.get("next"):
        return reload_page(request, contact.get_absolute_url())
    if not request.htmx:
        return redirect("touchpoints:quick")
    response = _quick(request, _quick_form(request), q="")
    return trigger_client_event(response, TOUCH_LOGGED) if taken_back else response


@owner_object(Contact, methods=READ)
@vary_on_headers("HX-Request")
def touchpoint_panel(request: AuthenticatedHttpRequest, contact: Contact) -> HttpResponse:
    return _panel(request, contact, _form(request, contact))


@owner_object(Contact, methods=READ)
@vary_on_headers("HX-Request")
def touchpoint_more(request: AuthenticatedHttpRequest, contact: Contact) -> HttpResponse:
    """The panel's full log form (time, give and ask, promise, gut feeling, reminder), fetched
    when its fold is first opened; without htmx, the panel's page, which has it in place."""
    if not is_htmx_fragment(request):
        return _panel(request, contact, _form(request, contact))
    return render(request, f"{PANEL}#more-form", {"contact": contact, "form": _form(request, contact)})


@owner_object(Contact, methods=WRITE)
def touchpoint_log(request: AuthenticatedHttpRequest, contact: Contact) -> HttpResponse:
    form = _form(request, contact, request.POST)
    if not form.is_valid():
        return _panel(request, contact, form)
    _log(request, contact, form, undoable=True, from_contact_page=True)
    if not request.htmx:
        return redirect(contact)
    if urlsplit(request.htmx.current_url or "").path != contact.get_absolute_url():
        return trigger_client_event(_panel(request, contact, _form(request, contact)), TOUCH_LOGGED)
    # On the contact page, its rules panel and stage come along out of band: the same response.
    context = {
        **contact_views.status_context(request, contact),
        "form": _form(request, contact),
        "page": _timeline(request, contact, 1),
        "today": _today(request),
    }
    response = render(request, LOGGED, {**context, "quick_kinds": QUICK_KINDS, "is_fragment": True})
    return trigger_client_event(response, TOUCH_LOGGED)


@owner_object(Contact, methods=READ)
@vary_on_headers("HX-Request")
def touchpoint_ask_warning(request: AuthenticatedHttpRequest, contact: Contact) -> HttpResponse:
    """R4 before saving: the log form asks here when "ask" is chosen, and shows the warning next
    to the field (a fragment, for htmx). Saving stays allowed; without JavaScript the warning
    comes after saving."""
    form = _form(request, contact, {"exchange": request.GET.get("exchange", "")})
    return render(request, f"{FORM}#ask-warning", {"form": form, "contact": contact})


@owner_object(Contact, methods=READ)
@vary_on_headers("HX-Request")
def touchpoint_timeline(request: AuthenticatedHttpRequest, contact: Contact) -> HttpResponse:
    page = _timeline(request, contact, request.GET.get("page"))
    context = {"contact": contact, "page": page, "today": _today(request)}
    return _page(request, TIMELINE, "timeline-rows", context)


@owner_object(Touchpoint, methods=READ_WRITE)
def touchpoint_edit(request: AuthenticatedHttpRequest, touch: Touchpoint) -> HttpResponse:
    form = TouchpointForm(request.POST or None, instance=touch, zone=request.user.zone, now=timezone.now())
    if request.method == "POST" and form.is_valid():
        ledger.edit_touch(touch, **form.touch_data())
        messages.success(request, _("The touch was saved."))
        return reload_page(request, touch.contact.get_absolute_url())
    context = {"form": form, "touch": touch, "contact": touch.contact}
    return _page(request, "touchpoints/touchpoint_form.html", "touch-form", context)


@owner_object(Touchpoint, methods=READ_WRITE)
def touchpoint_delete(request: AuthenticatedHttpRequest, touch: Touchpoint) -> HttpResponse:
    contact = touch.contact
    if request.method == "POST":
        ledger.delete_touch(touch)
        messages.success(request, _("The touch was deleted."))
        return reload_page(request, contact.get_absolute_url())
    context = {"touch": touch, "contact": contact}
    return render(request, "touchpoints/touchpoint_confirm_delete.html", context)


@owner_object(Touchpoint, methods=WRITE)
def touchpoint_keep_promise(request: AuthenticatedHttpRequest, touch: Touchpoint) -> HttpResponse:
    if touch.has_open_promise:
        ledger.edit_touch(touch, promise_kept_at=timezone.now())
        messages.success(request, _("Promise kept: %(promise)s") % {"promise": touch.promise})
    if not request.htmx:
        return redirect(touch.contact)
    context = {"touch": touch, "today": _today(request)}
    response = render(request, "touchpoints/touchpoint_row.html", context)
    return trigger_client_event(trigger_client_event(response, TOUCH_LOGGED), PROMISE_KEPT)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
def touchpoint_quick(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = _quick_form(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        contact = form.cleaned_data["contact"]
        _log(request, contact, form, undoable=True)
        if not request.htmx:
            return redirect("touchpoints:quick")
        # A fresh form for the next touch, and where this contact now stands (its rules panel).
        response = _quick(request, _quick_form(request), q="", logged=contact)
        return trigger_client_event(response, TOUCH_LOGGED)
    return _quick(request, form, q=request.POST.get("q") or request.GET.get("q", ""))


@login_required
@require_GET
@vary_on_headers("HX-Request")
def contact_search(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Autocomplete for the quick log: a fragment for htmx, the quick page with matches otherwise."""
    q = request.GET.get("q", "")
    context = {"form": _quick_form(request), "q": q, "matches": _matches(request, q)}
    return _page(request, QUICK, "contact-matches", context)


def _quick_form(request: AuthenticatedHttpRequest, data: Any = None) -> QuickTouchForm:
    return QuickTouchForm(
        data, instance=Touchpoint(), owner=request.user, zone=request.user.zone, now=timezone.now()
    )


def _quick(
    request: AuthenticatedHttpRequest, form: QuickTouchForm, *, q: str, logged: Contact | None = None
) -> HttpResponse:
    context = {"form": form, "q": q, "matches": _matches(request, q), "logged": logged}
    return _page(request, QUICK, "quick-log", context)


def _matches(request: AuthenticatedHttpRequest, q: str) -> list[Contact]:
    if not q.strip():
        return []
    contacts = Contact.objects.for_owner(request.user).active().search(q[:100], owner=request.user).by_name()
    return list(contacts[:MATCHES])


@owner_object(Contact, methods=READ)
@vary_on_headers("HX-Request")
def contact_record(request: AuthenticatedHttpRequest, contact: Contact) -> HttpResponse:
    """R12 and R3 for one contact: personal against digital touches per month, and promises."""
    touches = Touchpoint.objects.for_owner(request.user).for_contact(contact)
    return _record(request, touches, contact=contact)


@login_required
@require_GET
@vary_on_headers("HX-Request")
def my_record(request: AuthenticatedHttpRequest) -> HttpResponse:
    """My network: R12 and R3 across all of the user's contacts, and on the page the R2 roster."""
    touches, now = Touchpoint.objects.for_owner(request.user), timezone.now()
    since = mix.window_start(now, zone=request.user.zone)
    # The roster sits outside the fragment that reloads after a touch; it is not asked for there.
    roster_now = None if is_htmx_fragment(request) else roster.roster_for(request.user)
    made = mix.promises_made(touches, since=since, now=now)
    return _record(request, touches, contact=None, now=now, roster=roster_now, promises_made=made)


def _record(
    request: AuthenticatedHttpRequest,
    touches: TouchpointQuerySet,
    *,
    contact: Contact | None,
    now: datetime | None = None,
    **more: Any,
) -> HttpResponse:
    now = now or timezone.now()
    today = request.user.local_date(now)
    months = mix.monthly_mix(touches, now=now, zone=request.user.zone)
    bars = mix.chart_bars(months)
    context = {
        **more,
        "contact": contact,
        "months": months,
        "mix_total": mix.overall(months),
        "bars": bars,
        "chart_width": mix.chart_width(bars),
        "chart_height": mix.CHART_HEIGHT,
        "bar_width": mix.BAR_WIDTH,
        "promises": mix.promise_record(touches, today=today),
        "open_promises": list(touches.open_promises().select_related("contact")[:OPEN_PROMISES_SHOWN]),
        "today": today,
    }
    return _page(request, "touchpoints/touchpoint_record.html", "touch-record", context)
