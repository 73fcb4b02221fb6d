"""Personal data: the JSON export and the account deletion that leaves a tombstone."""

import json

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.test import Client
from django.urls import reverse
from wagtail.models import ModelLogEntry

from lutetia.accounts import actions
from lutetia.accounts.models import CensusRecord, User
from lutetia.core.notifications.models import Notification
from lutetia.services.contact.models import ContactRequest
from tests.accounts.conftest import notify
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_account(resident, contact_request):
    """A resident with an address, an identity provider, a notification and a census match."""
    EmailAddress.objects.create(user=resident, email=resident.email, verified=True, primary=True)
    SocialAccount.objects.create(user=resident, provider="franceconnect", uid="fc-123")
    notify(resident, "Bienvenue")
    actions.import_census(rows=[("AB123456", "1985-03-14")], acting_user=None)
    actions.verify_by_census(user=resident, identifier="AB123456", birth_date="1985-03-14")
    return resident


def test_export_contains_every_part(logged_in, full_account):
    response = logged_in.get(reverse("accounts:export_data"))
    assert response["Content-Disposition"] == 'attachment; filename="mes-donnees-lutetia.json"'
    data = json.loads(response.content)
    assert data["account"]["email"] == full_account.email
    assert data["email_addresses"] == [
        {"email": full_account.email, "verified": True, "primary": True}
    ]
    assert [(s["provider"], s["uid"]) for s in data["social_accounts"]] == [
        ("franceconnect", "fc-123")
    ]
    assert [n["subject"] for n in data["notifications"]] == ["Bienvenue"]
    assert data["census_verification"]["census_record_used"] is True
    assert data["census_verification"]["resident_verification_method"] == "census"
    [request] = data["services"]["contact"]["requests"]
    assert request["subject"] == "Dépôt sauvage rue de Rivoli"


def test_export_holds_only_the_signed_in_residents_data(client, full_account):
    other = UserFactory()
    client.force_login(other)
    data = json.loads(client.get(reverse("accounts:export_data")).content)
    assert data["account"]["email"] == other.email
    assert data["notifications"] == [] and data["services"]["contact"]["requests"] == []
    assert full_account.email not in json.dumps(data)


def test_delete_account_anonymises_and_keeps_a_tombstone(logged_in, full_account):
    old_email = full_account.email
    other_session = Client()
    other_session.force_login(full_account)
    response = logged_in.post(
        reverse("accounts:delete_account"), {"email": old_email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert "_auth_user_id" not in logged_in.session
    assert other_session.get(reverse("accounts:dashboard")).status_code == 302  # logged out

    user = User.objects.get(pk=full_account.pk)
    assert user.email == f"deleted-{user.pk}@invalid"
    assert (user.first_name, user.last_name, user.phone, user.latitude) == ("", "", "", None)
    assert not user.is_active and user.deleted_at is not None
    assert not user.has_usable_password()
    assert user.public_name == "Ancien·ne habitant·e"
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not SocialAccount.objects.filter(user=user).exists()
    assert not Notification.objects.filter(recipient=user).exists()
    assert CensusRecord.objects.get().used_by is None

    request = ContactRequest.objects.get()
    assert request.requester == user and request.contact_email == ""
    assert ModelLogEntry.objects.filter(action="lutetia.account.deleted", object_id=user.pk)
    labels = ModelLogEntry.objects.values_list("label", flat=True)
    assert not any(old_email in label for label in labels)


def test_delete_account_needs_the_right_email_and_password(logged_in, resident):
    url = reverse("accounts:delete_account")
    response = logged_in.post(url, {"email": "someone@example.org", "password": PASSWORD})
    assert response.status_code == 200 and "email" in response.context["form"].errors
    response = logged_in.post(url, {"email": resident.email, "password": "wrong"})
    assert "password" in response.context["form"].errors
    resident.refresh_from_db()
    assert resident.is_active and resident.deleted_at is None


def test_delete_page_only_shows_the_form_on_get(logged_in, resident):
    assert logged_in.get(reverse("accounts:delete_account")).status_code == 200
    resident.refresh_from_db()
    assert resident.deleted_at is None
