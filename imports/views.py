"""The import in the browser: upload, watch it read, map a CSV's columns, check the preview,
commit, and undo. One page per import whose content follows its status; the steps are the
pipeline's (imports.pipeline, imports.commit, imports.undo)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import phonenumbers
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect
from django_stubs_ext import StrOrPromise

from contacts.choices import Channel
from contacts.models import Contact, ContactPhone
from imports import commit, details, pipeline, tasks, undo
from imports.forms import (
    ColumnsForm,
    CommitForm,
    IncludeForm,
    PickForm,
    RowFilterForm,
    UploadForm,
    refusal,
)
from imports.models import Import, ImportRow, RowStatus
from imports.sources import reasons
from imports.sources.limits import MAX_ROWS, MAX_UPLOAD_BYTES
from netzwerk.http import READ, READ_WRITE, WRITE, AuthenticatedHttpRequest, is_htmx_fragment, owner_object

DETAIL = "imports/import_detail.html"
ROWS_PER_PAGE = 50
# the summary lists this many rows not read; the rows filtered by "not read" show them all
ERRORS_LISTED = 20


@login_required
@require_GET
def import_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    uploads = Import.objects.for_owner(request.user)
    return render(request, "imports/import_list.html", {"uploads": uploads})


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    posted = request.method == "POST"
    form = UploadForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        try:
            upload = pipeline.start(
                request.user, form.streams(), now=timezone.now(), enqueue=tasks.enqueue_read
            )
        except pipeline.UploadRefused as refused:  # the same check as the form's: a safety net
            form.add_error("uploads", refusal(refused))
        else:
            return redirect(upload)
    context = {"form": form, "max_mb": MAX_UPLOAD_BYTES // 1_000_000, "max_rows": MAX_ROWS}
    return render(request, "imports/import_upload.html", context)


@owner_object(Import, methods=READ)
@vary_on_headers("HX-Request")
def import_detail(request: AuthenticatedHttpRequest, upload: Import) -> HttpResponse:
    """The import's page; htmx asks for the preview's rows alone (filter, pages)."""
    if is_htmx_fragment(request):
        if upload.status != Import.Status.PREVIEW:
            return HttpResponseClientRedirect(upload.get_absolute_url())
        return render(request, f"{DETAIL}#rows", _preview(request, upload))
    return render(request, DETAIL, _context(request, upload))


@owner_object(Import, methods=READ)
@vary_on_headers("HX-Request")
def import_progress(request: AuthenticatedHttpRequest, upload: Import) -> HttpResponse:
    """Polled by the page while the files are read; once they are, the page is loaded again."""
    if not is_htmx_fragment(request):
        return render(request, DETAIL, _context(request, upload))
    if upload.status != Import.Status.READING:
        return HttpResponseClientRedirect(upload.get_absolute_url())
    return render(request, f"{DETAIL}#progress", _reading(upload))


@owner_object(Import, methods=WRITE)
def import_columns(request: AuthenticatedHttpRequest, upload: Import) -> HttpResponse:
    if upload.status != Import.Status.MAPPING:
        return redirect(upload)
    form = _columns_form(upload, request.POST)
    if not form.is_valid():
        return render(request, DETAIL, {"upload": upload, "columns": form})
    pipeline.choose_columns(upload, form.chosen(), now=timezone.now(), enqueue=tasks.enqueue_read)
    return redirect(upload)


@owner_object(Import, methods=WRITE)
def import_include(request: AuthenticatedHttpRequest, upload: Import) -> HttpResponse:
    """Leave a row out, or take it back in: the row and the counts change in place."""
    form = IncludeForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest()
    row = get_object_or_404(upload.rows.exclude(status=RowStatus.ERROR), pk=form.cleaned_data["row"])
    pipeline.include(upload, [row.pk], included=form.cleaned_data["included"])
    if not is_htmx_fragment(request):
        return redirect(_back(request, upload, row))
    row.refresh_from_db()
    context = {**_summary(upload), "row": present_rows([row])[0]}
    return render(request, f"{DETAIL}#row-changed", context)


@owner_object(Import, methods=WRITE)
def import_pick(request: AuthenticatedHttpRequest, upload: Import) -> HttpResponse:
    """One conflict settled: the contact's value or the file's."""
    form = PickForm(request.POST)
    if not form.is_valid() or upload.status != Import.Status.PREVIEW:
        return HttpResponseBadRequest()
    row = get_object_or_404(upload.rows.filter(status=RowStatus.MATCH), pk=form.cleaned_data["row"])
    try:
        pipeline.pick(row, form.cleaned_data["field"], form.cleaned_data["choice"])
    except ValueError:
        return HttpResponseBadRequest()
    if not is_htmx_fragment(request):
        return redirect(_back(request, upload, row))
    shown = present_rows([row])[0]
    conflict = next(c for c in shown.conflicts if c.field == form.cleaned_data["field"])
    return render(request, f"{DETAIL}#conflict", {"upload": upload, "row": shown, "conflict": conflict})


@owner_object(Import, methods=WRITE)
def import_commit(request: AuthenticatedHttpRequest, upload: Import) -> HttpResponse:
    form = CommitForm(request.POST, upload=upload)
    if upload.status == Import.Status.PREVIEW and not form.is_valid():
        # said at the top too: on a phone the question is a long scroll below
        messages.error(request, _("Nothing was imported yet: answer the question above the import button."))
        return render(request, DETAIL, {**_preview(request, upload), "commit_form": form})
    if form.is_valid() and form.cleaned_data.get("holder_confirmed") == "no":
        pipeline.drop_messages(upload)
    elif form.is_valid() and "keep_message_text" in form.cleaned_data:
        upload.keep_message_text = form.cleaned_data["keep_message_text"]
        upload.save(update_fields=["keep_message_text"])
    try:
        commit.commit(upload.pk, now=timezone.now())
    except commit.NotCommittable:
        messages.error(request, _("This import is not waiting to be imported any more."))
    return redirect(upload)


@owner_object(Import, methods=READ_WRITE)
def import_abandon(request: AuthenticatedHttpRequest, upload: Import) -> HttpResponse:
    """GET asks; POST drops the import and deletes its files."""
    droppable = upload.is_open or upload.status == Import.Status.FAILED
    if request.method == "POST" and droppable:
        pipeline.abandon(upload.pk)
        messages.success(request, _("The import was dropped and its files deleted. Nothing was imported."))
        return redirect("imports:list")
    if request.method == "POST":
        return redirect(upload)
    return render(request, "imports/import_confirm_abandon.html", {"upload": upload, "droppable": droppable})


# The contacts an undo would delete, named on its confirmation page (the rest counted).
NAMED_ON_UNDO = 20


@owner_object(Import, methods=READ_WRITE)
def import_undo(request: AuthenticatedHttpRequest, upload: Import) -> HttpResponse:
    """GET says what undo would keep and asks; POST undoes."""
    undoable = upload.status == Import.Status.COMMITTED
    if request.method == "POST" and undoable:
        try:
            undo.undo(upload.pk, now=timezone.now())
        except undo.NotUndoable:
            messages.error(request, _("This import has been undone already."))
        return redirect(upload)
    if request.method == "POST":
        return redirect(upload)
    kept = undo.kept_on_undo(upload) if undoable else []
    doomed = undo.deleted_on_undo(upload, kept=kept) if undoable else Contact.objects.none()
    context = {
        "upload": upload,
        "undoable": undoable,
        "kept": kept,
        "deleted": doomed.count(),
        "changed": undo.changed_on_undo(upload) if undoable else 0,
        "named": doomed[:NAMED_ON_UNDO],
    }
    return render(request, "imports/import_confirm_undo.html", context)


# ------------------------------------------------------------------------- the page's states


def _context(request: AuthenticatedHttpRequest, upload: Import) -> dict[str, Any]:
    status = upload.status
    if status == Import.Status.READING:
        return _reading(upload)
    if status == Import.Status.MAPPING:
        return {"upload": upload, "columns": _columns_form(upload, None)}
    if status == Import.Status.PREVIEW:
        return _preview(request, upload)
    if status == Import.Status.FAILED:
        return {"upload": upload, "failure": upload.failure or {}, "reason": reason_text(upload.failure)}
    return _done(request, upload)


def _reading(upload: Import) -> dict[str, Any]:
    read = upload.rows_read
    return {"upload": upload, "rows_read": read, "rows_expected": max(upload.rows_expected, read)}


def _columns_form(upload: Import, data: Any) -> ColumnsForm:
    """The waiting files' columns, preset from what the reader suggests (a header whose columns
    were chosen before never waits: imports.reading reads it with them)."""
    waiting = list(upload.files.filter(headers__isnull=False, mapping__isnull=True))
    suggested = upload.report.get("suggested", {})
    preset = {f.pk: suggested.get(f.name, []) for f in waiting}
    return ColumnsForm(data, waiting=waiting, preset=preset)


def _summary(upload: Import) -> dict[str, Any]:
    """The counts, and the first rows not read (all of them are among the rows, filtered)."""
    counts = pipeline.report(upload, errors_shown=ERRORS_LISTED)
    return {
        "upload": upload,
        "counts": counts,
        "to_import": counts.new + counts.matched,
        "errors": [{**error, "text": reason_text(error)} for error in counts.errors],
        "errors_total": upload.rows.filter(status=RowStatus.ERROR).count() + bool(upload.failure),
    }


def _preview(request: AuthenticatedHttpRequest, upload: Import) -> dict[str, Any]:
    filters = RowFilterForm(request.GET)
    rows = ImportRow.objects.filter(upload=upload).select_related("contact", "folded_into")
    page = Paginator(filters.apply(rows), ROWS_PER_PAGE).get_page(request.GET.get("page"))
    return {
        **_summary(upload),
        "filters": filters,
        "shown": filters.shown(),
        "page": page,
        "rows": present_rows(list(page.object_list)),
        "commit_form": CommitForm(upload=upload),
    }


def _done(request: AuthenticatedHttpRequest, upload: Import) -> dict[str, Any]:
    """Committed, undone or dropped: what was done, and what was not read."""
    undone = upload.report.get("undo") or {}
    kept = Contact.objects.for_owner(request.user).filter(pk__in=undone.get("kept", []))
    return {
        **_summary(upload),
        "undone": undone,
        "kept": kept,
        "unsorted_url": f"{reverse('contacts:list')}?sorting=unsorted",
    }


def _back(request: AuthenticatedHttpRequest, upload: Import, row: ImportRow) -> str:
    """Where a form without JavaScript returns: the page it was sent from, at the row."""
    target = request.POST.get("next", "")
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    if not (target and allowed and target.startswith(upload.get_absolute_url())):
        target = upload.get_absolute_url()
    return f"{target}#row-{row.pk}"


# ------------------------------------------------------------------------- rows as shown

FIELD_NAMES: dict[str, StrOrPromise] = {
    "first_name": gettext_lazy("First name"),
    "last_name": gettext_lazy("Last name"),
    "company": gettext_lazy("Company"),
    "position": gettext_lazy("Position"),
    "birthday": gettext_lazy("Birthday"),
    "how_met": gettext_lazy("How you met"),
    "notes": gettext_lazy("Notes"),
    "emails": gettext_lazy("E-mail"),
    "phones": gettext_lazy("Phone"),
    "invalid_phones": gettext_lazy("Phone numbers kept as text in the notes"),
    "details": gettext_lazy("Kept in the notes"),
    "labels": gettext_lazy("Tags"),
    "connected_on": gettext_lazy("Connected on"),
    "profile:linkedin": "LinkedIn",
    "profile:xing": "XING",
    "profile:facebook": "Facebook",
    "profile:x": "X",
    "profile:instagram": "Instagram",
    "profile:website": gettext_lazy("Website"),
}
EVIDENCE: dict[str, StrOrPromise] = {
    "email": gettext_lazy("same e-mail"),
    "phone": gettext_lazy("same phone number"),
    "profile": gettext_lazy("same profile"),
    "name": gettext_lazy("same name"),
}


@dataclass
class Addition:
    label: StrOrPromise
    value: str


@dataclass
class Conflict:
    field: str
    label: StrOrPromise
    current: str
    imported: str
    choice: str


@dataclass
class ShownRow:
    """A row of the preview with its values written for people."""

    row: ImportRow
    pk: int
    birthday: str
    phones: list[str]
    evidence: StrOrPromise
    adds: list[Addition] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    reason: StrOrPromise = ""


def present_rows(rows: list[ImportRow]) -> list[ShownRow]:
    return [_present(row) for row in rows]


def _present(row: ImportRow) -> ShownRow:
    data = row.data
    return ShownRow(
        row=row,
        pk=row.pk,
        birthday=_shown("birthday", data.get("birthday")),
        phones=[_phone(number) for number in data.get("phones", [])],
        evidence=EVIDENCE.get(row.evidence, ""),
        adds=[Addition(FIELD_NAMES.get(k, k), _shown(k, v)) for k, v in row.adds.items()],
        conflicts=[
            Conflict(k, FIELD_NAMES.get(k, k), _shown(k, now), _shown(k, new), row.choices.get(k, "current"))
            for k, (now, new) in row.conflicts.items()
        ],
        reason=reason_text(data) if row.status == RowStatus.ERROR else "",
    )


def _shown(name: str, value: Any) -> str:
    """A field's value as the page shows it: birthdays as "3. Februar" without a year."""
    if not value:
        return ""
    if name == "birthday":
        day, month, year = value
        when = date(year or 2000, month, day)  # 2000: a leap year, for 29 February
        return date_format(when, "DATE_FORMAT" if year else "MONTH_DAY_FORMAT")
    if name == "connected_on":
        return date_format(date.fromisoformat(value), "DATE_FORMAT")
    if name == "phones":
        return ", ".join(_phone(number) for number in value)
    if name == "how_met":
        return str(Channel(value).label) if value in Channel.values else str(value)
    if name == "details":
        return "; ".join(details.lines(value))
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _phone(number: str) -> str:
    try:
        return ContactPhone(number=number).display
    except phonenumbers.NumberParseException:
        return number


def reason_text(found: dict[str, Any] | None) -> StrOrPromise:
    """Why a row or a file was not read: the reader's code in words, else its own text."""
    if not found:
        return ""
    return reasons.describe(found.get("code", ""), found.get("reason", ""))
