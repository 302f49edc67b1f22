"""Security events in the log, by user id only: sign-ins, failures, second factors.

Never an e-mail address, a name or a credential (Django's `user_login_failed` carries the
submitted credentials: they are not read here). And the session that enrolls a second factor is
marked as having passed it (`factor_added`).
"""

from __future__ import annotations

import logging
from typing import Any

# allauth's writer of the session's authentication records; only the reader
# (allauth.account.authentication.get_authentication_records) is public in 65.x.
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from django.contrib.auth import signals as auth_signals
from django.dispatch import receiver

log = logging.getLogger("netzwerk.security")

# The factors that count as enrolled (recovery codes come with TOTP; alone they are no factor).
ENROLLED = {Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN}


@receiver(auth_signals.user_logged_in)
def signed_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    log.info("sign-in user=%s", user.pk)


@receiver(auth_signals.user_logged_out)
def signed_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    log.info("sign-out user=%s", getattr(user, "pk", None))


@receiver(auth_signals.user_login_failed)
def sign_in_failed(sender: Any, credentials: Any, request: Any = None, **kwargs: Any) -> None:
    log.warning("sign-in failed")


@receiver(mfa_signals.authenticator_added)
def factor_added(sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    """Enrolling TOTP or a security key proves it (a current code, the key's answer): allauth
    records no authentication for it, so the session that enrolled is marked as having passed
    the second factor here (RequireMFAMiddleware asks staff for one). allauth sends this signal
    within the request, once the enrolment is committed."""
    log.info("second factor added user=%s type=%s", user.pk, authenticator.type)
    if authenticator.type in ENROLLED and request is not None and request.user == user:
        record_authentication(
            request, user, "mfa", id=authenticator.pk, type=authenticator.type, enrolled=True
        )


@receiver(mfa_signals.authenticator_removed)
def factor_removed(sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    log.info("second factor removed user=%s type=%s", user.pk, authenticator.type)


@receiver(mfa_signals.authentication_failed)
def factor_failed(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    log.warning("second factor failed user=%s", user.pk)
