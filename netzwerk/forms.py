from __future__ import annotations

from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """Every `{{ field.as_field_group }}` renders through templates/forms/field.html."""

    field_template_name = "forms/field.html"
