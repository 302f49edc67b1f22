from __future__ import annotations

from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext_noop

# Django 6.1's label for an empty choice (django.db.models.fields.BLANK_CHOICE_LABEL). Django's
# German catalogue has no translation for it yet; marked here, ours provides one.
gettext_noop("- Select an option -")


class FormRenderer(TemplatesSetting):
    """Every `{{ field.as_field_group }}` renders through templates/forms/field.html."""

    field_template_name = "forms/field.html"
