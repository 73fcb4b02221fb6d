"""Online procedures: forms built by staff, their published versions, residents' demands.

A form's steps and fields are an editable draft; publishing freezes them into a new
``FormVersion`` (a JSON snapshot). Demands and drafts point at the version they were
answered on, so editing a published form never changes answers already given.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.fields import StreamField

from lutetia.accounts.models import VerificationLevel
from lutetia.services.procedures.blocks import StepBlock

# Paths of the resident pages that a form's slug must not take.
RESERVED_SLUGS = {"envoyee", "mes-demarches"}


class Audience(models.TextChoices):
    """Who may answer a form."""

    ANYONE = "anyone", _("Anyone, even without an account")
    SIGNED_IN = "signed_in", _("Signed-in residents")
    VERIFIED = "verified", _("Verified residents")

    @property
    def level(self) -> VerificationLevel | None:
        """The verification level required, None when no account is needed."""
        return {
            Audience.ANYONE: None,
            Audience.SIGNED_IN: VerificationLevel.NONE,
            Audience.VERIFIED: VerificationLevel.RESIDENT,
        }[self]


class Form(models.Model):
    """An online procedure as staff edit it; residents answer its published version."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    department = models.ForeignKey(
        "core.Department",
        on_delete=models.PROTECT,
        related_name="procedure_forms",
        verbose_name=_("department"),
    )
    available_from = models.DateTimeField(_("open from"), null=True, blank=True)
    available_until = models.DateTimeField(_("open until"), null=True, blank=True)
    audience = models.CharField(
        _("who may answer"), max_length=20, choices=Audience.choices, default=Audience.SIGNED_IN
    )
    max_answers_per_user = models.PositiveIntegerField(
        _("answers per resident"),
        null=True,
        blank=True,
        default=1,
        help_text=_("Empty: no limit. Only counted for signed-in residents."),
    )
    workflow = models.ForeignKey(
        "workflow.Workflow",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="procedure_forms",
        verbose_name=_("workflow"),
        help_text=_("How staff process its demands; each new demand starts in its first state."),
    )
    processing_target_days = models.PositiveIntegerField(
        _("processing target (days)"),
        null=True,
        blank=True,
        help_text=_("Used for the share of demands answered within target."),
    )
    steps = StreamField([("step", StepBlock())], blank=True, verbose_name=_("steps and fields"))
    published_version = models.ForeignKey(
        "FormVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("published version"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("procedure form")
        verbose_name_plural = _("procedure forms")

    def __str__(self) -> str:
        return self.title

    def clean(self):
        if self.slug in RESERVED_SLUGS:
            raise ValidationError({"slug": _("This slug is used by the site's own pages.")})

    def is_open(self, at=None) -> bool:
        """Published and within its availability dates."""
        at = at or timezone.now()
        return (
            self.published_version_id is not None
            and (self.available_from is None or self.available_from <= at)
            and (self.available_until is None or at < self.available_until)
        )


class FormVersion(models.Model):
    """An immutable snapshot of a form's steps and fields, created by publishing."""

    form = models.ForeignKey(
        Form, on_delete=models.CASCADE, related_name="versions", verbose_name=_("form")
    )
    number = models.PositiveIntegerField(_("version"))
    definition = models.JSONField(_("definition"))
    published_at = models.DateTimeField(_("published"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )

    class Meta:
        ordering = ["form", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["form", "number"], name="unique_form_version"),
        ]
        verbose_name = _("form version")
        verbose_name_plural = _("form versions")

    def __str__(self) -> str:
        return f"{self.form} v{self.number}"


class Demand(models.Model):
    """One resident's answers to one version of a form, sent to the city."""

    # Empty only inside the creating transaction: the number comes from the primary key.
    reference = models.CharField(  # noqa: DJ001
        _("reference"), max_length=20, unique=True, null=True, editable=False
    )
    form = models.ForeignKey(
        Form, on_delete=models.PROTECT, related_name="demands", verbose_name=_("form")
    )
    form_version = models.ForeignKey(
        FormVersion, on_delete=models.PROTECT, related_name="demands", verbose_name=_("version")
    )
    department = models.ForeignKey(
        "core.Department",
        on_delete=models.PROTECT,
        related_name="procedure_demands",
        verbose_name=_("department"),
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="procedure_demands",
        verbose_name=_("applicant"),
    )
    contact_email = models.EmailField(_("e-mail address"), blank=True)
    answers = models.JSONField(_("answers"), default=dict)
    district = models.ForeignKey(
        "districts.District",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    is_archived = models.BooleanField(_("archived"), default=False)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        indexes = [
            models.Index(fields=["form", "-submitted_at"], name="proc_demand_form_date"),
            models.Index(fields=["department", "-submitted_at"], name="proc_demand_dept_date"),
            models.Index(fields=["district", "-submitted_at"], name="proc_demand_district_date"),
            models.Index(fields=["applicant", "-submitted_at"], name="proc_demand_applicant"),
            models.Index(fields=["is_archived", "-submitted_at"], name="proc_demand_archived"),
        ]
        verbose_name = _("demand")
        verbose_name_plural = _("demands")

    def __str__(self) -> str:
        return f"{self.reference} — {self.form}"

    @property
    def reply_email(self) -> str:
        """Where news go: the account's address, else the one given on the form."""
        if self.applicant_id and not self.applicant.deleted_at:
            return self.applicant.email
        return self.contact_email

    # The workflow engine's resource protocol (lutetia/core/workflow/resources.py).
    def workflow_recipient(self):
        """The applicant's account, else the address given on the form."""
        if self.applicant_id and not self.applicant.deleted_at:
            return self.applicant
        return self.contact_email or None

    def workflow_placeholders(self) -> dict[str, str]:
        return {"reference": self.reference or "", "procedure": self.form.title}

    def workflow_url(self) -> str:
        return reverse("procedures:demand_detail", args=[self.reference])

    @property
    def status_label(self) -> str:
        """The demand's state as residents see it (the workflow's, once it has one)."""
        state = getattr(getattr(self, "workflow_instance", None), "state", None)
        if state is not None:
            return str(state)
        return str(_("Closed") if self.closed_at else _("Submitted"))


def demand_file_path(instance, filename: str) -> str:
    return f"procedures/{instance.demand_id}/{filename}"


class InformationRequest(models.Model):
    """Staff ask the resident for more information or a missing document."""

    demand = models.ForeignKey(
        Demand,
        on_delete=models.CASCADE,
        related_name="information_requests",
        verbose_name=_("demand"),
    )
    question = models.TextField(_("question"))
    requested_documents = models.TextField(_("documents requested"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("information request")
        verbose_name_plural = _("information requests")

    def __str__(self) -> str:
        return f"{self.demand.reference} ? #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.answered_at is None


class DemandFile(models.Model):
    """A file given with a demand (for a file field) or in answer to an information request."""

    demand = models.ForeignKey(
        Demand, on_delete=models.CASCADE, related_name="files", verbose_name=_("demand")
    )
    field_code = models.CharField(_("field"), max_length=50, blank=True)
    information_request = models.ForeignKey(
        InformationRequest,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="files",
        verbose_name=_("information request"),
    )
    file = models.FileField(_("file"), upload_to=demand_file_path, max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("demand file")
        verbose_name_plural = _("demand files")

    def __str__(self) -> str:
        return self.file.name


class Draft(models.Model):
    """Answers being filled in, step by step, kept in the database until sent.

    A signed-in resident's draft can be left and resumed; an anonymous visitor's is tied
    to the session.
    """

    token = models.UUIDField(_("token"), default=uuid.uuid4, unique=True, editable=False)
    form_version = models.ForeignKey(
        FormVersion, on_delete=models.CASCADE, related_name="drafts", verbose_name=_("version")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="procedure_drafts",
        verbose_name=_("user"),
    )
    session_key = models.CharField(_("session"), max_length=40, blank=True, db_index=True)
    step = models.PositiveIntegerField(_("step"), default=0)
    answers = models.JSONField(_("answers"), default=dict)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")

    def __str__(self) -> str:
        return f"{self.form_version} — {self.token}"


def draft_file_path(instance, filename: str) -> str:
    return f"procedures/drafts/{instance.draft.token}/{filename}"


class DraftFile(models.Model):
    """A validated file attached to a draft, moved to the demand when it is sent."""

    draft = models.ForeignKey(
        Draft, on_delete=models.CASCADE, related_name="files", verbose_name=_("draft")
    )
    field_code = models.CharField(_("field"), max_length=50)
    file = models.FileField(_("file"), upload_to=draft_file_path, max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["draft", "field_code"], name="unique_draft_file"),
        ]
        verbose_name = _("draft file")
        verbose_name_plural = _("draft files")

    def __str__(self) -> str:
        return self.file.name


class Message(models.Model):
    """One message about a demand; internal notes are only shown to staff."""

    demand = models.ForeignKey(
        Demand, on_delete=models.CASCADE, related_name="messages", verbose_name=_("demand")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    body = models.TextField(_("message"))
    is_internal = models.BooleanField(_("internal note"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"{self.demand.reference} #{self.pk}"
