"""The digest's pages: its preview in the settings, and the signed one-click unsubscribe."""

from __future__ import annotations

from collections.abc import Collection
from typing import cast

from django.conf import settings
from django.contrib.auth.decorators import login_not_required, login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csp import get_nonce
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from netzwerk.accounts.models import User
from netzwerk.http import AuthenticatedHttpRequest
from reminders import digest

# The preview's e-mail sits in an `<iframe srcdoc>`, which inherits the page's policy: its one
# style element applies by this request's nonce, never by 'unsafe-inline'.
PREVIEW_CSP: dict[str, Collection[str] | str] = {
    **cast("dict[str, Collection[str] | str]", settings.SECURE_CSP),
    "style-src": [CSP.SELF, CSP.NONCE],
}


@login_required
@require_GET
@csp_override(PREVIEW_CSP)
def preview(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Today's digest as it would be sent now: the e-mail framed in a page, or `?format=text`
    for the plain-text part."""
    if request.GET.get("format") == "text":
        subject, text, _html = digest.preview(request.user, now=timezone.now())
        return HttpResponse(f"{subject}\n\n{text}", content_type="text/plain; charset=utf-8")
    nonce = get_nonce(request)
    subject, _text, html = digest.preview(
        request.user, now=timezone.now(), style_nonce=str(nonce) if nonce is not None else ""
    )
    return render(request, "reminders/digest_preview.html", {"subject": subject, "html": html})


@login_not_required
@csrf_exempt  # RFC 8058: mail clients POST without a CSRF token; the signed token is the proof.
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks to confirm (link scanners must not unsubscribe anyone); POST unsubscribes."""
    user = digest.unsubscribed_user(token)
    if user is None:
        raise Http404
    done = request.method == "POST"
    if done and user.digest_frequency != User.DigestFrequency.OFF:
        user.digest_frequency = User.DigestFrequency.OFF
        user.save(update_fields=["digest_frequency"])
    with translation.override(user.language):
        return render(request, "reminders/unsubscribe.html", {"done": done, "token": token})
