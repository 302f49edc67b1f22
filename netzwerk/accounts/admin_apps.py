"""django.contrib.admin, with the superuser admin site that refuses coaches (see admin_site.py).

An app config module of its own: INSTALLED_APPS imports it before any model is ready.
"""

from __future__ import annotations

from django.contrib.admin.apps import AdminConfig


class StaffAdminConfig(AdminConfig):
    default_site = "netzwerk.accounts.admin_site.StaffAdminSite"
