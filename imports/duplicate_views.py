"""The duplicates page: the owner's candidate pairs with their evidence (imports.duplicates),
"Not the same person" for each, and the way to merging them."""

from __future__ import annotations

from collections.abc import Callable, Collection
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from django_stubs_ext import StrOrPromise

from contacts import evidence
from contacts.models import Contact, ContactPhone, DistinctPair
from imports import duplicates
from netzwerk.http import WRITE, AuthenticatedHttpRequest, is_htmx_fragment

PAGE = "imports/duplicate_list.html"

EVIDENCE: dict[str, StrOrPromise] = {
    evidence.EMAIL: gettext_lazy("Same e-mail address"),
    evidence.PHONE: gettext_lazy("Same phone number"),
    "linkedin": gettext_lazy("Same LinkedIn profile"),
    "xing": gettext_lazy("Same XING profile"),
    "facebook": gettext_lazy("Same Facebook profile"),
    "x": gettext_lazy("Same X profile"),
    "instagram": gettext_lazy("Same Instagram profile"),
    duplicates.COMPANY: gettext_lazy("Same name and company"),
    duplicates.ORGANISATION: gettext_lazy("Same name and organisation"),
    duplicates.NAME: gettext_lazy("Same name, no company to tell them apart"),
}


def evidence_text(found: duplicates.Evidence) -> str:
    value = ContactPhone(number=found.value).display if found.kind == evidence.PHONE else found.value
    return f"{EVIDENCE[found.kind]}: {value}"


type PairView = Callable[[AuthenticatedHttpRequest, Contact, Contact], HttpResponse]


def owner_pair(*, methods: Collection[str]) -> Callable[[PairView], Callable[..., HttpResponse]]:
    """Look up both contacts among the user's own *before* checking the method, as
    netzwerk.http.owner_object does for one: a stranger's contact is a 404 whatever the method."""

    def decorator(view: PairView) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapper(request: AuthenticatedHttpRequest, first: int, second: int) -> HttpResponse:
            found = Contact.objects.for_owner(request.user).in_bulk([first, second])
            if first == second or len(found) != 2:
                raise Http404
            if request.method not in methods:
                return HttpResponseNotAllowed(sorted(methods))
            return view(request, found[first], found[second])

        return wrapper

    return decorator


@login_required
@require_GET
def duplicate_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = duplicates.pairs_page(request.user, number=request.GET.get("page"))
    pairs = [(pair, [evidence_text(found) for found in pair.evidence]) for pair in page.object_list]
    return render(request, PAGE, {"page": page, "pairs": pairs, "total": page.paginator.count})


@owner_pair(methods=WRITE)
def duplicate_dismiss(request: AuthenticatedHttpRequest, first: Contact, second: Contact) -> HttpResponse:
    """ "Not the same person": the pair is gone for good. htmx swaps the pair out and updates the count."""
    DistinctPair.keep_apart(first, second)
    messages.success(
        request, _("%(first)s and %(second)s are kept apart.") % {"first": first.name, "second": second.name}
    )
    if is_htmx_fragment(request):
        context: dict[str, Any] = {"total": len(duplicates.candidates(request.user)), "is_fragment": True}
        return render(request, f"{PAGE}#dismissed", context)
    page = request.POST.get("page", "")
    return redirect(reverse("imports:duplicates") + (f"?page={page}" if page.isdigit() else ""))
