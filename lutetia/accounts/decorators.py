"""How services require a verification level for a view."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from lutetia.accounts.models import VerificationLevel


def user_has_level(user, level: int) -> bool:
    """True for an active, signed-in user verified at ``level`` or above."""
    return bool(user.is_authenticated and user.is_active and user.verification_level >= level)


def level_required(level: int):
    """Let the view run only for users at ``level``.

    Anonymous visitors go to the login page; signed-in users below the level go to the
    verification page with a message saying what is needed, then come back.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user_has_level(request.user, level):
                messages.warning(
                    request,
                    _("This requires an account verified at the level: %(level)s.")
                    % {"level": VerificationLevel(level).label},
                )
                return redirect(_verification_url(request))
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _verification_url(request) -> str:
    return f"{reverse('accounts:verification')}?{urlencode({'next': request.get_full_path()})}"
