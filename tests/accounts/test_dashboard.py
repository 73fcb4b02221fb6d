"""The "Mon Compte" dashboard and the notifications page."""

import pytest
from django.urls import reverse
from wagtail.models import Site

from lutetia.core.activation import set_service_enabled
from lutetia.core.notifications.models import Notification
from tests.accounts.conftest import notify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_dashboard_lists_service_items_and_notifications(logged_in, resident, contact_request):
    notify(resident, "Votre demande a reçu une réponse")
    content = logged_in.get(reverse("accounts:dashboard")).content.decode()
    assert contact_request.reference in content
    assert "Votre demande a reçu une réponse" in content
    for name in ("accounts:profile", "accounts:verification", "accounts:personal_data"):
        assert reverse(name) in content
    assert reverse("account_email") in content and reverse("account_change_password") in content


def test_dashboard_hides_services_switched_off_on_the_site(
    logged_in, resident, agent, contact_request, django_capture_on_commit_callbacks
):
    site = Site.objects.get(is_default_site=True)
    with django_capture_on_commit_callbacks(execute=True):
        set_service_enabled(site=site, slug="contact", enabled=False, acting_user=agent)
    content = logged_in.get(reverse("accounts:dashboard")).content.decode()
    assert contact_request.reference not in content


def test_notifications_marked_read_one_by_one_or_all(logged_in, resident):
    first = notify(resident, "Message 1")
    notify(resident, "Message 2")
    response = logged_in.post(reverse("accounts:notifications"), {"notification": [first.pk]})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.read_at is not None
    assert Notification.objects.filter(read_at__isnull=True).count() == 1
    logged_in.post(reverse("accounts:notifications"), {"all": "1"})
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_a_resident_sees_and_marks_only_their_own_notifications(client, resident):
    mine = notify(resident, "Pour moi seulement")
    other = UserFactory()
    client.force_login(other)
    assert (
        "Pour moi seulement" not in client.get(reverse("accounts:notifications")).content.decode()
    )
    client.post(reverse("accounts:notifications"), {"notification": [mine.pk]})
    mine.refresh_from_db()
    assert mine.read_at is None
