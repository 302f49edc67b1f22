from __future__ import annotations

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from netzwerk.http import AuthenticatedHttpRequest
from privacy import erasure, export, retention
from privacy.forms import AccountDeletionForm


@login_required
@require_GET
def privacy_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "privacy/privacy_index.html", {"retention": retention.periods()})


@login_required
@require_GET
@never_cache
def privacy_export(request: AuthenticatedHttpRequest) -> FileResponse:
    filename = export.export_filename(request.user.local_date(timezone.now()))
    return FileResponse(
        export.write_export(request.user),
        as_attachment=True,
        filename=filename,
        content_type="application/zip",
    )


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
