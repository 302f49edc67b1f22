from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from coaching.site import coach_site
from netzwerk.accounts import views as account_views
from netzwerk.accounts.admin_site import login_through_allauth, password_change_through_allauth
from netzwerk.health import healthz
from netzwerk.manifest import manifest

# The admin signs in through allauth: its second factor, rate limits and verification apply.
admin.site.login = login_through_allauth(admin.site)  # type: ignore[method-assign]
admin.site.password_change = password_change_through_allauth  # type: ignore[method-assign, assignment]

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="reminders:today"), name="home"),
    path("today/", include("reminders.urls")),
    path("contacts/", include("contacts.urls")),
    path("import/", include("imports.urls")),
    path("touches/", include("touchpoints.urls")),
    path("settings/privacy/", include("privacy.urls")),
    path("settings/", include("netzwerk.accounts.urls")),
    path("calendar/", include("reminders.feed_urls")),
    path("digest/", include("reminders.digest_urls")),
    path("accounts/", include("allauth.urls")),
    path("language/", account_views.set_language, name="set_language"),
    path("manifest.webmanifest", manifest, name="manifest"),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("coach/", coach_site.urls),
]
