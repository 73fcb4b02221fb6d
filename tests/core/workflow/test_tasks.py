from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django_tasks import default_task_backend

from lutetia.core.notifications.models import Notification
from lutetia.core.workflow import actions, selectors
from lutetia.core.workflow.kinds import check_task_config
from lutetia.core.workflow.models import Action, History
from lutetia.core.workflow.tasks import run_delayed_action
from tests.factories import DepartmentFactory, add_action, create_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def started(workflow, resource, resident):
    return actions.start_workflow(resource=resource, workflow=workflow, acting_user=resident)


def run(workflow, resource, agent, tasks, comment=""):
    action = add_action(workflow, "go", ["new"], "review", tasks=tasks)
    return actions.run_action(resource=resource, action=action, acting_user=agent, comment=comment)


def test_assign_to_a_department_then_to_the_acting_agent(started, workflow, resource, agent):
    roads = DepartmentFactory(code="voirie", name="Voirie")
    entry = run(
        workflow, resource, agent, [("assign", {"department": "voirie", "agent": "acting_user"})]
    )
    instance = selectors.instance_for(resource)
    assert (instance.department, instance.assignee) == (roads, agent)
    assert entry.outputs == [{"kind": "assign", "department": "Voirie", "agent": agent.email}]


def test_assign_to_a_named_agent(started, workflow, resource, agent, department):
    colleague = create_staff(department, email="collegue@paris.example")
    run(workflow, resource, agent, [("assign", {"agent": "collegue@paris.example"})])
    assert selectors.instance_for(resource).assignee == colleague


def test_notify_fills_placeholders_in_the_residents_language(
    started, workflow, resource, resident, agent, mailoutbox, django_capture_on_commit_callbacks
):
    resident.preferred_language = "en"
    resident.save()
    config = {
        "subject_fr": "Votre demande {reference}",
        "body_fr": "Statut : {state}",
        "subject_en": "Your request {reference}",
        "body_en": "Status: {state}. {comment} {unknown} {reference.__class__}",
    }
    with django_capture_on_commit_callbacks(execute=True):
        entry = run(workflow, resource, agent, [("notify", config)], comment="Merci.")
    notification = Notification.objects.get(recipient=resident)
    assert notification.subject == f"Your request {resource}"
    assert notification.body == "Status: Review. Merci. {unknown} {reference.__class__}"
    assert entry.outputs == [{"kind": "notify", "notified": resident.email}]
    assert [m.to for m in mailoutbox] == [[resident.email]]


def test_notify_without_account_writes_to_the_address(
    started, workflow, resource, agent, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(type(resource), "workflow_recipient", lambda self: "claire@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        run(workflow, resource, agent, [("notify", {"subject_fr": "Sujet", "body_fr": "Texte"})])
    assert [(m.to, m.subject, m.body) for m in mailoutbox] == [
        (["claire@example.org"], "Sujet", "Texte")
    ]
    assert not Notification.objects.exists()


def test_notify_with_nobody_to_tell_is_recorded(started, workflow, resource, agent, monkeypatch):
    monkeypatch.setattr(type(resource), "workflow_recipient", lambda self: None)
    entry = run(workflow, resource, agent, [("notify", {"body_fr": "Texte"})])
    assert entry.outputs == [{"kind": "notify", "notified": ""}]


def test_comment_and_archive(started, workflow, resource, agent):
    entry = run(
        workflow,
        resource,
        agent,
        [("comment", {"text": "Dossier {reference} vu"}), ("archive", {})],
    )
    assert entry.outputs[0] == {"kind": "comment", "comment": f"Dossier {resource} vu"}
    assert selectors.instance_for(resource).archived_at is not None


@pytest.mark.parametrize(
    ("kind", "config"),
    [
        ("assign", {}),
        ("assign", {"department": "nope"}),
        ("assign", {"agent": "nobody@example.org"}),
        ("notify", {"subject_fr": "Sans texte"}),
        ("comment", {}),
        ("archive", []),
        ("unknown", {}),
    ],
)
def test_bad_task_settings_are_refused(db, kind, config):
    with pytest.raises(ValidationError):
        check_task_config(kind, config)


def test_delayed_action_is_scheduled_and_runs_when_still_due(
    settings, started, workflow, resource, agent, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    default_task_backend.clear()
    review = add_action(workflow, "review", ["new"], "review")
    add_action(
        workflow,
        "expire",
        ["review"],
        "refused",
        trigger=Action.Trigger.AFTER_DELAY,
        delay_hours=48,
    )
    with django_capture_on_commit_callbacks(execute=True):
        actions.run_action(resource=resource, action=review, acting_user=agent)
    (scheduled,) = default_task_backend.results
    instance = selectors.instance_for(resource)
    assert scheduled.task.run_after == instance.entered_at + timedelta(hours=48)
    # The worker runs it later: the demand is still in review, so it moves on.
    assert run_delayed_action.call(*scheduled.args) is True
    assert selectors.instance_for(resource).state.code == "refused"
    # Run again (e.g. a second worker): stale, nothing happens.
    assert run_delayed_action.call(*scheduled.args) is False
    assert History.objects.filter(action__code="expire").count() == 1


def test_delayed_action_is_skipped_once_the_resource_moved_on(
    settings, started, workflow, resource, agent, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    default_task_backend.clear()
    review = add_action(workflow, "review", ["new"], "review")
    accept = add_action(workflow, "accept", ["review"], "accepted")
    add_action(
        workflow, "expire", ["review"], "refused", trigger=Action.Trigger.AFTER_DELAY, delay_hours=1
    )
    with django_capture_on_commit_callbacks(execute=True):
        actions.run_action(resource=resource, action=review, acting_user=agent)
    actions.run_action(resource=resource, action=accept, acting_user=agent)
    (scheduled,) = default_task_backend.results
    assert run_delayed_action.call(*scheduled.args) is False
    assert selectors.instance_for(resource).state.code == "accepted"
