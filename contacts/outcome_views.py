"""R6 at the target: a prospect's outcome, customer or not now, recorded in one click on the
contact page or on Today (reminders.views), and taken back for a while (netzwerk/undo.py)."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from contacts.models import Contact
from netzwerk import undo
from netzwerk.http import WRITE, AuthenticatedHttpRequest, owner_object


@owner_object(Contact, methods=WRITE)
def contact_decide(request: AuthenticatedHttpRequest, contact: Contact) -> HttpResponse:
    """R6: record a prospect's outcome, customer or not now, with today's date (undone for a
    while: `contact_decide_undo`)."""
    action = reverse("contacts:decide_undo", args=[contact.pk])
    decide(request, contact, request.POST.get("outcome", ""), action=action, target="#contact-status")
    return redirect(contact)


UNDO_DECISION = "prospect-decision"


def decide(
    request: AuthenticatedHttpRequest, contact: Contact, outcome: str, *, action: str, target: str
) -> None:
    """The prospect's outcome, dated now, said with an undo posting to `action`; or why not (not a
    prospect, or decided meanwhile in another tab)."""
    try:
        contact.decide_prospect(outcome, now=timezone.now())
    except ValueError:
        messages.error(request, _("Only a prospect can become a customer or a “not now”."))
        return
    text = _("%(name)s: %(outcome)s.") % {
        "name": contact.name,
        "outcome": contact.get_prospect_status_display(),
    }
    decided_at = contact.prospect_outcome_at.isoformat() if contact.prospect_outcome_at else None
    token = undo.sign(
        request.user.pk, UNDO_DECISION, pk=contact.pk, outcome=contact.prospect_status, at=decided_at
    )
    undo.offer(request, text, action=action, target=target, token=token)


def take_back_decision(request: AuthenticatedHttpRequest, contact: Contact) -> bool:
    """Undo a prospect's outcome from the posted token; whether it was undone (a message says)."""
    try:
        values = undo.posted(request, UNDO_DECISION, contact.pk)
        decided_at = datetime.fromisoformat(values["at"])
        contact.take_back_decision(values["outcome"], decided_at=decided_at, now=timezone.now())
    except undo.UndoRefused as refused:
        messages.error(request, undo.refusal(refused))
        return False
    except (ValueError, TypeError):  # decided again or otherwise meanwhile
        messages.error(request, _("%(name)s has changed since; nothing was undone.") % {"name": contact.name})
        return False
    messages.success(request, _("Undone: %(name)s is a prospect again.") % {"name": contact.name})
    return True


@owner_object(Contact, methods=WRITE)
def contact_decide_undo(request: AuthenticatedHttpRequest, contact: Contact) -> HttpResponse:
    """The contact page again, with its outcome taken back (or the reason it was not)."""
    take_back_decision(request, contact)
    if request.htmx:
        return HttpResponseClientRedirect(contact.get_absolute_url())
    return redirect(contact)
