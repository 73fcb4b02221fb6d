"""The procedures' part of the workflow engine: task kinds, the answer event, closing demands.

Registered from the app's ``ready()``:

- ``ask_information``: ask the applicant a question (the action's comment, or the task's
  text); their answer raises the ``information_received`` event, which can run an action;
- ``decision_pdf``: a decision document (PDF) stored with the demand, downloadable by
  the applicant;
- entering a final state closes the demand (``closed_at``); leaving it reopens it; an
  archived instance archives the demand.
"""

import io
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from lutetia.core import hooks
from lutetia.core.workflow.actions import STATE_ENTERED_HOOK
from lutetia.core.workflow.core_tasks import in_language, message_values
from lutetia.core.workflow.kinds import (
    TaskContext,
    TaskKind,
    WorkflowEvent,
    register_event,
    register_task_kind,
)
from lutetia.core.workflow.resources import fill
from lutetia.services.procedures.models import Demand, DemandFile

INFORMATION_RECEIVED = "information_received"
DECISION_FIELD = "decision"


def run_ask_information(context: TaskContext, config: dict) -> dict:
    """Create an information request; staff type the question as the action's comment."""
    from lutetia.services.procedures.actions import request_information

    question = context.comment or fill(config.get("question_fr", ""), message_values(context))
    if not question:
        raise ValidationError({"comment": _("Write the question to ask the applicant.")})
    if context.acting_user is None:
        raise ValidationError(_("Only staff can ask the applicant for information."))
    information_request = request_information(
        demand=context.resource,
        question=question,
        requested_documents=config.get("documents", ""),
        acting_user=context.acting_user,
    )
    return {"information_request": information_request.pk}


def check_decision(config: dict) -> None:
    if not config.get("body_fr"):
        raise ValidationError(_("Write the decision's text in French (body_fr)."), code="empty")


def run_decision_pdf(context: TaskContext, config: dict) -> dict:
    """Render the decision as a PDF stored with the demand (deleted if the action fails)."""
    demand = context.resource
    recipient = demand.workflow_recipient()
    language = getattr(recipient, "preferred_language", "") or settings.LANGUAGE_CODE
    values = message_values(context)
    with override(language):
        content = decision_pdf(
            demand,
            title=fill(in_language(config, "title", language), values) or _("Decision"),
            body=fill(in_language(config, "body", language), values),
            comment=context.comment,
        )
    demand_file = DemandFile.objects.create(
        demand=demand,
        field_code=DECISION_FIELD,
        file=ContentFile(content, name=f"decision-{demand.reference}.pdf"),
        content_type="application/pdf",
        size=len(content),
    )
    name = demand_file.file.name
    context.on_failure(lambda: default_storage.delete(name))
    return {"file": demand_file.pk}


def decision_pdf(demand: Demand, *, title: str, body: str, comment: str) -> bytes:
    """A one-page letter: the city, the procedure, the reference, the decision and its text."""
    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, title=title, leftMargin=2.5 * cm, rightMargin=2.5 * cm
    )
    lines = [
        Paragraph(escape(settings.WAGTAIL_SITE_NAME), styles["Heading2"]),
        Paragraph(escape(demand.form.title), styles["Normal"]),
        Paragraph(
            escape(_("Reference: %(reference)s") % {"reference": demand.reference}),
            styles["Normal"],
        ),
        Paragraph(
            escape(formats.date_format(timezone.localdate(), "DATE_FORMAT")), styles["Normal"]
        ),
        Spacer(1, cm),
        Paragraph(escape(title), styles["Heading1"]),
        *[Paragraph(escape(part), styles["BodyText"]) for part in body.split("\n") if part.strip()],
    ]
    if comment:
        lines += [Spacer(1, 0.5 * cm), Paragraph(escape(comment), styles["BodyText"])]
    document.build(lines)
    return buffer.getvalue()


def sync_demand(*, instance, resource) -> None:
    """A final state closes the demand, another reopens it; archiving follows the instance."""
    if not isinstance(resource, Demand):
        return
    resource.closed_at = (resource.closed_at or timezone.now()) if instance.state.is_final else None
    resource.is_archived = instance.archived_at is not None
    resource.save(update_fields=["closed_at", "is_archived", "updated_at"])


def register() -> None:
    register_task_kind(
        TaskKind(
            "ask_information",
            gettext_lazy("Ask the applicant for information"),
            run_ask_information,
        )
    )
    register_task_kind(
        TaskKind(
            "decision_pdf",
            gettext_lazy("Generate a decision (PDF)"),
            run_decision_pdf,
            check_decision,
        )
    )
    register_event(
        WorkflowEvent(INFORMATION_RECEIVED, gettext_lazy("The applicant answered a request"))
    )
    if sync_demand not in hooks.get(STATE_ENTERED_HOOK):
        hooks.register(STATE_ENTERED_HOOK, sync_demand)
