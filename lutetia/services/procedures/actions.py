"""Every write of the procedures service: building and publishing forms, drafts, demands.

Files are written to storage inside the same action as their rows; when the action
fails, the files it wrote are deleted (``files_removed_on_error``), so nothing half-saved remains.
Files that a committed action replaces are deleted only after the commit.
"""

import os
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lutetia.accounts.models import User
from lutetia.core import audit
from lutetia.core.districts.lookup import district_at
from lutetia.core.notifications.actions import notify
from lutetia.core.permissions import may_act_on, may_manage
from lutetia.core.references import next_reference
from lutetia.core.uploads import CleanDocument, files_removed_on_error
from lutetia.core.workflow.actions import signal_event, start_workflow
from lutetia.services.procedures import definition as definitions
from lutetia.services.procedures import selectors
from lutetia.services.procedures.emails import send_demand_email
from lutetia.services.procedures.models import (
    Demand,
    DemandFile,
    Draft,
    DraftFile,
    Form,
    FormVersion,
    InformationRequest,
    Message,
)
from lutetia.services.procedures.workflow_tasks import INFORMATION_RECEIVED

REFERENCE_PREFIX = "DEM"
ERASED = "[deleted]"
FORM_FIELDS = [
    "title",
    "slug",
    "department",
    "workflow",
    "available_from",
    "available_until",
    "audience",
    "max_answers_per_user",
    "processing_target_days",
]


# --- The form builder (staff) ------------------------------------------------------------


@transaction.atomic
def save_form(*, form: Form, acting_user) -> Form:
    """Create or update a form's settings and draft definition (the published version stays)."""
    permission = "procedures.change_form" if form.pk else "procedures.add_form"
    if not acting_user.has_perm(permission) or not may_manage(acting_user, form):
        raise PermissionDenied
    created = form.pk is None
    before = {} if created else audit.snapshot(Form.objects.get(pk=form.pk), FORM_FIELDS)
    form.save()
    audit.log(
        form,
        "lutetia.procedures.form_created" if created else "lutetia.procedures.form_changed",
        user=acting_user,
        data=audit.changes(before, audit.snapshot(form, FORM_FIELDS)),
    )
    return form


@transaction.atomic
def publish_form(*, form: Form, acting_user) -> FormVersion:
    """Freeze the form's current steps and fields into a new version that residents answer.

    Demands and drafts keep the version they were started on.
    """
    if not acting_user.has_perm("procedures.change_form") or not may_manage(acting_user, form):
        raise PermissionDenied
    form = Form.objects.select_for_update().get(pk=form.pk)  # one number per publication
    snapshot = definitions.snapshot(form)
    last = form.versions.aggregate(last=Max("number"))["last"] or 0
    version = FormVersion.objects.create(
        form=form, number=last + 1, definition=snapshot, published_by=acting_user
    )
    form.published_version = version
    form.save(update_fields=["published_version", "updated_at"])
    audit.log(
        form,
        "lutetia.procedures.form_published",
        user=acting_user,
        data={"version": version.number},
    )
    return version


@transaction.atomic
def delete_form(*, form: Form, acting_user) -> None:
    """Delete a form nobody answered; answered forms are closed with their dates instead."""
    if not acting_user.has_perm("procedures.delete_form") or not may_manage(acting_user, form):
        raise PermissionDenied
    if form.demands.exists():
        raise ValidationError(
            _("Residents answered this form: close it with its end date instead."),
            code="form_in_use",
        )
    audit.log(form, "lutetia.procedures.form_deleted", user=acting_user, data={"slug": form.slug})
    form.published_version = None
    form.save(update_fields=["published_version"])
    form.delete()


# --- Residents: drafts and demands -----------------------------------------------------


@transaction.atomic
def start_draft(*, form: Form, acting_user, session_key: str = "") -> Draft:
    """Begin answering the form's published version (signed in: kept until sent)."""
    refused = selectors.refusal(form, acting_user)
    if refused is not None:
        raise refused
    signed_in = acting_user.is_authenticated
    draft = Draft.objects.create(
        form_version_id=form.published_version_id,
        user=acting_user if signed_in else None,
        session_key="" if signed_in else session_key,
    )
    audit.log(draft, "lutetia.procedures.draft_started", user=acting_user, data={"form": form.pk})
    return draft


