"""Every write of the workflow engine: starting a workflow and moving a resource on.

A transition locks the resource's instance row (two staff members cannot run
conflicting actions), runs the action's tasks in order, records one history row and one
audit entry, then runs what entering the new state triggers: an "on entry" action at
once, "after a delay" actions as background tasks that check they are still due. Any
failure cancels the whole transition, tasks included.
"""

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lutetia.core import audit, hooks
from lutetia.core.workflow.kinds import TaskContext, task_kinds
from lutetia.core.workflow.models import Action, History, Instance, ListPreference, Workflow
from lutetia.core.workflow.resources import content_type_of
from lutetia.core.workflow.selectors import may_run

STATE_ENTERED_HOOK = "workflow_state_entered"  # fn(instance=, resource=) after each transition
MAX_AUTOMATIC_CHAIN = 10


@dataclass(frozen=True)
class BulkResult:
    resource: object
    ok: bool
    message: str = ""


@transaction.atomic
def start_workflow(*, resource, workflow: Workflow, acting_user) -> Instance:
    """Put a new resource in its workflow's initial state (called by the service's own action)."""
    state = workflow.initial_state
    if state is None:
        raise ValidationError(_("This workflow has no initial state."), code="no_initial_state")
    instance = Instance.objects.create(
        workflow=workflow,
        content_type=content_type_of(resource),
        object_id=resource.pk,
        state=state,
        department_id=resource.department_id,
        entered_at=timezone.now(),
    )
    History.objects.create(
        instance=instance, action_label=_("Started"), to_state=state, user=_real(acting_user)
    )
    audit.log(
        resource,
        "lutetia.workflow.started",
        user=acting_user,
        data={"workflow": workflow.pk, "state": state.code},
    )
    cleanups = []
    with _undone_on_failure(cleanups):
        _entered(instance, resource, depth=0, cleanups=cleanups)
    return instance


@transaction.atomic
def run_action(*, resource, action: Action, acting_user, comment: str = "") -> History:
    """Run a manual action chosen by a staff member on one resource."""
    instance = _locked_instance(resource)
    if not may_run(acting_user, resource, action):
        raise PermissionDenied
    if (
        instance.workflow_id != action.workflow_id
        or not action.is_manual
        or not action.from_states.filter(pk=instance.state_id).exists()
    ):
        raise ValidationError(
            _("This action is not available in the current state (%(state)s).")
            % {"state": instance.state.name},
            code="unavailable",
        )
    comment = comment.strip()
    if action.asks_comment and not comment:
        raise ValidationError({"comment": _("This action needs a comment.")}, code="no_comment")
    return _transition(instance, resource, action, acting_user, comment, depth=0)


def run_action_on_many(*, resources, action: Action, acting_user, comment: str = "") -> list:
    """Run one action on each resource, each in its own transaction; one result per resource."""
    results = []
    for resource in resources:
        try:
            run_action(resource=resource, action=action, acting_user=acting_user, comment=comment)
        except PermissionDenied:
            results.append(BulkResult(resource, False, _("You may not act on it.")))
        except ValidationError as error:
            results.append(BulkResult(resource, False, " ".join(error.messages)))
        else:
            results.append(BulkResult(resource, True))
    return results


@transaction.atomic
def signal_event(*, resource, event: str, acting_user) -> History | None:
    """A service reports an event (e.g. the resident answered): run the action it triggers."""
    instance = _locked_instance(resource, missing_ok=True)
    if instance is None:
        return None
    action = _automatic_action(instance, Action.Trigger.EVENT, event=event)
    if action is None:
        return None
    return _transition(instance, resource, action, acting_user, "", depth=0)


@transaction.atomic
def run_delayed_action(*, instance_id: int, action_id: int, entered_at: datetime) -> History | None:
    """Run an "after a delay" action if the instance is still in the state it was scheduled for."""
    instance = Instance.objects.select_for_update().filter(pk=instance_id).first()
    if instance is None or instance.entered_at != entered_at:
        return None  # stale: the resource moved on since
    action = (
        Action.objects.filter(
            pk=action_id, trigger=Action.Trigger.AFTER_DELAY, from_states=instance.state_id
        )
        .select_related("to_state")
        .first()
    )
    resource = instance.resource
    if action is None or resource is None:
        return None
    return _transition(instance, resource, action, None, "", depth=0)


@transaction.atomic
def save_definition(*, obj: Workflow | Action, acting_user) -> Workflow | Action:
    """Create or change a workflow (with its states) or an action (with its tasks)."""
    model = obj._meta.model_name
    created = obj.pk is None
    permission = f"workflow.{'add' if created else 'change'}_{model}"
    if not acting_user.has_perm(permission):
        raise PermissionDenied
    obj.save()  # a cluster: saves its states or tasks too
    audit.log(
        obj,
        f"lutetia.workflow.{model}_{'created' if created else 'changed'}",
        user=acting_user,
        data={"name": str(obj)},
    )
    return obj


