"""The generic task kinds every workflow can use: assign, notify, comment, archive.

Registered from the app's ``ready()``; services add their own kinds the same way.
"""

from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lutetia.core.models import Department
from lutetia.core.notifications.actions import notify
from lutetia.core.workflow.kinds import TaskContext, TaskKind, register_task_kind
from lutetia.core.workflow.resources import fill, placeholders_of, url_of

ACTING_USER = "acting_user"


def message_values(context: TaskContext) -> dict[str, str]:
    """Placeholders for messages: the resource's, plus the new state, the action, the comment."""
    return placeholders_of(
        context.resource,
        state=context.instance.state.name,
        action=context.action.label,
        comment=context.comment,
    )


def in_language(config: dict, key: str, language: str) -> str:
    """``config[key_<language>]``, falling back to the French text."""
    return config.get(f"{key}_{language}") or config.get(f"{key}_fr") or ""


# --- assign ------------------------------------------------------------------


def check_assign(config: dict) -> None:
    code = config.get("department")
    if not code and not config.get("agent"):
        raise ValidationError(_("Give a department code, an agent, or both."), code="empty")
    if code and not Department.objects.filter(code=code).exists():
        raise ValidationError(_("No department has the code %(code)s.") % {"code": code})
    agent = config.get("agent")
    if agent and agent != ACTING_USER and not _staff(agent):
        raise ValidationError(_("No staff member has the e-mail %(email)s.") % {"email": agent})


def run_assign(context: TaskContext, config: dict) -> dict:
    """Hand the resource to a department and/or an agent ("acting_user": whoever runs it)."""
    instance = context.instance
    if config.get("department"):
        instance.department = Department.objects.get(code=config["department"])
        instance.assignee = None
    agent = config.get("agent")
    if agent == ACTING_USER:
        instance.assignee = context.acting_user
    elif agent:
        instance.assignee = _staff(agent)
    return {
        "department": str(instance.department or ""),
        "agent": instance.assignee.email if instance.assignee else "",
    }


def _staff(email: str):
    return get_user_model().objects.filter(email__iexact=email, is_staff=True).first()


# --- notify the resident -------------------------------------------------------


def check_notify(config: dict) -> None:
    if not config.get("body_fr"):
        raise ValidationError(_("Write the message in French (body_fr)."), code="empty")


def run_notify(context: TaskContext, config: dict) -> dict:
    """Tell the resource's recipient: in-app and e-mail for an account, e-mail otherwise."""
    from lutetia.core.workflow.tasks import send_workflow_email

    recipient = context.resource.workflow_recipient()
    if not recipient:
        return {"notified": ""}
    values = message_values(context)
    if isinstance(recipient, str):
        language = settings.LANGUAGE_CODE
    else:
        language = recipient.preferred_language or settings.LANGUAGE_CODE
    subject = fill(in_language(config, "subject", language), values) or values["reference"]
    body = fill(in_language(config, "body", language), values)
    if isinstance(recipient, str):
        transaction.on_commit(partial(send_workflow_email.enqueue, recipient, subject, body))
        return {"notified": recipient}
    notify(
        recipient=recipient,
        kind="message",
        context={"subject": subject, "message": body},
        url=url_of(context.resource),
    )
    return {"notified": recipient.email}


# --- internal comment, archive ---------------------------------------------------


def check_comment(config: dict) -> None:
    if not config.get("text"):
        raise ValidationError(_("Write the comment (text)."), code="empty")


def run_comment(context: TaskContext, config: dict) -> dict:
    return {"comment": fill(config["text"], message_values(context))}


def run_archive(context: TaskContext, config: dict) -> dict:
    context.instance.archived_at = timezone.now()
    return {"archived": True}


def register_core_task_kinds() -> None:
    for kind in (
        TaskKind(
            "assign", gettext_lazy("Assign to a department or an agent"), run_assign, check_assign
        ),
        TaskKind("notify", gettext_lazy("Notify the resident"), run_notify, check_notify),
        TaskKind("comment", gettext_lazy("Internal comment"), run_comment, check_comment),
        TaskKind("archive", gettext_lazy("Archive"), run_archive),
    ):
        register_task_kind(kind)
