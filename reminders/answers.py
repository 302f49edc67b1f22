"""How Today answers htmx: a section alone (as it reloads itself), or the section acted on with
the total and the other sections' counts out of band; and what every item's form shows alike."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from netzwerk.http import AuthenticatedHttpRequest
from reminders import due
from reminders.items import SHOWN, SHOWN_ALL, SNOOZE_DAYS
from reminders.models import ItemKind

TODAY = "reminders/today.html"


def item_context() -> dict[str, Any]:
    """What every item's form shows alike: the snooze menu, rendered once per response."""
    choices = [
        (days, _("1 week") if days == 7 else ngettext("%(days)s day", "%(days)s days", days) % {"days": days})
        for days in SNOOZE_DAYS
    ]
    return {"snooze_menu": render_to_string("reminders/_snooze.html", {"choices": choices})}


def section(request: AuthenticatedHttpRequest, kind: ItemKind, *, expanded: bool = False) -> HttpResponse:
    """The section alone (all of it when `expanded`), as it reloads itself."""
    limit = SHOWN_ALL if expanded else SHOWN
    section = due.section_for(request.user, kind, now=timezone.now(), limit=limit)
    context = {**item_context(), "section": section, "is_fragment": True}
    return render(request, f"{TODAY}#section", context)


def acted(request: AuthenticatedHttpRequest, kind: ItemKind, *, expanded: bool) -> HttpResponse:
    """The acted section (focus goes to its heading, for keyboard users), with the total and the
    other sections' counts out of band: all of Today in its own queries (as many at any size), so no count on the
    page is left behind."""
    today = due.today_for(request.user, now=timezone.now(), expanded=kind if expanded else None)
    section = next(section for section in today.sections if section.kind == kind)
    context = {**item_context(), "today": today, "section": section, "is_fragment": True, "acted": True}
    return render(request, f"{TODAY}#acted", context)
