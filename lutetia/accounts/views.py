"""The pages of "Mon Compte": each validates its input and calls an action."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from wagtail.models import Site

from lutetia.accounts import actions, forms, selectors
from lutetia.accounts.models import VerificationLevel
from lutetia.accounts.personal_data import EXPORT_FILENAME, export_personal_data
from lutetia.core.notifications import actions as notification_actions
from lutetia.core.notifications.selectors import notifications_for, unread_count

RECENT_NOTIFICATIONS = 5


@login_required
def dashboard(request):
    return render(
        request,
        "accounts/dashboard.html",
        {
            "sections": selectors.account_sections(request.user, Site.find_for_request(request)),
            "notifications": notifications_for(request.user)[:RECENT_NOTIFICATIONS],
            "unread_count": unread_count(request.user),
            "levels": VerificationLevel,
        },
    )


@login_required
def profile(request):
    user = request.user
    form = forms.ProfileForm(request.POST or None, initial=_profile_initial(user))
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_profile(user=user, changes=form.cleaned_data, acting_user=user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            translation.activate(user.preferred_language)
            messages.success(request, _("Your profile has been saved."))
            response = redirect("accounts:profile")
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                user.preferred_language,
                samesite=settings.SESSION_COOKIE_SAMESITE,
                secure=settings.SESSION_COOKIE_SECURE,
            )
            return response
    return render(request, "accounts/profile.html", {"form": form})


def _profile_initial(user) -> dict:
    return {name: getattr(user, name) for name in actions.PROFILE_FIELDS}


@login_required
def verification(request):
    user = request.user
    form = forms.CensusVerificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.verify_by_census(
                user=user,
                identifier=form.cleaned_data["identifier"],
                birth_date=form.cleaned_data["birth_date"],
            )
        except actions.VerificationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your account is now verified as a resident."))
            return redirect(_next_url(request) or "accounts:dashboard")
    return render(
        request,
        "accounts/verification.html",
        {"form": form, "levels": VerificationLevel, "next": _next_url(request)},
    )


@login_required
def notifications(request):
    if request.method == "POST":
        if "all" in request.POST:
            notification_actions.mark_all_read(acting_user=request.user)
        else:
            ids = [value for value in request.POST.getlist("notification") if value.isdigit()]
            notification_actions.mark_read(notification_ids=ids, acting_user=request.user)
        messages.success(request, _("Notifications marked as read."))
        return redirect("accounts:notifications")
    return render(
        request,
        "accounts/notifications.html",
        {"notifications": notifications_for(request.user)},
    )


@login_required
def personal_data(request):
    return render(request, "accounts/personal_data.html")


@login_required
def export_data(request):
    response = HttpResponse(
        json.dumps(export_personal_data(request.user), cls=DjangoJSONEncoder, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{EXPORT_FILENAME}"'
    return response


@login_required
def delete_account(request):
    user = request.user
    form = forms.DeleteAccountForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        actions.delete_account(user=user, acting_user=user)
        logout(request)
        messages.success(request, _("Your account has been deleted. Goodbye."))
        return redirect("/")
    return render(request, "accounts/delete_account.html", {"form": form})


def _next_url(request) -> str | None:
    """The page that sent the resident here (see level_required), when it is one of ours."""
    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None
