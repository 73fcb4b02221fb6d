"""Public URLs carry their language; a resident's preferred language applies after login."""

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_mon_compte_and_login_exist_in_both_languages(client):
    french = client.get("/accounts/login/")
    english = client.get("/en/accounts/login/")
    assert french.status_code == english.status_code == 200
    assert '<html lang="fr"' in french.content.decode()
    assert '<html lang="en"' in english.content.decode()


@pytest.mark.parametrize(
    ("language", "expected"), [("en", "/en/mon-compte/"), ("fr", "/mon-compte/")]
)
def test_login_leads_to_mon_compte_in_the_preferred_language(client, language, expected):
    user = UserFactory(preferred_language=language)
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == expected
