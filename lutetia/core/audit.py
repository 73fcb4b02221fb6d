"""The audit trail: every staff write is logged through Wagtail's action log.

``log`` records who did what to which object, with a before/after snapshot where
one is useful. Entries show in the back office under Reports → Site history and in
each object's history.
"""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from wagtail.log_actions import get_active_log_context
from wagtail.log_actions import registry as log_registry
from wagtail.models import PageLogEntry


def log(instance: models.Model, action: str, *, user, data: dict[str, Any] | None = None):
    """Write one audit entry for ``instance`` (call inside the write's transaction).

    The entry is the one Wagtail's ``log`` stores (entry model for the instance's type, page
    or model; title; the active log context's user and uuid), saved without Wagtail's
    ``full_clean()``, which spends two queries checking that the content type and the user
    exist on every write. Its one other check, that the action is registered, is kept.
    """
    model = log_registry.get_log_model_for_instance(instance)
    if model is None:
        return None
    if not log_registry.action_exists(action):
        raise ValidationError({"action": f"The log action '{action}' has not been registered."})
    if instance.pk is None:
        raise ValueError(
            f"Attempted to log an action for object {instance!r} with empty primary key"
        )
    context = get_active_log_context()
    target = (
        {"page": instance} if issubclass(model, PageLogEntry) else {"object_id": str(instance.pk)}
    )
    entry = model(
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=False),
        label=model.objects.get_instance_title(instance),
        action=action,
        timestamp=timezone.now(),
        data=data or {},
        user=_real_user(user) or context.user,
        uuid=context.uuid,
        **target,
    )
    models.Model.save(entry)  # not the entry's save(): that one runs full_clean()
    return entry


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The fields that differ, as {"before": {...}, "after": {...}} for an audit entry."""
    changed = [key for key in after if before.get(key) != after.get(key)]
    return {
        "before": {key: _jsonable(before.get(key)) for key in changed},
        "after": {key: _jsonable(after.get(key)) for key in changed},
    }


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    return {name: getattr(instance, name) for name in fields}


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, models.Model):
        return value.pk
    return str(value)


def _real_user(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None
