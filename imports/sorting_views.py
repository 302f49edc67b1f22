"""The sort page (imports.sorting): one waiting contact at a time, one POST per decision.

Without JavaScript every decision is a form POST and a redirect to the next contact; with htmx
the card is swapped in place. "Skip for now" is a link to the page after the current contact.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from contacts import roster, way_forward
from contacts.models import Contact
from imports import sorting
from netzwerk import undo
from netzwerk.http import WRITE, AuthenticatedHttpRequest, as_id, is_htmx_fragment, owner_object, render_page

PAGE = "imports/contact_sort.html"


@login_required
@require_GET
@vary_on_headers("HX-Request")
def contact_sort(request: AuthenticatedHttpRequest) -> HttpResponse:
    after = request.GET.get("after", "")
    card = sorting.next_card(request.user, after=as_id(after))
    return _card(request, card)


@owner_object(Contact, methods=WRITE)
def contact_sort_decide(request: AuthenticatedHttpRequest, contact: Contact) -> HttpResponse:
    """Sort the contact as the button pressed says, then the next one; when the roster is full,
    the same contact again with the roster's swap suggestions (it still waits)."""
    choice = request.POST.get("choice", "")
    if not contact.waits_to_be_sorted:
        messages.info(request, _("%(name)s was sorted already.") % {"name": contact.name})
    elif choice not in sorting.VALUES:
        messages.error(request, _("Choose what to sort %(name)s as.") % {"name": contact.name})
        return _card(request, sorting.card_of(request.user, contact.pk), status=400)
    else:
        try:
            _decide(request, contact, choice)
        except roster.RosterFull as full:
            return _card(request, sorting.card_of(request.user, contact.pk), full=full, status=409)
        except roster.CannotPromoteArchived:
            messages.error(request, _("Archived contacts cannot be strong ties."))
            return _card(request, sorting.card_of(request.user, contact.pk), status=409)
        except roster.NotMetYet:
            messages.error(request, way_forward.not_met(contact))
            return _card(request, sorting.card_of(request.user, contact.pk), status=409)
    if is_htmx_fragment(request):
        return _card(request, sorting.next_card(request.user, after=contact.pk))
    return redirect(f"{reverse('imports:sort')}?after={contact.pk}")


def _decide(request: AuthenticatedHttpRequest, contact: Contact, choice: str) -> None:
    out = request.POST.get("out", "")
    leaving = None
    if (out_id := as_id(out)) is not None:  # a swap from the roster's suggestions
        leaving = get_object_or_404(Contact.objects.for_owner(request.user).strong_ties(), pk=out_id)
    before, now = sorting.before_sorting(contact), timezone.now()
    sorting.decide(request.user, contact, choice, now=now, swap_out=leaving)
    if leaving is not None:
        told = _("%(new)s is now a strong tie; %(old)s moved to the regular circle.") % {
            "new": contact.name,
            "old": leaving.name,
        }
    elif choice == sorting.STRONG_TIE:
        told = _("%(name)s is now a strong tie.") % {"name": contact.name}
    else:
        told = _("%(name)s sorted as “%(choice)s”.") % {"name": contact.name, "choice": sorting.label(choice)}
        # an undo for a while, as for a touch or a promotion: a mistaken tap is one tap away;
        # the decision's moment is the contact's updated_at now (contacts.sorting): its version
        token = undo.sign(request.user.pk, UNDO_SORT, pk=contact.pk, version=now.isoformat(), before=before)
        action = reverse("imports:sort_undo", args=[contact.pk])
        undo.offer(request, told, action=action, target="#sort-card", token=token)
        return
    messages.success(request, told)


UNDO_SORT = "sort"


def _version(contact: Contact) -> str:
    return contact.updated_at.isoformat()


@owner_object(Contact, methods=WRITE)
def contact_sort_undo(request: AuthenticatedHttpRequest, contact: Contact) -> HttpResponse:
    """Take a decision back: the contact waits to be sorted again, and its card comes back; a
    contact changed since (a touch, an edit) keeps the change (undo.UndoStale)."""
    try:
        values = undo.posted(request, UNDO_SORT, contact.pk, version=_version(contact))
        decided_at = contact.updated_at
        if not sorting.take_back(
            request.user, contact, values["before"], decided_at=decided_at, now=timezone.now()
        ):
            raise undo.UndoStale  # changed between the check and the write
    except undo.UndoRefused as refused:
        messages.error(request, undo.refusal(refused))
    else:
        messages.success(request, _("Undone: %(name)s waits to be sorted again.") % {"name": contact.name})
    if is_htmx_fragment(request):  # its card again, or (refused) the first one waiting
        return _card(
            request, sorting.card_of(request.user, contact.pk) or sorting.next_card(request.user, after=None)
        )
    return redirect("imports:sort")


def _card(
    request: AuthenticatedHttpRequest,
    card: sorting.Card | None,
    *,
    full: roster.RosterFull | None = None,
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {"card": card, "choices": sorting.CHOICES, "full": full}
    if full is not None:
        context["candidates"] = roster.swap_candidates(request.user, now=timezone.now())
    response = render_page(request, PAGE, "sort-card", context)
    # htmx swaps only a 2xx answer: the card it asked for comes back with 200, the page with its code
    response.status_code = 200 if is_htmx_fragment(request) else status
    return response
