"""The audit trail: every staff write is logged through Wagtail's action log.

``log`` records who did what to which object, with a before/after snapshot where
one is useful. Entries show in the back office under Reports → Site history and in
each object's history.
"""

from typing import Any

from django.db import models
from wagtail.log_actions import log as wagtail_log


def log(instance: models.Model, action: str, *, user, data: dict[str, Any] | None = None):
    """Write one audit entry for ``instance`` (call inside the write's transaction)."""
    return wagtail_log(instance=instance, action=action, user=_real_user(user), data=data or {})


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
