"""`manage.py encrypt_mfa_secrets`: every stored MFA secret encrypted with the current secret key.

Run it once after upgrading from a version that stored them in plain text, and after rotating
DJANGO_SECRET_KEY (with the old key still in DJANGO_SECRET_KEY_FALLBACKS; drop it afterwards).
"""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from django.core.management.base import BaseCommand
from django.db import transaction

from netzwerk.accounts.adapter import reencrypt

# The secret of each kind of authenticator (a security key's data holds no secret).
SECRET_FIELDS = {Authenticator.Type.TOTP: "secret", Authenticator.Type.RECOVERY_CODES: "seed"}


class Command(BaseCommand):
    help = "Encrypt every stored MFA secret with the current secret key (plain ones, and fallback keys')."

    def handle(self, *args: Any, **options: Any) -> None:
        changed = 0
        with transaction.atomic():
            for authenticator in Authenticator.objects.select_for_update().filter(
                type__in=list(SECRET_FIELDS)
            ):
                field = SECRET_FIELDS[authenticator.type]
                if field in authenticator.data:
                    authenticator.data[field] = reencrypt(authenticator.data[field])
                    authenticator.save(update_fields=["data"])
                    changed += 1
        self.stdout.write(f"{changed} MFA secrets encrypted with the current key.")
