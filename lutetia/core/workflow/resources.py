"""The small protocol a resource follows to go through a workflow.

A resource is any model instance (a procedure's demand, a report…) with:

- ``department_id``: the department whose staff act on it (``may_act_on`` scoping);
- ``workflow_recipient()``: who hears about it, a user account, an e-mail address or None;
- optionally ``workflow_placeholders()``: values for ``{name}`` in messages typed by staff
  (``{reference}`` is the resource's text by default) and ``workflow_url()``: the
  resident's page about it, linked from notifications.

Staff need the resource's ``change`` permission (``<app>.change_<model>``) to run actions.
"""

import re
from typing import Any, Protocol

from django.contrib.contenttypes.models import ContentType

PLACEHOLDER = re.compile(r"\{(\w+)\}")


class WorkflowResource(Protocol):
    pk: Any
    department_id: int | None

    def workflow_recipient(self) -> Any: ...


def content_type_of(resource) -> ContentType:
    return ContentType.objects.get_for_model(resource)


def permission_for(resource) -> str:
    meta = resource._meta
    return f"{meta.app_label}.change_{meta.model_name}"


def placeholders_of(resource, **extra: Any) -> dict[str, str]:
    values = {"reference": str(resource)}
    provider = getattr(resource, "workflow_placeholders", None)
    if provider is not None:
        values.update(provider())
    values.update(extra)
    return {key: str(value) for key, value in values.items()}


def fill(template: str, values: dict[str, str]) -> str:
    """Replace ``{name}`` by its value; unknown names stay as typed (no attribute access)."""
    return PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), template)


def url_of(resource) -> str:
    provider = getattr(resource, "workflow_url", None)
    return provider() if provider is not None else ""
