from __future__ import annotations

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from coaching.site import coach_site
from netzwerk.accounts import views as account_views

# The admin signs in through allauth: its rate limits and verification apply there too.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="reminders:today"), name="home"),
    path("today/", include("reminders.urls")),
    path("contacts/", include("contacts.urls")),
    path("touches/", include("touchpoints.urls")),
    path("settings/privacy/", include("privacy.urls")),
    path("settings/", include("netzwerk.accounts.urls")),
    path("calendar/", include("reminders.feed_urls")),
    path("digest/", include("reminders.digest_urls")),
    path("accounts/", include("allauth.urls")),
    path("language/", account_views.set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("coach/", coach_site.urls),
]
