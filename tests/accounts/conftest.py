"""Fixtures for the account tests: the real Paris arrondissements and a verified resident."""

import json
from pathlib import Path

import pytest

from lutetia.core.districts.actions import import_districts
from lutetia.core.notifications.models import Notification
from lutetia.services.contact.actions import submit_request
from lutetia.services.contact.models import Topic

GEOJSON = (
    Path(__file__).resolve().parents[2]
    / "lutetia/core/districts/data/paris-arrondissements.geojson"
)
# A point in front of Notre-Dame (4th arrondissement) and one in Versailles.
INSIDE_PARIS = {"longitude": 2.3499, "latitude": 48.8530}
OUTSIDE_PARIS = {"longitude": 2.1204, "latitude": 48.8049}


@pytest.fixture
def districts(db, django_capture_on_commit_callbacks):
    """The 20 arrondissements, imported as an administrator would (lookup index refreshed)."""
    features = json.loads(GEOJSON.read_text(encoding="utf-8"))["features"]
    with django_capture_on_commit_callbacks(execute=True):
        import_districts(
            features=features, name_field="l_aroff", code_field="c_ar", acting_user=None
        )


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
