"""Reads of the workflow engine: a resource's instance, what a staff member may run, history."""

from collections.abc import Iterable

from django.db.models import QuerySet

from lutetia.core.models import Role
from lutetia.core.permissions import is_city_administrator, may_act_on, may_manage
from lutetia.core.workflow.models import Action, History, Instance
from lutetia.core.workflow.resources import content_type_of, permission_for


def instance_for(resource) -> Instance | None:
    return (
        Instance.objects.select_related("state", "workflow", "department", "assignee")
        .filter(content_type=content_type_of(resource), object_id=resource.pk)
        .first()
    )


def attach_instances(resources: Iterable) -> list:
    """Set ``workflow_instance`` (or None) on each resource, in one query."""
    resources = list(resources)
    if not resources:
        return resources
    found = {
        instance.object_id: instance
        for instance in Instance.objects.select_related("state", "department", "assignee").filter(
            content_type=content_type_of(resources[0]), object_id__in=[r.pk for r in resources]
        )
    }
    for resource in resources:
        resource.workflow_instance = found.get(resource.pk)
    return resources


def resources_in_state(model, state_ids) -> QuerySet:
    """The object ids of ``model`` whose instance is in one of ``state_ids`` (a subquery)."""
    return Instance.objects.filter(
        content_type=content_type_of(model), state_id__in=state_ids
    ).values("object_id")


def may_run(user, resource, action: Action) -> bool:
    """The resource's change permission in its department, and the role the action asks."""
    if not may_act_on(user, resource, permission=permission_for(resource)):
        return False
    if action.required_role == Role.MANAGER:
        return may_manage(user, resource)
    if action.required_role == Role.ADMINISTRATOR:
        return is_city_administrator(user)
    return True


def manual_actions_from(state_id: int) -> QuerySet[Action]:
    return Action.objects.filter(
        from_states=state_id, trigger=Action.Trigger.MANUAL
    ).select_related("to_state")


def available_actions(user, resource, instance: Instance | None) -> list[Action]:
    """The manual actions leaving the instance's state that ``user`` may run."""
    if instance is None:
        return []
    return [a for a in manual_actions_from(instance.state_id) if may_run(user, resource, a)]


def history_of(instance: Instance) -> QuerySet[History]:
    return instance.history.select_related("from_state", "to_state", "user")
