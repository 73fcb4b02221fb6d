"""A small workflow (new → in review → accepted / refused) on a resource of another app.

The engine works on any model following its protocol; here a contact request, given a
``workflow_recipient`` for the tests, stands in for a service's resource.
"""

import pytest

from lutetia.core.workflow.models import Action, State, Task, Workflow
from lutetia.services.contact import actions as contact_actions
from lutetia.services.contact.models import ContactRequest, Topic


@pytest.fixture(autouse=True)
def _resource_protocol(monkeypatch):
    monkeypatch.setattr(
        ContactRequest, "workflow_recipient", lambda self: self.requester, raising=False
    )


@pytest.fixture
def workflow(db):
    workflow = Workflow.objects.create(name="Review")
    for order, (code, initial, final) in enumerate(
        [
            ("new", True, False),
            ("review", False, False),
            ("accepted", False, True),
            ("refused", False, True),
        ]
    ):
        State.objects.create(
            workflow=workflow,
            code=code,
            name_fr=code.title(),
            name_en=code.title(),
            is_initial=initial,
            is_final=final,
            sort_order=order,
        )
    return workflow


def state(workflow, code) -> State:
    return workflow.states.get(code=code)


def add_action(workflow, code, sources, target, *, tasks=(), **fields) -> Action:
    """An action from ``sources`` (state codes) to ``target``, with (kind, config) tasks."""
    action = Action.objects.create(
        workflow=workflow,
        code=code,
        label_fr=code.title(),
        label_en=code.title(),
        to_state=state(workflow, target),
        **fields,
    )
    action.from_states.set([state(workflow, source) for source in sources])
    action.save()
    for order, (kind, config) in enumerate(tasks):
        Task.objects.create(action=action, kind=kind, config=config, sort_order=order)
    return action


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
