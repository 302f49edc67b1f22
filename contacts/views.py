from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from contacts import evidence, export, roster, rules, sorting, way_forward
from contacts.choices import Circle, Sorting
from contacts.forms import NOT_MET_ERROR, ContactEditor, ContactFilterForm, OrganisationForm, SortForm
from contacts.models import (
    Contact,
    ContactPhone,
    ContactQuerySet,
    Organisation,
    OrganisationQuerySet,
    StageChange,
)
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

CONTACTS_PER_PAGE = 25
ROSTER_CHANGED = "roster-changed"


def _contacts(request: AuthenticatedHttpRequest) -> ContactQuerySet:
    return Contact.objects.for_owner(request.user)


@login_required
@require_GET
@vary_on_headers("HX-Request")
def contact_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _list(request, request.GET)


def _list(request: AuthenticatedHttpRequest, params: QueryDict) -> HttpResponse:
    """The list for the filter in `params`: the page, or its results alone for htmx."""
    filters = ContactFilterForm(params, owner=request.user)
    now = timezone.now()
    page = Paginator(filters.apply(_contacts(request), now=now), CONTACTS_PER_PAGE).get_page(
        params.get("page")
    )
    rows = list(page.object_list)  # evaluated once; the template reads the same instances
    prefetch_related_objects(rows, "tags")
    for contact in rows:
        contact.state = rules.evaluate(contact, owner=request.user, now=now)  # type: ignore[attr-defined]
    context = {
        "filters": filters,
        "page": page,
        "roster": roster.roster_for(request.user),
        "query_string": _without_page(params),
        "sort_form": SortForm(owner=request.user),
    }
    return render_page(request, "contacts/contact_list.html", "contact-results", context)


def _without_page(params: QueryDict) -> str:
    params = params.copy()
    params.pop("page", None)
    return params.urlencode()


@login_required
@require_POST
def contact_sort(request: AuthenticatedHttpRequest) -> HttpResponse:
    """R1, R10: sort the ticked contacts, or all the filter finds; then the list as it stands."""
    form = SortForm(request.POST, owner=request.user)
    if form.is_valid():
        now = timezone.now()
        selected = form.selected(_contacts(request), now=now)
        left = sorting.strong_ties_among(request.user, selected)
        count = sorting.sort_contacts(request.user, selected, form.cleaned_data["choice"], now=now)
        _tell_sorted(request, count=count, left=left, choice=form.cleaned_data["choice"])
    else:
        messages.error(request, " ".join(str(error) for errors in form.errors.values() for error in errors))
    if is_htmx_fragment(request):
        return _list(request, form.filter_params)
    query = form.filter_params.urlencode()
    return redirect(f"{reverse('contacts:list')}?{query}" if query else reverse("contacts:list"))


def _tell_sorted(request: AuthenticatedHttpRequest, *, count: int, left: int, choice: str) -> None:
    if choice == Sorting.ARCHIVE:  # what happened to them, not a sorting's name
        sorted_ = ngettext("%(count)d contact archived.", "%(count)d contacts archived.", count) % {
            "count": count
        }
    else:
        sorted_ = ngettext(
            "%(count)d contact sorted as “%(choice)s”.", "%(count)d contacts sorted as “%(choice)s”.", count
        ) % {"count": count, "choice": Sorting(choice).label}
    if left:
        sorted_ += " " + ngettext(
            "%(count)d strong tie left as it is.", "%(count)d strong ties left as they are.", left
        ) % {"count": left}
    (messages.success if count else messages.warning)(request, sorted_)


