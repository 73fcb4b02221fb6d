"""Fixtures of the contact service: topics in two departments and staff of each."""

import pytest

from lutetia.services.contact import actions
from lutetia.services.contact.models import Topic


@pytest.fixture
def topic(department):
    return Topic.objects.create(name_fr="Propreté", name_en="Cleanliness", department=department)


@pytest.fixture
def other_topic(other_department):
    return Topic.objects.create(name_fr="Voirie", name_en="Roads", department=other_department)


@pytest.fixture
def submit(topic):
    """Submit a request as ``user`` (None: anonymous with an e-mail address)."""

    def _submit(user=None, **fields):
        values = {
            "topic": topic,
            "subject": "Trottoir sale",
            "message": "Devant le 12, rue de Rivoli.",
            "contact_name": "" if user else "Claire Petit",
            "contact_email": "" if user else "claire@example.org",
            **fields,
        }
        return actions.submit_request(acting_user=user, **values)

    return _submit
