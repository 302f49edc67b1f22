"""The coach admin's view of a client: the client's own user row, under its own name."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from netzwerk.accounts.models import User


class Client(User):
    class Meta:
        proxy = True
        verbose_name = _("client")
        verbose_name_plural = _("clients")

    def __str__(self) -> str:
        return self.display_name