@transaction.atomic
def save_step(
    *, draft: Draft, step: int, answers: dict, uploads: dict[str, CleanDocument], acting_user
) -> Draft:
    """Keep one step's answers and files in the draft and move it to the next shown step.

    No audit entry: a draft is the resident's unsent work; sending it is audited.
    """
    _check_draft_owner(draft, acting_user)
    with files_removed_on_error() as written:
        draft.answers = {**draft.answers, **answers}
        for code, document in uploads.items():
            written.append(_attach_to_draft(draft, code, document))
        shown = definitions.visible_steps(_definition(draft), draft.answers)
        following = [index for index in shown if index > step]
        draft.step = max(
            draft.step, following[0] if following else len(_definition(draft)["steps"])
        )
        draft.save(update_fields=["answers", "step", "updated_at"])
    return draft


@transaction.atomic
def discard_draft(*, draft: Draft, acting_user) -> None:
    _check_draft_owner(draft, acting_user)
    audit.log(draft, "lutetia.procedures.draft_discarded", user=acting_user)
    _remove_draft(draft)


@transaction.atomic
def submit_demand(*, draft: Draft, acting_user, contact_email: str = "") -> Demand:
    """Send a completed draft: the demand, its files, a reference and a receipt.

    The rules are checked again here (dates, audience, answers allowed, every shown
    required question answered), whatever the pages let through.
    """
    _check_draft_owner(draft, acting_user)
    version = draft.form_version
    form = version.form
    signed_in = acting_user.is_authenticated
    if signed_in:  # one submission at a time per resident, so the answers limit holds
        User.objects.select_for_update().filter(pk=acting_user.pk).first()
    refused = selectors.refusal(form, acting_user)
    if refused is not None:
        raise refused
    if not signed_in and not contact_email:
        raise ValidationError(_("Please give an e-mail address for the receipt."), code="no_email")
    draft_files = list(draft.files.all())
    answers = definitions.final_answers(
        version.definition, draft.answers, {draft_file.field_code for draft_file in draft_files}
    )
    demand = Demand.objects.create(
        reference=next_reference(REFERENCE_PREFIX, timezone.localdate().year),
        form=form,
        form_version=version,
        department_id=form.department_id,
        applicant=acting_user if signed_in else None,
        contact_email=acting_user.email if signed_in else contact_email,
        answers=answers,
        district=_district_of(version.definition, answers),
    )
    shown = _shown_codes(version.definition, answers)
    with files_removed_on_error() as written:
        for draft_file in draft_files:
            if draft_file.field_code in shown:
                written.append(_copy_to_demand(demand, draft_file))
        audit.log(
            demand,
            "lutetia.procedures.demand_submitted",
            user=acting_user,
            data={"reference": demand.reference, "form": form.pk, "version": version.number},
        )
        _remove_draft(draft)
        _tell_applicant(demand, "procedure_receipt", {})
        if form.workflow_id:
            start_workflow(resource=demand, workflow=form.workflow, acting_user=acting_user)
    return demand


@transaction.atomic
def answer_information_request(
    *, information_request: InformationRequest, answer: str, uploads: list, acting_user
) -> InformationRequest:
    """The applicant answers staff's question, with the documents asked for."""
    demand = information_request.demand
    if not acting_user.is_authenticated or demand.applicant_id != acting_user.pk:
        raise PermissionDenied
    if not information_request.is_open:
        raise ValidationError(_("This request was already answered."), code="answered")
    if not answer.strip() and not uploads:
        raise ValidationError(_("Write an answer or attach a document."), code="empty")
    with files_removed_on_error() as written:
        for document in uploads:
            demand_file = DemandFile.objects.create(
                demand=demand,
                information_request=information_request,
                file=document.content,
                content_type=document.content_type,
                size=document.content.size,
            )
            written.append(demand_file.file.name)
        information_request.answer = answer.strip()
        information_request.answered_at = timezone.now()
        information_request.save(update_fields=["answer", "answered_at"])
        audit.log(
            demand,
            "lutetia.procedures.information_given",
            user=acting_user,
            data={"request": information_request.pk, "files": len(uploads)},
        )
        signal_event(resource=demand, event=INFORMATION_RECEIVED, acting_user=acting_user)
    return information_request


# --- Staff ↔ resident exchanges ------------------------------------------------------


@transaction.atomic
def request_information(
    *, demand: Demand, question: str, requested_documents: str = "", acting_user
) -> InformationRequest:
    """Ask the applicant for more information or a missing document; they are notified."""
    if not may_act_on(acting_user, demand, permission="procedures.change_demand"):
        raise PermissionDenied
    if not question.strip():
        raise ValidationError(_("The question is empty."), code="empty")
    information_request = InformationRequest.objects.create(
        demand=demand,
        question=question.strip(),
        requested_documents=requested_documents.strip(),
        requested_by=acting_user,
    )
    audit.log(
        demand,
        "lutetia.procedures.information_requested",
        user=acting_user,
        data={"request": information_request.pk},
    )
    _tell_applicant(
        demand, "procedure_information_request", {"information_request": information_request}
    )
    return information_request


