from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext_noop

# Django 6.1's label for an empty choice (django.db.models.fields.BLANK_CHOICE_LABEL). Django's
# German catalogue has no translation for it yet; marked here, ours provides one.
gettext_noop("- Select an option -")


class FormRenderer(TemplatesSetting):
    """Every `{{ field.as_field_group }}` renders through templates/forms/field.html."""

    field_template_name = "forms/field.html"


def bounds(field: models.Field[Any, Any]) -> dict[str, Any]:
    """A number field's model validators as its form field's `min_value` and `max_value`: the
    browser and the error then name the real limits (40, not the 0 of a positive integer)."""
    found: dict[str, Any] = {}
    if not isinstance(field, models.IntegerField):
        return found
    for validator in field.validators:
        if isinstance(validator, MinValueValidator):
            found["min_value"] = validator.limit_value
        elif isinstance(validator, MaxValueValidator):
            found["max_value"] = validator.limit_value
    return found


def bounded_formfield(field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    """A ModelForm's `formfield_callback`: number fields bounded as their model says."""
    return field.formfield(**{**bounds(field), **kwargs})
