"""Undo for a short while after a one-click change (a touch logged on Today or in the quick log,
a promotion or demotion on the roster).

The page gets a signed, timestamped token naming what the change did and how things stood
before. Signed for one user and one kind of change, it cannot be forged or replayed by another
account (and the views look the object up among the user's own: another's is a 404); after
UNDO_SECONDS it is refused. Nothing is stored: a token left unused simply expires.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core import signing
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from netzwerk.http import AuthenticatedHttpRequest

# How long the server takes an undo back; the page offers it for UNDO_SHOWN_SECONDS (static/js/undo.js).
UNDO_SECONDS = 120
UNDO_SHOWN_SECONDS = 10


class UndoRefused(Exception):
    """The token is not one this user was given for this kind of change."""


class UndoExpired(UndoRefused):
    """The token is genuine but older than UNDO_SECONDS."""


class UndoStale(UndoRefused):
    """The token is genuine but the object was changed since it was given (an edit)."""


def _salt(user_pk: int, what: str) -> str:
    return f"netzwerk.undo:{what}:{user_pk}"


def sign(user_pk: int, what: str, **values: Any) -> str:
    """A token for undoing a change of kind `what`; `values` must be JSON-serialisable."""
    return signing.dumps(values, salt=_salt(user_pk, what), compress=True)


def offer(
    request: HttpRequest, text: str, *, action: str, target: str, token: str, next_url: str = ""
) -> None:
    """Say what was done, with a button that undoes it (a form: it works without JavaScript).
    With htmx, the answer replaces `target`."""
    context = {
        "text": text,
        "action": action,
        "target": target,
        "token": token,
        "next": next_url,
        "seconds": UNDO_SHOWN_SECONDS,
    }
    messages.success(request, render_to_string("_undo.html", context, request=request))


def posted(
    request: AuthenticatedHttpRequest, what: str, pk: int, *, version: str | None = None
) -> dict[str, Any]:
    """The values of the token posted to undo a change of kind `what` to the object `pk`; with
    `version` (as signed when the change was made), refused once the object has changed since:
    an undo takes back what it offered, never a later edit."""
    values = read(request.user.pk, what, request.POST.get("token", ""))
    if values.get("pk") != pk:
        raise UndoRefused
    if version is not None and values.get("version") != version:
        raise UndoStale
    return values


def refusal(error: UndoRefused) -> str:
    """What to tell the user when an undo is refused."""
    if isinstance(error, UndoExpired):
        minutes = UNDO_SECONDS // 60
        return ngettext(
            "Too late to undo: that was more than %(minutes)d minute ago. Nothing was changed.",
            "Too late to undo: that was more than %(minutes)d minutes ago. Nothing was changed.",
            minutes,
        ) % {"minutes": minutes}
    if isinstance(error, UndoStale):
        return _("It was changed since, so nothing was undone.")
    return _("This cannot be undone. Reload the page and try again.")


def read(user_pk: int, what: str, token: str) -> dict[str, Any]:
    """The values signed into `token`; raises UndoExpired or UndoRefused."""
    try:
        values = signing.loads(token, salt=_salt(user_pk, what), max_age=UNDO_SECONDS)
    except signing.SignatureExpired as error:
        raise UndoExpired from error
    except signing.BadSignature as error:
        raise UndoRefused from error
    if not isinstance(values, dict):
        raise UndoRefused
    return values