@transaction.atomic
def post_message(*, demand: Demand, body: str, internal: bool = False, acting_user) -> Message:
    """A staff message to the applicant (notified), or an internal note only staff see."""
    if not may_act_on(acting_user, demand, permission="procedures.add_message"):
        raise PermissionDenied
    if not body.strip():
        raise ValidationError(_("The message is empty."), code="empty")
    message = Message.objects.create(
        demand=demand, author=acting_user, body=body.strip(), is_internal=internal
    )
    audit.log(
        demand,
        "lutetia.procedures.note_added" if internal else "lutetia.procedures.message_sent",
        user=acting_user,
        data={"message": message.pk},
    )
    if not internal:
        _tell_applicant(demand, "procedure_message", {"message": message})
    return message


@transaction.atomic
def erase_applicant(*, user, acting_user) -> int:
    """Anonymise a resident's demands when their account is deleted.

    The demands stay for statistics (procedure, department, district, dates); the
    answers, the contact address and what the resident wrote are removed with their
    files; drafts are deleted. Returns the number of demands anonymised.
    """
    demands = Demand.objects.filter(applicant=user)
    files = DemandFile.objects.filter(demand__in=demands)
    names = list(files.values_list("file", flat=True))
    names += list(DraftFile.objects.filter(draft__user=user).values_list("file", flat=True))
    files.delete()
    InformationRequest.objects.filter(demand__in=demands, answered_at__isnull=False).update(
        answer=ERASED
    )
    Draft.objects.filter(user=user).delete()
    count = demands.update(answers={}, contact_email="")
    audit.log(
        user, "lutetia.procedures.applicant_erased", user=acting_user, data={"demands": count}
    )
    transaction.on_commit(partial(_delete_stored, names))
    return count


# --- helpers ---------------------------------------------------------------------------


def _definition(draft: Draft) -> dict:
    return draft.form_version.definition


def _remove_draft(draft: Draft) -> None:
    """Delete the draft now and its files once the deletion is committed."""
    names = [draft_file.file.name for draft_file in draft.files.all()]
    draft.delete()
    transaction.on_commit(partial(_delete_stored, names))


def _check_draft_owner(draft: Draft, acting_user) -> None:
    owner = draft.user_id
    if owner is not None and (not acting_user.is_authenticated or acting_user.pk != owner):
        raise PermissionDenied


def _shown_codes(definition: dict, answers: dict) -> set[str]:
    return {field["code"] for _step, field in definitions.shown_fields(definition, answers)}


def _district_of(definition: dict, answers: dict):
    """The district of the first address answered (recomputed now from its point)."""
    for _step, field in definitions.shown_fields(definition, answers):
        if field["type"] == "address" and answers.get(field["code"]):
            point = answers[field["code"]]
            return district_at(point["longitude"], point["latitude"])
    return None


def _attach_to_draft(draft: Draft, code: str, document: CleanDocument) -> str:
    """Store the file for ``code``, replacing (after commit) the one it had."""
    previous = draft.files.filter(field_code=code).first()
    if previous is not None:
        transaction.on_commit(partial(_delete_stored, [previous.file.name]))
        previous.delete()
    draft_file = DraftFile.objects.create(
        draft=draft,
        field_code=code,
        file=document.content,
        content_type=document.content_type,
        size=document.content.size,
    )
    return draft_file.file.name


def _copy_to_demand(demand: Demand, draft_file: DraftFile) -> str:
    with draft_file.file.open("rb") as source:
        content = ContentFile(source.read(), name=os.path.basename(draft_file.file.name))
    demand_file = DemandFile.objects.create(
        demand=demand,
        field_code=draft_file.field_code,
        file=content,
        content_type=draft_file.content_type,
        size=draft_file.size,
    )
    return demand_file.file.name


def _delete_stored(names) -> None:
    for name in names:
        if name:
            default_storage.delete(name)


def _tell_applicant(demand: Demand, kind: str, context: dict) -> None:
    """A notification (and its e-mail) for accounts; a plain e-mail for anonymous applicants."""
    applicant = demand.applicant
    if applicant is not None and applicant.deleted_at is None:
        notify(
            recipient=applicant,
            kind=kind,
            context={"demand": demand, **context},
            url=reverse("procedures:demand_detail", args=[demand.reference]),
        )
    elif demand.contact_email:
        transaction.on_commit(partial(send_demand_email.enqueue, demand.pk, kind))
