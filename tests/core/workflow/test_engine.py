import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from wagtail.models import ModelLogEntry

from lutetia.core import hooks
from lutetia.core.notifications.models import Notification
from lutetia.core.workflow import actions, selectors
from lutetia.core.workflow.kinds import TaskKind, task_kinds
from lutetia.core.workflow.models import Action, History, Instance
from tests.factories import add_action

pytestmark = pytest.mark.django_db


@pytest.fixture
def started(workflow, resource, resident):
    return actions.start_workflow(resource=resource, workflow=workflow, acting_user=resident)


def current(resource) -> str:
    return selectors.instance_for(resource).state.code


def test_start_puts_the_resource_in_the_initial_state(started, resource, resident, department):
    assert started.state.code == "new"
    assert started.department == department
    entry = History.objects.get(instance=started)
    assert (entry.from_state, entry.to_state.code, entry.user) == (None, "new", resident)
    assert ModelLogEntry.objects.filter(action="lutetia.workflow.started").count() == 1


def test_a_workflow_without_initial_state_cannot_start(workflow, resource, resident):
    workflow.states.update(is_initial=False)
    with pytest.raises(ValidationError):
        actions.start_workflow(resource=resource, workflow=workflow, acting_user=resident)
    assert not Instance.objects.exists()


def test_staff_run_an_action_with_a_comment(started, workflow, resource, agent):
    review = add_action(workflow, "review", ["new"], "review")
    entry = actions.run_action(resource=resource, action=review, acting_user=agent, comment=" Vu ")
    assert current(resource) == "review"
    assert (entry.from_state.code, entry.to_state.code, entry.user, entry.comment) == (
        "new",
        "review",
        agent,
        "Vu",
    )
    log = ModelLogEntry.objects.get(action="lutetia.workflow.transition")
    assert log.data["action"] == "review"
    assert log.user_id == agent.pk


def test_an_action_from_another_state_is_refused(started, workflow, resource, agent):
    accept = add_action(workflow, "accept", ["review"], "accepted")
    with pytest.raises(ValidationError) as error:
        actions.run_action(resource=resource, action=accept, acting_user=agent)
    assert error.value.code == "unavailable"
    assert current(resource) == "new"


def test_automatic_actions_cannot_be_run_by_hand(started, workflow, resource, agent):
    auto = add_action(workflow, "auto", ["new"], "review", trigger=Action.Trigger.EVENT, event="x")
    with pytest.raises(ValidationError):
        actions.run_action(resource=resource, action=auto, acting_user=agent)


def test_staff_of_another_department_and_residents_are_refused(
    started, workflow, resource, other_agent, resident
):
    review = add_action(workflow, "review", ["new"], "review")
    for user in (other_agent, resident):
        with pytest.raises(PermissionDenied):
            actions.run_action(resource=resource, action=review, acting_user=user)
    assert current(resource) == "new"


def test_an_action_for_managers_refuses_agents(started, workflow, resource, agent, manager):
    decide = add_action(workflow, "decide", ["new"], "accepted", required_role="manager")
    assert selectors.available_actions(agent, resource, started) == []
    with pytest.raises(PermissionDenied):
        actions.run_action(resource=resource, action=decide, acting_user=agent)
    assert selectors.available_actions(manager, resource, started) == [decide]
    actions.run_action(resource=resource, action=decide, acting_user=manager)
    assert current(resource) == "accepted"


def test_an_action_asking_a_comment_refuses_an_empty_one(started, workflow, resource, agent):
    refuse = add_action(workflow, "refuse", ["new"], "refused", asks_comment=True)
    with pytest.raises(ValidationError) as error:
        actions.run_action(resource=resource, action=refuse, acting_user=agent, comment="  ")
    assert "comment" in error.value.message_dict


