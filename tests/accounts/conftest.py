"""Fixtures for the account tests: the real Paris arrondissements and a verified resident."""

import pytest

from lutetia.core.notifications.models import Notification
from lutetia.services.contact.actions import submit_request
from lutetia.services.contact.models import Topic
from tests.conftest import INSIDE_PARIS, OUTSIDE_PARIS  # noqa: F401 (used by the tests)


@pytest.fixture
def logged_in(client, resident):
    client.force_login(resident)
    return client


def notify(user, subject):
    return Notification.objects.create(recipient=user, kind="test", subject=subject, body="…")


@pytest.fixture
def contact_request(resident, department):
    topic = Topic.objects.create(name_fr="Propreté", name_en="Cleanliness", department=department)
    return submit_request(
        acting_user=resident,
        topic=topic,
        subject="Dépôt sauvage rue de Rivoli",
        message="Des encombrants depuis lundi.",
        contact_name="Camille",
        contact_email=resident.email,
    )
