"""The registries of task kinds and events, filled through ``lutetia.core.hooks``.

The engine knows no task by name: the core registers its generic kinds (``core_tasks``)
and services add theirs from their app's ``ready()``, e.g.::

    register_task_kind(TaskKind("decision_pdf", _("Generate a decision"), run=..., check=...))
    register_event(WorkflowEvent("information_received", _("The resident answered")))

A kind's ``run(context, config)`` does its work inside the transition's transaction and
returns what to record in the history (a dict, or None); raising ``ValidationError``
cancels the whole transition. ``check(config)`` validates the settings typed in the
back-office editor.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from lutetia.core import hooks

TASK_KINDS_HOOK = "workflow_task_kinds"
EVENTS_HOOK = "workflow_events"


@dataclass
class TaskContext:
    """What a task sees: the instance, its resource, who acts and their comment."""

    instance: Any
    resource: Any
    action: Any
    acting_user: Any
    comment: str = ""
    cleanups: list[Callable[[], None]] = field(default_factory=list)

    def on_failure(self, fn: Callable[[], None]) -> None:
        """Undo something the database cannot roll back (a stored file) if the transition fails."""
        self.cleanups.append(fn)


@dataclass(frozen=True)
class TaskKind:
    code: str
    label: Any
    run: Callable[[TaskContext, dict], dict | None]
    check: Callable[[dict], None] | None = None


@dataclass(frozen=True)
class WorkflowEvent:
    """Something a service reports about a resource, which may trigger an action."""

    code: str
    label: Any


def register_task_kind(kind: TaskKind) -> None:
    if kind.code not in task_kinds():
        hooks.register(TASK_KINDS_HOOK, kind)


def register_event(event: WorkflowEvent) -> None:
    if event.code not in {e.code for e in hooks.get(EVENTS_HOOK)}:
        hooks.register(EVENTS_HOOK, event)


def task_kinds() -> dict[str, TaskKind]:
    return {kind.code: kind for kind in hooks.get(TASK_KINDS_HOOK)}


def task_kind_choices() -> list[tuple[str, Any]]:
    return [(kind.code, kind.label) for kind in hooks.get(TASK_KINDS_HOOK)]


def event_choices() -> list[tuple[str, Any]]:
    return [(event.code, event.label) for event in hooks.get(EVENTS_HOOK)]


def check_task_config(kind_code: str, config: Any) -> None:
    """Refuse settings a kind cannot run with (unknown kind, not an object, bad values)."""
    kind = task_kinds().get(kind_code)
    if kind is None:
        raise ValidationError(_("Unknown task kind."), code="unknown_kind")
    if not isinstance(config, dict):
        raise ValidationError(_("Settings must be a JSON object."), code="invalid_config")
    if kind.check is not None:
        kind.check(config)
