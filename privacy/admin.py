"""Staff deleting accounts in the admin erase them as their owners would (privacy.erasure): every
row, every session, the kept pages, and an entry in the deletion ledger, so that a restored
backup loses them again.

The User admin is netzwerk.accounts's; the ground floor imports no app above it, so privacy,
loaded after it, registers it again with these deletions.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from netzwerk.accounts.admin import UserAdmin
from netzwerk.accounts.models import User
from privacy import erasure


class ErasingUserAdmin(UserAdmin):
    # The admin logs the deletion (naming the account) just before these run; the erasure
    # forgets the admin's entries about the account, that one too.
    def delete_model(self, request: HttpRequest, obj: User) -> None:
        erasure.erase_account(obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for user in queryset:
            erasure.erase_account(user)


admin.site.unregister(User)
admin.site.register(User, ErasingUserAdmin)
