from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language as django_set_language

from netzwerk.accounts import coaching as coaching_rules
from netzwerk.accounts.forms import InviteForm, PreferencesForm, SharingForm
from netzwerk.accounts.middleware import has_second_factor
from netzwerk.accounts.models import AccessLog, Sharing, Side, is_coach
from netzwerk.http import AuthenticatedHttpRequest


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PreferencesForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        translation.activate(user.language)
        messages.success(request, _("Your settings were saved."))
        return redirect("accounts:preferences")
    return render(request, "accounts/preferences.html", {"form": form})


@login_not_required
@require_POST
def set_language(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The footer switch: a cookie for visitors, and the saved preference for users."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        request.user.language = language
        request.user.save(update_fields=["language"])
    return response


# ---------------------------------------------------------------- coaching
ACCESS_LOG_PAGE = 50


@login_required
@require_http_methods(["GET"])
def coaching(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _coaching_page(request, InviteForm(can_coach=is_coach(request.user)))


def _coaching_page(request: AuthenticatedHttpRequest, form: InviteForm, status: int = 200) -> HttpResponse:
    user = request.user
    links = list(coaching_rules.links_for(user))
    context = {
        "form": form,
        "my_coaches": [link for link in links if link.client_id == user.pk and link.is_active],
        "my_clients": [link for link in links if link.coach_id == user.pk and link.is_active],
        "sent": [link for link in links if link.accepted_at is None and link.side_of(user)],
        "received": [link for link in links if link.accepted_at is None and not link.side_of(user)],
        "sharing_choices": Sharing.choices,
        "recent_access": AccessLog.objects.filter(client=user).select_related("coach")[:10],
        "is_coach": is_coach(user),
    }
    return render(request, "accounts/coaching.html", context, status=status)


@login_required
@require_POST
def coaching_invite(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = InviteForm(request.POST, can_coach=is_coach(request.user))
    if form.is_valid():
        try:
            coaching_rules.invite(
                request.user,
                as_side=Side.CLIENT if form.cleaned_data["role"] == Side.COACH else Side.COACH,
                email=form.cleaned_data["email"],
                now=timezone.now(),
                sharing=form.cleaned_data["sharing"] or Sharing.HEALTH,
            )
        except coaching_rules.CoachingError as error:
            form.add_error("email", str(error))
        else:
            messages.success(request, _("Invitation sent. Nothing is shared until it is accepted."))
            return redirect("accounts:coaching")
    return _coaching_page(request, form, status=422)


@login_required
@require_POST
def coaching_accept(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(coaching_rules.links_for(request.user).filter(accepted_at__isnull=True), pk=pk)
    if link.side_of(request.user):
        raise Http404
    try:
        link = coaching_rules.accept(
            link, request.user, now=timezone.now(), sharing=request.POST.get("sharing")
        )
    except coaching_rules.CoachingError as error:
        messages.error(request, str(error))
    else:
        if link.coach_id == request.user.pk and not has_second_factor(request.user):
            messages.success(
                request,
                _("You are now their coach. Set up two-factor authentication to open the coach admin."),
            )
            return redirect("mfa_index")
        if link.client_id == request.user.pk:
            messages.success(request, _("Your coach can now see what you chose to share."))
        else:
            messages.success(request, _("Accepted: they are your client now."))
    return redirect("accounts:coaching")


@login_required
@require_POST
def coaching_end(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(coaching_rules.links_for(request.user), pk=pk)
    coaching_rules.end(link, request.user, now=timezone.now())
    messages.success(request, _("Ended. From now on, nothing is shared between you."))
    return redirect("accounts:coaching")


@login_required
@require_POST
def coaching_sharing(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(coaching_rules.links_for(request.user).filter(client=request.user), pk=pk)
    form = SharingForm(request.POST)
    if form.is_valid():
        coaching_rules.set_sharing(link, request.user, form.cleaned_data["sharing"])
        messages.success(
            request,
            _("Your coach now sees: %(level)s.") % {"level": Sharing(form.cleaned_data["sharing"]).label},
        )
    else:
        messages.error(request, _("Choose what your coach sees."))
    return redirect("accounts:coaching")


@login_required
@require_http_methods(["GET"])
def access_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The client's record of every coach read of their data."""
    entries = AccessLog.objects.filter(client=request.user).select_related("coach")
    page = Paginator(entries, ACCESS_LOG_PAGE).get_page(request.GET.get("page"))
    return render(request, "accounts/access_log.html", {"page": page})
