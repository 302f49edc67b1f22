from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from netzwerk.accounts.models import User


class AccountDeletionForm(forms.Form):
    """Typing the address, not ticking a box: a deletion nobody makes by accident."""

    email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_("Type the address you sign in with to confirm."),
        widget=forms.EmailInput(
            attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"]
        if email.strip().casefold() != self.user.email.casefold():
            raise forms.ValidationError(_("This is not the address you sign in with."), code="mismatch")
        return email
