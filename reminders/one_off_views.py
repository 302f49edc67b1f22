"""One-off reminders on the contact page: the open ones, each to edit or delete (after a
confirmation), and a small form to set one. The panel loads after the contact page, as the
touch panel does, and reloads itself when a touch is logged (the touch log form can set one
too). Today's actions on a reminder are in reminders.views (`one_off_item`)."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.vary import vary_on_headers

from contacts.models import Contact
from netzwerk.http import (
    READ,
    READ_WRITE,
    WRITE,
    AuthenticatedHttpRequest,
    owner_object,
    reload_page,
    render_page,
)
from reminders import one_offs
from touchpoints.forms import OneOffReminderForm
from touchpoints.models import OneOffReminder

PANEL = "reminders/one_off_panel.html"


def _today(request: AuthenticatedHttpRequest) -> date:
    return request.user.local_date(timezone.now())


def _panel(
    request: AuthenticatedHttpRequest, contact: Contact, form: OneOffReminderForm | None = None
) -> HttpResponse:
    today = _today(request)
    context = {
        "contact": contact,
        "reminders": OneOffReminder.objects.for_owner(request.user).for_contact(contact).open(),
        "form": form or OneOffReminderForm(today=today),
        "today": today,
    }
    return render_page(request, PANEL, "one-off-panel", context)


def _open(reminder: OneOffReminder) -> OneOffReminder:
    """A done reminder is off the contact page and Today: nothing to edit any more."""
    if reminder.done_at is not None:
        raise Http404("done")
    return reminder


@owner_object(Contact, methods=READ)
@vary_on_headers("HX-Request")
def one_off_panel(request: AuthenticatedHttpRequest, contact: Contact) -> HttpResponse:
    return _panel(request, contact)


@owner_object(Contact, methods=WRITE)
def one_off_create(request: AuthenticatedHttpRequest, contact: Contact) -> HttpResponse:
    """Set a reminder; bad input comes back with the form as it was typed and says why."""
    instance = OneOffReminder(contact=contact)
    form = OneOffReminderForm(request.POST, instance=instance, today=_today(request))
    if not form.is_valid():
        return _panel(request, contact, form)
    reminder = form.save()
    messages.success(
        request,
        _("Reminder set for %(day)s: %(text)s")
        % {"day": date_format(reminder.due_on, "DATE_FORMAT"), "text": reminder.text},
    )
    return _panel(request, contact) if request.htmx else redirect(contact)


@owner_object(OneOffReminder, methods=READ_WRITE)
def one_off_edit(request: AuthenticatedHttpRequest, reminder: OneOffReminder) -> HttpResponse:
    form = OneOffReminderForm(request.POST or None, instance=_open(reminder), today=_today(request))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The reminder was saved."))
        return reload_page(request, reminder.contact.get_absolute_url())
    context = {"form": form, "reminder": reminder, "contact": reminder.contact}
    return render(request, "reminders/one_off_form.html", context)


@owner_object(OneOffReminder, methods=READ_WRITE)
def one_off_delete(request: AuthenticatedHttpRequest, reminder: OneOffReminder) -> HttpResponse:
    contact = _open(reminder).contact
    if request.method == "POST":
        one_offs.delete(reminder, owner=request.user)
        messages.success(request, _("The reminder was deleted."))
        return reload_page(request, contact.get_absolute_url())
    context = {"reminder": reminder, "contact": contact}
    return render(request, "reminders/one_off_confirm_delete.html", context)
