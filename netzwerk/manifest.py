"""The web app manifest: Netzwerk installable on a phone's home screen.

A view, not a static file, so that the icons' addresses are those the static storage gives
(hashed names in production) and the name follows the user's language.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

THEME_COLOR = "#1f5f8b"  # --brand in static/css/app.css


@login_not_required
@require_GET
@cache_control(max_age=86_400, public=True)
def manifest(request: HttpRequest) -> JsonResponse:
    icons = [
        {
            "src": static(f"img/icon-{size}.png"),
            "sizes": f"{size}x{size}",
            "type": "image/png",
            "purpose": "any",
        }
        for size in (192, 512)
    ]
    icons.append(
        {"src": static("img/favicon.svg"), "sizes": "any", "type": "image/svg+xml", "purpose": "any"}
    )
    data = {
        "name": "Netzwerk",
        "short_name": "Netzwerk",
        "description": _("Few relationships, kept well: who is due today."),
        "lang": get_language(),
        "start_url": reverse("reminders:today"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOR,
        "icons": icons,
    }
    return JsonResponse(
        data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False}
    )
