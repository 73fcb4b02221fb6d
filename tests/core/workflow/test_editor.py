import json

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry

from lutetia.core.workflow.models import Action, State, Workflow
from tests.core.workflow.conftest import state

pytestmark = pytest.mark.django_db


def action_data(workflow, *, to_state, tasks=(), **fields):
    data = {
        "workflow": workflow.pk,
        "code": "accept",
        "label_fr": "Accepter",
        "label_en": "Accept",
        "from_states": [state(workflow, "new").pk],
        "to_state": to_state.pk,
        "trigger": "manual",
        "required_role": "agent",
        "order": 0,
        "tasks-TOTAL_FORMS": len(tasks),
        "tasks-INITIAL_FORMS": 0,
        "tasks-MIN_NUM_FORMS": 0,
        "tasks-MAX_NUM_FORMS": 1000,
        **fields,
    }
    for index, (kind, config) in enumerate(tasks):
        data.update(
            {
                f"tasks-{index}-kind": kind,
                f"tasks-{index}-config": json.dumps(config),
                f"tasks-{index}-ORDER": index,
                f"tasks-{index}-DELETE": "",
                f"tasks-{index}-id": "",
            }
        )
    return data


def test_administrator_creates_a_workflow_with_its_states(client, administrator):
    client.force_login(administrator)
    data = {
        "name": "Carte de stationnement",
        "description": "",
        "states-TOTAL_FORMS": 2,
        "states-INITIAL_FORMS": 0,
        "states-MIN_NUM_FORMS": 0,
        "states-MAX_NUM_FORMS": 1000,
    }
    for index, (code, initial) in enumerate([("recue", "on"), ("accordee", "")]):
        data.update(
            {
                f"states-{index}-code": code,
                f"states-{index}-name_fr": code.title(),
                f"states-{index}-name_en": "",
                f"states-{index}-is_initial": initial,
                f"states-{index}-ORDER": index,
                f"states-{index}-DELETE": "",
                f"states-{index}-id": "",
            }
        )
    response = client.post(reverse("workflows:add"), data)
    assert response.status_code == 302
    workflow = Workflow.objects.get(name="Carte de stationnement")
    assert [s.code for s in workflow.states.all()] == ["recue", "accordee"]
    assert workflow.initial_state.code == "recue"
    assert ModelLogEntry.objects.filter(action="lutetia.workflow.workflow_created").exists()


def test_administrator_creates_an_action_with_tasks(client, administrator, workflow):
    client.force_login(administrator)
    data = action_data(
        workflow,
        to_state=state(workflow, "accepted"),
        tasks=[("notify", {"body_fr": "Accordé"}), ("archive", {})],
    )
    assert client.post(reverse("workflow_actions:add"), data).status_code == 302
    action = Action.objects.get(code="accept")
    assert [t.kind for t in action.tasks.all()] == ["notify", "archive"]
    assert list(action.from_states.values_list("code", flat=True)) == ["new"]


def test_action_editor_refuses_bad_settings_and_foreign_states(client, administrator, workflow):
    other = Workflow.objects.create(name="Autre")
    foreign = State.objects.create(workflow=other, code="x", name_fr="X", is_initial=True)
    client.force_login(administrator)
    bad_task = action_data(
        workflow, to_state=state(workflow, "accepted"), tasks=[("notify", {"subject_fr": "?"})]
    )
    response = client.post(reverse("workflow_actions:add"), bad_task)
    assert response.status_code == 200
    assert "body_fr" in response.content.decode()
    response = client.post(reverse("workflow_actions:add"), action_data(workflow, to_state=foreign))
    assert response.status_code == 200
    no_delay = action_data(workflow, to_state=state(workflow, "accepted"), trigger="after_delay")
    response = client.post(reverse("workflow_actions:add"), no_delay)
    assert response.status_code == 200
    assert not Action.objects.exists()


def test_a_used_workflow_cannot_be_deleted(client, administrator, workflow, resource, resident):
    from lutetia.core.workflow.actions import start_workflow

    start_workflow(resource=resource, workflow=workflow, acting_user=resident)
    client.force_login(administrator)
    client.post(reverse("workflows:delete", args=[workflow.pk]))
    assert Workflow.objects.filter(pk=workflow.pk).exists()


def test_agents_cannot_edit_workflows(client, agent, workflow):
    client.force_login(agent)
    response = client.get(reverse("workflows:edit", args=[workflow.pk]))
    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_home")
