from __future__ import annotations

import base64
import logging
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.http import HttpRequest
from django.utils import translation

log = logging.getLogger(__name__)


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]  # allauth ships no types
    """New accounts start in the language the visitor signed up in."""

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        language = translation.get_language() or "de"
        user.language = "en" if language.startswith("en") else "de"
        return super().save_user(request, user, form, commit=commit)

    def get_reauthentication_methods(self, user: Any) -> list[dict[str, Any]]:
        """Staff and coaches with a second factor confirm with it, not with a password or an
        e-mailed code: RequireMFAMiddleware sends a password-only session to this step, and
        those would lead back to it. Before they enrol one, the password opens the set-up."""
        methods: list[dict[str, Any]] = super().get_reauthentication_methods(user)
        factors = [method for method in methods if method["id"].startswith("mfa_")]
        return factors if user.is_authenticated and user.is_staff and factors else methods


class MFAAdapter(DefaultMFAAdapter):  # type: ignore[misc]  # allauth ships no types
    """Second-factor secrets (the TOTP seed, the recovery-code seed) are stored encrypted.

    allauth stores them as given unless the adapter encrypts (reliability B5). Fernet keys are
    derived from SECRET_KEY and its fallbacks, so rotating the secret key with the old one kept
    as a fallback still reads the secrets written before.
    """

    def encrypt(self, text: str) -> str:
        return _fernet().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        try:
            return _fernet().decrypt(encrypted_text.encode()).decode()
        except InvalidToken:
            if is_token(encrypted_text):  # written with a key no longer configured
                raise
            # Written before secrets were encrypted (a base32 or hex secret is never a token).
            log.warning("an MFA secret is stored in plain text: run manage.py encrypt_mfa_secrets")
            return encrypted_text


def is_token(text: str) -> bool:
    """A Fernet token (version byte 0x80, base64url); TOTP (base32) and recovery (hex) seeds
    never start like this."""
    return text.startswith("gAAAAA")


def reencrypt(text: str) -> str:
    """`text` encrypted with the current secret key: a plain secret, or a token of a fallback key
    (then the fallback can go)."""
    return (
        _fernet().rotate(text.encode()).decode()
        if is_token(text)
        else _fernet().encrypt(text.encode()).decode()
    )


def _fernet() -> MultiFernet:
    keys = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return MultiFernet([Fernet(_derive(key)) for key in keys])


def _derive(secret_key: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"netzwerk: mfa secrets")
    return base64.urlsafe_b64encode(hkdf.derive(secret_key.encode()))
