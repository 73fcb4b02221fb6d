"""How django-allauth fits Lutetia: after login, Mon Compte opens in the resident's language."""

from allauth.account.adapter import DefaultAccountAdapter
from django.utils import translation


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request) -> str:
        # Public URLs carry their language (/… French, /en/… English): pick the preferred one.
        with translation.override(request.user.preferred_language):
            return super().get_login_redirect_url(request)