@login_required
@require_GET
def contact_export_csv(request: AuthenticatedHttpRequest) -> StreamingHttpResponse:
    """The list as a spreadsheet: its filter, every page, by name (contacts.export)."""
    filters = ContactFilterForm(request.GET, owner=request.user)
    contacts = filters.matching(_contacts(request), now=timezone.now()).by_name()
    rows = contacts.prefetch_related("emails", "phones", "tags").iterator(chunk_size=500)
    response = StreamingHttpResponse(
        export.csv_lines(rows, language=translation.get_language()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="netzwerk-{timezone.localdate():%Y-%m-%d}.csv"'
    return response


@login_required
@require_GET
def contact_roster(request: AuthenticatedHttpRequest) -> HttpResponse:
    strong_ties = roster.swap_candidates(request.user, now=timezone.now(), limit=None)
    context = {"strong_ties": strong_ties, "roster": roster.roster_for(request.user)}
    return render(request, "contacts/contact_roster.html", context)


@owner_object(Contact, methods=READ)
def contact_detail(request: AuthenticatedHttpRequest, contact: Contact) -> HttpResponse:
    return render(request, "contacts/contact_detail.html", detail_context(request, contact))


@owner_object(Contact, methods=READ)
def contact_status(request: AuthenticatedHttpRequest, contact: Contact) -> HttpResponse:
    """The rules panel: the contact page reloads it by htmx when a promise is kept or the circle
    changes (without htmx, the whole page)."""
    context = status_context if is_htmx_fragment(request) else detail_context
    return render_page(request, "contacts/contact_detail.html", "contact-status", context(request, contact))


def detail_context(request: AuthenticatedHttpRequest, contact: Contact) -> dict[str, Any]:
    """The contact page's context."""
    contact = (
        _contacts(request)
        .select_related("met_at", "introduced_by")
        .prefetch_related("emails", "phones", "tags", "organisations", "introduced", *STATUS_RELATIONS)
        .get(pk=contact.pk)
    )
    return {**_status(request, contact), "roster": roster.roster_for(request.user)}


# What the rules panel (`contact-status`) lists besides the contact's own fields.
STATUS_RELATIONS = ("stage_changes", "merges")


def status_context(request: AuthenticatedHttpRequest, contact: Contact) -> dict[str, Any]:
    """What the rules panel and the stage show, read afresh: the touch panel brings them along
    after a log (touchpoints.views), without the rest of the page's relations."""
    contact = _contacts(request).prefetch_related(*STATUS_RELATIONS).get(pk=contact.pk)
    return _status(request, contact)


def _status(request: AuthenticatedHttpRequest, contact: Contact) -> dict[str, Any]:
    return {"contact": contact, "state": rules.evaluate(contact, owner=request.user, now=timezone.now())}


@login_required
@require_http_methods(["GET", "POST"])
def contact_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _edit(request, Contact(owner=request.user))


@owner_object(Contact, methods=READ_WRITE)
def contact_edit(request: AuthenticatedHttpRequest, contact: Contact) -> HttpResponse:
    return _edit(request, contact)


def _edit(request: AuthenticatedHttpRequest, contact: Contact) -> HttpResponse:
    editor = ContactEditor(request.POST or None, instance=contact, owner=request.user)
    context: dict[str, Any] = {"editor": editor, "contact": contact}
    if request.method == "POST" and editor.is_valid():
        try:
            saved = editor.save(now=timezone.now())
        except roster.RosterFull as full:
            editor.form.add_error("circle", _("Your strong-tie roster is full. Demote someone first."))
            context["full"] = full
            context["candidates"] = roster.swap_candidates(request.user, now=timezone.now())
        except roster.NotMetYet:
            editor.form.add_error("circle", NOT_MET_ERROR)
        else:
            messages.success(request, _("%(name)s was saved.") % {"name": saved.name})
            _warn_of_twins(request, saved)
            if request.htmx:
                return HttpResponseClientRedirect(saved.get_absolute_url())
            return redirect(saved)
    return render_page(request, "contacts/contact_form.html", "contact-form", context)


# The contacts a warning on save names; the duplicates page lists them all.
TWINS_NAMED = 3


def _warn_of_twins(request: AuthenticatedHttpRequest, contact: Contact) -> None:
    """A certain duplicate (the same e-mail, phone or profile as another contact) is named on
    save, with links to it and to the duplicates page (imports' page, by its URL name)."""
    twins = evidence.twins_of(contact)
    if not twins:
        return
    others = list(dict.fromkeys(twin.contact for twin in twins))
    shared = dict.fromkeys(
        ContactPhone(number=twin.key).display if twin.kind == evidence.PHONE else twin.key for twin in twins
    )
    named = format_html_join(
        ", ", '<a href="{}">{}</a>', ((c.get_absolute_url(), c.name) for c in others[:TWINS_NAMED])
    )
    sentence = ngettext(
        "Possibly the same person: {others} shares an e-mail address, phone number or profile with {name}: "
        "{shared}.",
        "Possibly the same people: {others} share an e-mail address, phone number or profile with {name}: "
        "{shared}.",
        len(others),
    )
    link = format_html(
        '<a href="{}">{}</a>', reverse("imports:duplicates"), _("Check the possible duplicates")
    )
    text = format_html(sentence, others=named, name=contact.name, shared=", ".join(shared))
    messages.warning(request, format_html("{} {}", text, link))


@owner_object(Contact, methods=READ_WRITE)
def contact_delete(request: AuthenticatedHttpRequest, contact: Contact) -> HttpResponse:
    if request.method == "POST":
        contact.delete()
        messages.success(request, _("%(name)s was deleted.") % {"name": contact.name})
        return redirect("contacts:list")
    return render(request, "contacts/contact_confirm_delete.html", {"contact": contact})


@owner_object(Contact, methods=WRITE)
def contact_archive(request: AuthenticatedHttpRequest, contact: Contact) -> HttpResponse:
    """Archive, with an undo for a while: a strong tie leaves the roster on the way out, and
    taking the archiving back brings it back (if the roster has room)."""
    circle, stage = contact.circle, contact.stage
    change = contact.archive(now=timezone.now())
    back = _safe_next(request) or contact.get_absolute_url()
    token = undo.sign(
        request.user.pk,
        UNDO_ARCHIVE,
        pk=contact.pk,
        version=_archived_version(contact),
        circle=circle,
        stage=stage,
        change=change.pk if change else None,
    )
    action = reverse("contacts:archive_undo", args=[contact.pk])
    text = _("%(name)s was archived.") % {"name": contact.name}
    # the answer reloads the page whole (HX-Redirect): any target will do, but one there must be
    undo.offer(request, text, action=action, target="body", token=token, next_url=back)
    return redirect(back)


UNDO_ARCHIVE = "archive"


def _archived_version(contact: Contact) -> str:
    return contact.archived_at.isoformat() if contact.archived_at else ""


@owner_object(Contact, methods=WRITE)
def contact_archive_undo(request: AuthenticatedHttpRequest, contact: Contact) -> HttpResponse:
    """Take an archiving back: active again, and a strong tie back among the strong ties, with
    its stage and history as before; with the roster full since, it stays in the regular circle
    and the message says so."""
    try:
        values = undo.posted(request, UNDO_ARCHIVE, contact.pk, version=_archived_version(contact))
    except undo.UndoRefused as refused:
        messages.error(request, undo.refusal(refused))
    else:
        contact.unarchive()
        text = _("Undone: %(name)s is active again.")
        if values["circle"] == Circle.STRONG:
            try:
                roster.undo_move(
                    contact,
                    circle=values["circle"],
                    stage=values["stage"],
                    moved_to=Circle.REGULAR,
                    change_id=values["change"],
                )
            except roster.RosterFull:
                text = _("Undone: %(name)s is active again, in the regular circle: the strong ties are full.")
            except (roster.MovedSince, roster.NotMetYet):  # its circle edited while archived
                text = _("Undone: %(name)s is active again; changed since, it stays in its circle.")
            else:
                text = _("Undone: %(name)s is active again and a strong tie.")
        messages.success(request, text % {"name": contact.name})
    return reload_page(request, _safe_next(request) or contact.get_absolute_url())


@owner_object(Contact, methods=WRITE)
def contact_unarchive(request: AuthenticatedHttpRequest, contact: Contact) -> HttpResponse:
    contact.unarchive()
    messages.success(request, _("%(name)s is active again.") % {"name": contact.name})
    return redirect(contact)


@owner_object(Contact, methods=WRITE)
def contact_promote(request: AuthenticatedHttpRequest, contact: Contact) -> HttpResponse:
    before = contact.circle, contact.stage
    try:
        change = roster.promote(contact, now=timezone.now())
    except roster.RosterFull as full:
        return _roster_response(request, contact, full=full)
    except roster.CannotPromoteArchived:
        messages.error(request, _("Archived contacts cannot be strong ties."))
    except roster.NotMetYet:
        messages.error(request, way_forward.not_met(contact))
    else:
        if before[0] != contact.circle:
            text = _("%(name)s is now a strong tie.") % {"name": contact.name}
            _offer_roster_undo(request, contact, before, change, text)
    return _roster_response(request, contact)


UNDO_MOVE = "roster-move"


def _offer_roster_undo(
    request: AuthenticatedHttpRequest,
    contact: Contact,
    before: tuple[str, str],
    change: StageChange | None,
    text: str,
) -> None:
    """The message, with an undo that puts the contact's circle, stage and history back."""
    circle, stage = before
    values = {"circle": circle, "stage": stage, "moved_to": contact.circle}
    token = undo.sign(
        request.user.pk, UNDO_MOVE, pk=contact.pk, change=change.pk if change else None, **values
    )
    action = reverse("contacts:roster_undo", args=[contact.pk])
    next_url = _safe_next(request) or ""
    undo.offer(
        request, text, action=action, target=f"#roster-control-{contact.pk}", token=token, next_url=next_url
    )


@owner_object(Contact, methods=WRITE)
def contact_roster_undo(request: AuthenticatedHttpRequest, contact: Contact) -> HttpResponse:
    """Undo a promotion or demotion for a while (`undo.UNDO_SECONDS`); taking back a demotion
    is a promotion, so the cap holds (a full roster answers as a promotion would)."""
    try:
        values = undo.posted(request, UNDO_MOVE, contact.pk)
        roster.undo_move(
            contact,
            circle=values["circle"],
            stage=values["stage"],
            moved_to=values["moved_to"],
            change_id=values["change"],
        )
    except undo.UndoRefused as refused:
        messages.error(request, undo.refusal(refused))
    except roster.RosterFull as full:
        return _roster_response(request, contact, full=full)
    except (roster.MovedSince, roster.CannotPromoteArchived, roster.NotMetYet):
        messages.error(request, _("%(name)s has changed since; nothing was undone.") % {"name": contact.name})
    else:
        undone = (
            _("Undone: %(name)s is a strong tie again.")
            if contact.is_strong_tie
            else _("Undone: %(name)s is no longer a strong tie.")
        )
        messages.success(request, undone % {"name": contact.name})
    return _roster_response(request, contact)


@owner_object(Contact, methods=WRITE)
def contact_demote(request: AuthenticatedHttpRequest, contact: Contact) -> HttpResponse:
    before = contact.circle, contact.stage
    change = roster.demote(contact, now=timezone.now())
    if before[0] != contact.circle:
        text = _("%(name)s left the strong ties.") % {"name": contact.name}
        _offer_roster_undo(request, contact, before, change, text)
    return _roster_response(request, contact)


@owner_object(Contact, methods=WRITE)
def contact_swap(request: AuthenticatedHttpRequest, contact: Contact, out_pk: int) -> HttpResponse:
    leaving = get_object_or_404(_contacts(request).strong_ties(), pk=out_pk)
    try:
        roster.swap(promote_contact=contact, demote_contact=leaving, now=timezone.now())
    except roster.RosterFull as full:
        return _roster_response(request, contact, full=full)
    except roster.CannotPromoteArchived:
        messages.error(request, _("Archived contacts cannot be strong ties."))
        return _roster_response(request, contact)
    except roster.NotMetYet:
        messages.error(request, way_forward.not_met(contact))
        return _roster_response(request, contact)
    messages.success(
        request,
        _("%(new)s is now a strong tie; %(old)s moved to the regular circle.")
        % {"new": contact.name, "old": leaving.name},
    )
    return _roster_response(request, contact, demoted=leaving)


def _roster_response(
    request: AuthenticatedHttpRequest,
    contact: Contact,
    *,
    full: roster.RosterFull | None = None,
    demoted: Contact | None = None,
) -> HttpResponse:
    """htmx: the contact's roster control plus the gauge (out of band). Otherwise a page."""
    # On the promoted contact's own page there is no control of the demoted one to update.
    on_own_page = (
        urlsplit(request.htmx.current_url or "").path == contact.get_absolute_url() if request.htmx else False
    )
    context = {
        "contact": contact,
        "roster": roster.roster_for(request.user),
        "full": full,
        "candidates": roster.swap_candidates(request.user, now=timezone.now()) if full else [],
        "demoted": None if on_own_page else demoted,
        "on_own_page": on_own_page,  # its facts say the new circle and stage at once
    }
    if request.htmx:
        response = render(request, "contacts/roster_response.html", context)
        # A new circle means a new cadence: the contact's rules panel reloads itself.
        return response if full is not None else trigger_client_event(response, ROSTER_CHANGED)
    if full is not None:
        return render(request, "contacts/roster_full.html", context, status=409)
    return redirect(_safe_next(request) or contact.get_absolute_url())


def _safe_next(request: AuthenticatedHttpRequest) -> str | None:
    target = request.POST.get("next", "")
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and allowed else None


def _organisations(request: AuthenticatedHttpRequest) -> OrganisationQuerySet:
    return Organisation.objects.for_owner(request.user)


@login_required
@require_GET
def organisation_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisations = _organisations(request).annotate_counts()
    return render(request, "contacts/organisation_list.html", {"organisations": organisations})


@owner_object(Organisation, methods=READ)
def organisation_detail(request: AuthenticatedHttpRequest, organisation: Organisation) -> HttpResponse:
    context = {
        "organisation": organisation,
        "met_here": organisation.contacts_met.order_by("last_name", "first_name"),
        "members": organisation.members.order_by("last_name", "first_name"),
    }
    return render(request, "contacts/organisation_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _edit_organisation(request, Organisation(owner=request.user))


@owner_object(Organisation, methods=READ_WRITE)
def organisation_edit(request: AuthenticatedHttpRequest, organisation: Organisation) -> HttpResponse:
    return _edit_organisation(request, organisation)


def _edit_organisation(request: AuthenticatedHttpRequest, organisation: Organisation) -> HttpResponse:
    form = OrganisationForm(request.POST or None, instance=organisation, owner=request.user)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(request, _("%(name)s was saved.") % {"name": saved.name})
        return redirect(saved)
    return render(request, "contacts/organisation_form.html", {"form": form, "organisation": organisation})


@owner_object(Organisation, methods=READ_WRITE)
def organisation_delete(request: AuthenticatedHttpRequest, organisation: Organisation) -> HttpResponse:
    if request.method == "POST":
        organisation.delete()
        messages.success(request, _("%(name)s was deleted.") % {"name": organisation.name})
        return redirect("contacts:organisation_list")
    return render(request, "contacts/organisation_confirm_delete.html", {"organisation": organisation})
