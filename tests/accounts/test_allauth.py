"""Sign-up, e-mail confirmation, login throttling and identity providers through allauth."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from lutetia.accounts.models import User, VerificationLevel
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_signup_confirm_email_then_logged_in_at_email_level(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "Camille@Example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    user = User.objects.get(email="camille@example.org")
    assert user.verification_level == VerificationLevel.NONE
    assert "_auth_user_id" not in client.session  # mandatory verification: not logged in yet

    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", mail.outbox[0].body)
    confirm_url = link.group(1)
    page = client.get(confirm_url)
    assert page.status_code == 200
    assert b'class="site-header"' in page.content  # allauth page in our layout
    response = client.post(confirm_url)

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.verification_level == VerificationLevel.EMAIL
    assert client.session["_auth_user_id"] == str(user.pk)


def test_allauth_pages_use_the_site_layout(client):
    for name in ("account_login", "account_signup", "account_reset_password"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        content = response.content.decode()
        assert 'class="skip-link"' in content and '<main id="main"' in content
        assert "<label" in content


def test_login_is_throttled_after_repeated_failures(client, resident):
    # Pages outside Wagtail's i18n patterns are in the default language.
    with translation.override(settings.LANGUAGE_CODE):
        too_many = gettext("Too many failed login attempts. Try again later.")
    for _attempt in range(5):
        response = client.post(
            reverse("account_login"), {"login": resident.email, "password": "wrong"}
        )
        assert too_many not in response.content.decode()
    response = client.post(
        reverse("account_login"), {"login": resident.email, "password": PASSWORD}
    )
    assert response.status_code == 200
    assert too_many in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_configured_identity_provider_appears_on_login_page(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": "franceconnect",
                    "name": "FranceConnect",
                    "client_id": "lutetia",
                    "secret": "not-a-secret",
                    "settings": {"server_url": "https://idp.example.org"},
                }
            ]
        }
    }
    content = client.get(reverse("account_login")).content.decode()
    assert "FranceConnect" in content
    assert "/accounts/oidc/franceconnect/login/" in content


def test_change_email_page_has_no_inline_style(logged_in):
    response = logged_in.get(reverse("account_email"))
    assert response.status_code == 200
    assert b"style=" not in response.content
