"""A small workflow (new → in review → accepted / refused) on a resource of another app.

The engine works on any model following its protocol; here a contact request, given a
``workflow_recipient`` for the tests, stands in for a service's resource.
"""

import pytest

from lutetia.core.workflow.models import State
from lutetia.services.contact import actions as contact_actions
from lutetia.services.contact.models import ContactRequest, Topic
from tests.factories import make_workflow


@pytest.fixture(autouse=True)
def _resource_protocol(monkeypatch):
    monkeypatch.setattr(
        ContactRequest, "workflow_recipient", lambda self: self.requester, raising=False
    )


@pytest.fixture
def workflow(db):
    return make_workflow(
        "Review",
        [
            ("new", True, False),
            ("review", False, False),
            ("accepted", False, True),
            ("refused", False, True),
        ],
    )


def state(workflow, code) -> State:
    return workflow.states.get(code=code)


@pytest.fixture
def topic(department):
    return Topic.objects.create(name_fr="Propreté", department=department)


@pytest.fixture
def resource(topic, resident):
    return contact_actions.submit_request(
        acting_user=resident,
        topic=topic,
        subject="Trottoir",
        message="Sale",
        contact_name="",
        contact_email="",
    )