def test_a_failing_task_changes_nothing_and_undoes_its_files(started, workflow, resource, agent):
    undone = []

    def run_broken(context, config):
        context.on_failure(lambda: undone.append("file deleted"))
        raise ValidationError("Le modèle de document est introuvable.")

    accept = add_action(
        workflow,
        "accept",
        ["new"],
        "accepted",
        tasks=[
            ("assign", {"agent": "acting_user"}),
            ("notify", {"body_fr": "Oui"}),
            ("broken", {}),
        ],
    )
    with (
        hooks.register_temporarily("workflow_task_kinds", TaskKind("broken", "Broken", run_broken)),
        pytest.raises(ValidationError),
    ):
        actions.run_action(resource=resource, action=accept, acting_user=agent)
    instance = selectors.instance_for(resource)
    assert (instance.state.code, instance.assignee) == ("new", None)
    assert History.objects.count() == 1  # the start only
    assert not Notification.objects.exists()
    assert undone == ["file deleted"]
    assert "broken" not in task_kinds()


def test_a_task_kind_no_longer_installed_cancels_the_action(started, workflow, resource, agent):
    accept = add_action(workflow, "accept", ["new"], "accepted", tasks=[("gone", {})])
    with pytest.raises(ValidationError) as error:
        actions.run_action(resource=resource, action=accept, acting_user=agent)
    assert error.value.code == "unknown_kind"
    assert current(resource) == "new"


def test_entering_a_state_runs_its_on_entry_action(started, workflow, resource, agent):
    review = add_action(workflow, "review", ["new"], "review")
    add_action(workflow, "auto-accept", ["review"], "accepted", trigger=Action.Trigger.ON_ENTRY)
    actions.run_action(resource=resource, action=review, acting_user=agent)
    assert current(resource) == "accepted"
    last = History.objects.order_by("-pk").first()
    assert (last.action.code, last.user) == ("auto-accept", None)


def test_automatic_actions_that_loop_are_stopped(started, workflow, resource, agent):
    review = add_action(workflow, "review", ["new"], "review")
    add_action(workflow, "back", ["review"], "new", trigger=Action.Trigger.ON_ENTRY)
    add_action(workflow, "forth", ["new"], "review", trigger=Action.Trigger.ON_ENTRY)
    with pytest.raises(ValidationError) as error:
        actions.run_action(resource=resource, action=review, acting_user=agent)
    assert error.value.code == "loop"
    assert current(resource) == "new"


def test_an_event_runs_the_action_it_triggers(started, workflow, resource, resident):
    add_action(
        workflow, "answered", ["new"], "review", trigger=Action.Trigger.EVENT, event="answered"
    )
    assert actions.signal_event(resource=resource, event="other", acting_user=resident) is None
    entry = actions.signal_event(resource=resource, event="answered", acting_user=resident)
    assert entry.user == resident
    assert current(resource) == "review"
    # Not from this state any more: nothing happens.
    assert actions.signal_event(resource=resource, event="answered", acting_user=resident) is None


def test_an_event_on_a_resource_without_workflow_does_nothing(resource, resident):
    assert actions.signal_event(resource=resource, event="answered", acting_user=resident) is None


def test_services_hear_of_each_state_entered(started, workflow, resource, agent):
    seen = []

    def entered(*, instance, resource):
        seen.append((instance.state.code, resource.pk))

    review = add_action(workflow, "review", ["new"], "review")
    with hooks.register_temporarily(actions.STATE_ENTERED_HOOK, entered):
        actions.run_action(resource=resource, action=review, acting_user=agent)
    assert seen == [("review", resource.pk)]


def test_bulk_gives_one_result_per_resource(started, workflow, resource, topic, agent):
    other = type(resource).objects.create(
        topic=topic, department=topic.department, subject="Autre", message="..."
    )  # no workflow
    review = add_action(workflow, "review", ["new"], "review")
    results = actions.run_action_on_many(
        resources=[resource, other], action=review, acting_user=agent
    )
    assert [(r.resource, r.ok) for r in results] == [(resource, True), (other, False)]
    assert results[1].message
    assert current(resource) == "review"


def test_attach_instances_reads_them_in_one_query(started, resource, django_assert_num_queries):
    with django_assert_num_queries(1):
        (attached,) = selectors.attach_instances([resource])
        assert attached.workflow_instance.state.code == "new"