@transaction.atomic
def delete_definition(*, obj: Workflow | Action, acting_user) -> None:
    """Delete an action, or a workflow that no resource went through (kept for history)."""
    model = obj._meta.model_name
    if not acting_user.has_perm(f"workflow.delete_{model}"):
        raise PermissionDenied
    if isinstance(obj, Workflow) and obj.instances.exists():
        raise ValidationError(_("Items went through this workflow: it cannot be deleted."))
    audit.log(obj, f"lutetia.workflow.{model}_deleted", user=acting_user, data={"name": str(obj)})
    obj.delete()


@transaction.atomic
def save_list_columns(*, list_key: str, columns: list[str], acting_user) -> ListPreference:
    """Remember the columns a staff member chose for one work list."""
    preference, _created = ListPreference.objects.update_or_create(
        user=acting_user, list_key=list_key, defaults={"columns": columns}
    )
    audit.log(
        preference, "lutetia.workflow.columns_chosen", user=acting_user, data={"columns": columns}
    )
    return preference


def _locked_instance(resource, *, missing_ok: bool = False) -> Instance | None:
    instance = (
        Instance.objects.select_for_update()
        .filter(content_type=content_type_of(resource), object_id=resource.pk)
        .first()
    )
    if instance is None and not missing_ok:
        raise ValidationError(_("This item has no workflow."), code="no_workflow")
    return instance


def _transition(instance, resource, action, acting_user, comment, *, depth) -> History:
    context = TaskContext(instance, resource, action, _real(acting_user), comment)
    with _undone_on_failure(context.cleanups):
        return _move(context, depth)


@contextmanager
def _undone_on_failure(cleanups: list):
    """Run the tasks' clean-ups (e.g. delete a stored file) if the transition fails."""
    try:
        yield
    except Exception:
        for cleanup in cleanups:
            cleanup()
        raise


def _move(context: TaskContext, depth: int) -> History:
    instance, action = context.instance, context.action
    from_state = instance.state
    instance.state = action.to_state
    instance.entered_at = timezone.now()
    outputs = _run_tasks(context)
    instance.save()
    entry = History.objects.create(
        instance=instance,
        action=action,
        action_label=action.label,
        from_state=from_state,
        to_state=instance.state,
        user=context.acting_user,
        comment=context.comment,
        outputs=outputs,
    )
    audit.log(
        context.resource,
        "lutetia.workflow.transition",
        user=context.acting_user,
        data={
            "action": action.code,
            "from": from_state.code,
            "to": instance.state.code,
            "history": entry.pk,
        },
    )
    _entered(instance, context.resource, depth=depth, cleanups=context.cleanups)
    return entry


def _run_tasks(context: TaskContext) -> list[dict]:
    kinds = task_kinds()
    outputs = []
    for task in context.action.tasks.all():
        kind = kinds.get(task.kind)
        if kind is None:
            raise ValidationError(
                _("The task kind %(kind)s is not installed.") % {"kind": task.kind},
                code="unknown_kind",
            )
        outputs.append({"kind": task.kind, **(kind.run(context, task.config) or {})})
    return outputs


def _entered(instance: Instance, resource, *, depth: int, cleanups: list) -> None:
    """What entering a state causes: services' hooks, then an on-entry or delayed action."""
    for fn in hooks.get(STATE_ENTERED_HOOK):
        fn(instance=instance, resource=resource)
    automatic = _automatic_action(instance, Action.Trigger.ON_ENTRY)
    if automatic is not None:
        if depth >= MAX_AUTOMATIC_CHAIN:
            raise ValidationError(_("The workflow loops on automatic actions."), code="loop")
        # One list of clean-ups: a failure later in the chain undoes earlier tasks' files too.
        _move(TaskContext(instance, resource, automatic, None, "", cleanups), depth + 1)
        return
    for delayed in instance.state.actions_out.filter(trigger=Action.Trigger.AFTER_DELAY):
        _schedule(instance, delayed)


def _automatic_action(instance: Instance, trigger: str, **filters) -> Action | None:
    return (
        Action.objects.filter(
            workflow_id=instance.workflow_id,
            from_states=instance.state_id,
            trigger=trigger,
            **filters,
        )
        .select_related("to_state")
        .order_by("order", "pk")
        .first()
    )


def _schedule(instance: Instance, action: Action) -> None:
    from lutetia.core.workflow.tasks import run_delayed_action as delayed_task

    run_after = instance.entered_at + timedelta(hours=action.delay_hours or 0)
    transaction.on_commit(
        partial(
            delayed_task.using(run_after=run_after).enqueue,
            instance.pk,
            action.pk,
            instance.entered_at.isoformat(),
        )
    )


def _real(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None
