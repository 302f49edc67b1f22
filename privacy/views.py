from __future__ import annotations

from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from netzwerk.http import READ, AuthenticatedHttpRequest, owner_object, render_page
from privacy import erasure, jobs, retention, tasks
from privacy.forms import AccountDeletionForm
from privacy.models import ExportJob

INDEX = "privacy/privacy_index.html"


def _context(request: AuthenticatedHttpRequest, **extra: object) -> dict[str, object]:
    job = jobs.latest(request.user)
    downloadable = job is not None and job.is_downloadable(now=timezone.now())
    return {
        "job": job,
        "downloadable": downloadable,
        "limit": settings.EXPORTS_PER_DAY,
        "hours": settings.RETAIN_EXPORTS_HOURS,
        "retention": retention.periods(),
        **extra,
    }


@login_required
@require_GET
def privacy_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, INDEX, _context(request))


@login_required
@require_POST
def privacy_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Ask for an export; a worker prepares it. A second while one is open changes nothing."""
    try:
        jobs.start(request.user, now=timezone.now(), enqueue=tasks.enqueue_build)
    except jobs.ExportRefused as refused:
        if not refused.busy:  # the day's exports are used up: say until when
            return render(request, INDEX, _context(request, refused=refused), status=429)
        messages.info(request, _("Your data is already being prepared."))
    return redirect(reverse("privacy:index") + "#export")


@login_required
@require_GET
@vary_on_headers("HX-Request")
def privacy_export_status(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Polled by the page while the export is prepared; the card stops asking once it is done."""
    return render_page(request, INDEX, "export", _context(request))


@owner_object(ExportJob, methods=READ)
@never_cache
def privacy_export_download(request: AuthenticatedHttpRequest, job: ExportJob) -> HttpResponseBase:
    """The prepared ZIP, to its owner alone, while it is kept: 410 once expired, 404 before ready."""
    if job.state != ExportJob.State.READY:
        return render(request, INDEX, _context(request), status=404)
    if not job.is_downloadable(now=timezone.now()):
        return render(request, INDEX, _context(request, expired=True), status=410)
    response = StreamingHttpResponse(jobs.chunks(job), content_type="application/zip")
    response["Content-Length"] = str(job.size)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=job.filename)
    return response


@login_required
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("email")
# A POST first asks for the password again (or another way to sign in); allauth keeps the POST
# in the session meanwhile and replays it here once the user has re-authenticated.
@reauthentication_required(allow_get=True)  # type: ignore[untyped-decorator]  # allauth ships no types
def account_delete(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = AccountDeletionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        erasure.erase_account(request.user)
        logout(request)
        messages.success(request, _("Your account and all its data were deleted."))
        return redirect("account_login")
    context = {"form": form, "holdings": erasure.holdings(request.user)}
    return render(request, "privacy/account_confirm_delete.html", context)
