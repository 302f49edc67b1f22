"""How a contact is reached: e-mail addresses, and phone numbers stored in E.164 form and shown as
people read them."""

from __future__ import annotations

import functools

import phonenumbers
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from contacts.keys import email_key

PHONE_DEFAULT_REGION = "DE"


class ContactEmail(models.Model):
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="emails")
    address = models.EmailField(_("e-mail"))
    label = models.CharField(_("label"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("e-mail address")
        verbose_name_plural = _("e-mail addresses")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint("contact", Lower("address"), name="contact_email_unique"),
        ]
        # the same address on two contacts: duplicate candidates and the warning on save
        indexes = [models.Index(email_key(), name="contact_email_key")]

    def __str__(self) -> str:
        return self.address


@functools.lru_cache(maxsize=4096)
def display_number(number: str) -> str:
    """A stored number (E.164) as people read it, "+49 30 1234567": parsing it is the slow part
    of a page that lists many (Today's items), and a number reads the same every time."""
    return phonenumbers.format_number(
        phonenumbers.parse(number), phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )


def normalise_phone(raw: str, *, region: str = PHONE_DEFAULT_REGION) -> str:
    """E.164 form of a phone number; one without a country code is read as one of `region`
    (German by default; forms and imports pass the owner's: `User.phone_region`)."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as error:
        raise ValidationError(_("This is not a phone number."), code="invalid") from error
    if not phonenumbers.is_possible_number(number):
        raise ValidationError(_("This is not a phone number."), code="invalid")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class ContactPhone(models.Model):
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(_("phone"), max_length=32, help_text=_("Stored in E.164 form."))
    label = models.CharField(_("label"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("phone number")
        verbose_name_plural = _("phone numbers")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint("contact", "number", name="contact_phone_unique"),
            models.CheckConstraint(condition=Q(number__startswith="+"), name="contact_phone_e164"),
        ]
        # the same number on two contacts: duplicate candidates and the warning on save
        indexes = [models.Index(fields=["number"], name="contact_phone_number")]

    def __str__(self) -> str:
        return self.display

    @property
    def display(self) -> str:
        return display_number(self.number)

    def clean(self) -> None:
        super().clean()
        if self.number:
            try:
                self.number = normalise_phone(self.number)
            except ValidationError as error:
                raise ValidationError({"number": error.messages}) from error
