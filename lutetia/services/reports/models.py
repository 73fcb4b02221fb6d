"""Dans ma rue: the category taxonomy, reports and their timeline, followers, alerts, moderation.

Statuses follow the report's life in the back office; Open311 sees them as open or closed
(``Report.Status.OPEN``). Locations are WGS 84 longitude/latitude, with a coarse grid cell
(``cell``) indexed for viewport queries on SQLite and PostgreSQL alike.
"""

import math
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

from lutetia.core.registry import localized

# Grid cells of 1/200 degree (≈ 550 m × 360 m in Paris) for viewport and nearby queries.
CELLS_PER_DEGREE = 200


def cell_of(longitude: float, latitude: float) -> int:
    """The grid cell holding a point: one integer, so one B-tree index serves every database."""
    column = math.floor((longitude + 180) * CELLS_PER_DEGREE)
    row = math.floor((latitude + 90) * CELLS_PER_DEGREE)
    return row * 360 * CELLS_PER_DEGREE + column


class Category(ClusterableModel):
    """A family (no parent) or a sub-type (with a parent). Residents and Open311 pick sub-types.

    ``code`` is the Open311 ``service_code``; ``department`` is where its reports go unless a
    routing rule for the report's district says otherwise. ``open311_moderated`` holds the
    reports Open311 applications send until a moderator publishes them (a "batch" service).
    """

    parent = models.ForeignKey(
        "self",
        verbose_name=_("family"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    keywords = models.CharField(_("keywords"), max_length=300, blank=True)
    department = models.ForeignKey(
        "core.Department",
        verbose_name=_("department in charge"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="report_categories",
    )
    target_days = models.PositiveIntegerField(
        _("target time to resolve (days)"), null=True, blank=True
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)
    open311_moderated = models.BooleanField(
        _("Open311 reports held for moderation"),
        default=False,
        help_text=_(
            "Reports sent by Open311 applications wait for a moderator before they are published."
        ),
    )

    class Meta:
        ordering = ["order", "name_fr"]
        verbose_name = _("report category")
        verbose_name_plural = _("report categories")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized({"fr": self.name_fr, "en": self.name_en})

    @property
    def description(self) -> str:
        return localized({"fr": self.description_fr, "en": self.description_en})

    @property
    def is_family(self) -> bool:
        return self.parent_id is None

    @property
    def target(self) -> timedelta | None:
        return timedelta(days=self.target_days) if self.target_days else None


class CategoryAttribute(models.Model):
    """An extra question asked for a sub-type: Open311's service definition attribute."""

    class Datatype(models.TextChoices):
        STRING = "string", _("short text")
        NUMBER = "number", _("number")
        DATETIME = "datetime", _("date and time")
        TEXT = "text", _("long text")
        SINGLE = "singlevaluelist", _("one choice")
        MULTI = "multivaluelist", _("several choices")

    # A ParentalKey so that the back office edits a category's attributes inline. Its manager
    # stages writes until the category is saved: create rows with CategoryAttribute.objects.
    category = ParentalKey(Category, on_delete=models.CASCADE, related_name="attributes")
    code = models.SlugField(_("code"), max_length=60)
    variable = models.BooleanField(_("answered by the reporter"), default=True)
    datatype = models.CharField(_("type"), max_length=20, choices=Datatype.choices)
    required = models.BooleanField(_("required"), default=False)
    description = models.CharField(_("question"), max_length=300)
    datatype_description = models.CharField(_("help text"), max_length=300, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    values = models.JSONField(
        _("choices"), default=list, blank=True, help_text=_('[{"key": "…", "name": "…"}]')
    )

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="unique_attribute_code"),
        ]

    def __str__(self) -> str:
        return f"{self.category.code}/{self.code}"


class RoutingRule(models.Model):
    """Sends a category's reports in one district to another department than the default."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="routing_rules")
    district = models.ForeignKey(
        "districts.District", on_delete=models.CASCADE, related_name="report_routing_rules"
    )
    department = models.ForeignKey(
        "core.Department", on_delete=models.PROTECT, related_name="report_routing_rules"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["category", "district"], name="unique_routing_rule"),
        ]
        verbose_name = _("routing rule")

    def __str__(self) -> str:
        return f"{self.category} in {self.district} → {self.department}"


class RejectionReason(models.Model):
    """The managed list of reasons a report may be rejected for (shown to the public)."""

    label_fr = models.CharField(_("reason (French)"), max_length=200)
    label_en = models.CharField(_("reason (English)"), max_length=200)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["label_fr"]
        verbose_name = _("rejection reason")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return localized({"fr": self.label_fr, "en": self.label_en})


class ResponseTemplate(models.Model):
    """A ready-made public response, offered when staff set a status (optionally per category)."""

    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("for status"), max_length=20, blank=True)
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    text_fr = models.TextField(_("text (French)"))
    text_en = models.TextField(_("text (English)"), blank=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("response template")

    def __str__(self) -> str:
        return self.title


# ``Report.OPEN``, for the partial indexes of its Meta (which cannot see the class).
_OPEN_STATUSES = ["new", "acknowledged", "scheduled", "in_progress"]


class Report(models.Model):
    """A problem reported in public space."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        SCHEDULED = "scheduled", _("Scheduled")
        IN_PROGRESS = "in_progress", _("In progress")
        RESOLVED = "resolved", _("Resolved")
        REJECTED = "rejected", _("Rejected")
        DUPLICATE = "duplicate", _("Duplicate")
        TRANSFERRED = "transferred", _("Transferred")

    OPEN = (Status.NEW, Status.ACKNOWLEDGED, Status.SCHEDULED, Status.IN_PROGRESS)
    CLOSED = (Status.RESOLVED, Status.REJECTED, Status.DUPLICATE, Status.TRANSFERRED)

    class Priority(models.IntegerChoices):
        LOW = 0, _("Low")
        NORMAL = 1, _("Normal")
        HIGH = 2, _("High")
        URGENT = 3, _("Urgent")

    class Source(models.TextChoices):
        WEB = "web", _("Website")
        OPEN311 = "open311", _("Open311 application")
        STAFF = "staff", _("Entered by staff")
        IMPORT = "import", _("Imported")
        GENERATED = "generated", _("Generated")

    reference = models.CharField(_("reference"), max_length=30, unique=True)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="reports",
        db_index=False,  # report_category_date and report_category_cell lead with it
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    description = models.TextField(_("description"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    longitude = models.FloatField(_("longitude"))
    latitude = models.FloatField(_("latitude"))
    cell = models.BigIntegerField(editable=False)
    district = models.ForeignKey(
        "districts.District",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        null=True,
        related_name="reports",
        db_index=False,  # report_district_date leads with it
    )
    department = models.ForeignKey(
        "core.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        related_name="reports",
        db_index=False,  # report_triage leads with it
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_reports",
        db_index=False,  # a partial index: see Meta
    )
    attributes = models.JSONField(_("answers to the category's questions"), default=dict)
    media_url = models.URLField(_("media URL"), max_length=1000, blank=True)

    # Who reported it: never published. ``reporter_public`` chooses whether the public page
    # shows the reporter's first name or "anonymous".
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reporter"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        db_index=False,  # a partial index: see Meta
    )
    email = models.EmailField(_("e-mail"), blank=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    reporter_public = models.BooleanField(_("show my first name publicly"), default=False)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    api_key = models.ForeignKey(
        "api.ApiKey",
        verbose_name=_("application"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # a partial index: see Meta
    )

    # Publication: anonymous web reports wait for their e-mail confirmation; staff may hide.
    confirmation_token = models.CharField(max_length=64, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    hidden = models.BooleanField(_("hidden by moderation"), default=False)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=300, blank=True)

    created_at = models.DateTimeField(_("reported at"), db_index=True)
    updated_at = models.DateTimeField(_("updated at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    status_notes = models.TextField(_("latest public response"), blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
        db_index=False,  # a partial index: see Meta
    )
    rejection_reason = models.ForeignKey(
        RejectionReason,
        verbose_name=_("rejection reason"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # a partial index: see Meta
    )
    transferred_to = models.CharField(_("transferred to"), max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["category", "cell"], name="report_category_cell"),
            models.Index(fields=["category", "created_at"], name="report_category_date"),
            models.Index(fields=["department", "status", "created_at"], name="report_triage"),
            models.Index(fields=["district", "created_at"], name="report_district_date"),
            models.Index(fields=["status", "created_at"], name="report_status_date"),
            # The triage queue lists open reports oldest first: without these, PostgreSQL walks
            # the date index from the oldest report through a million closed ones.
            models.Index(
                fields=["created_at", "id"],
                condition=models.Q(status__in=_OPEN_STATUSES),
                name="report_open_age",
            ),
            models.Index(
                fields=["department", "created_at", "id"],
                condition=models.Q(status__in=_OPEN_STATUSES),
                name="report_open_department_age",
            ),
            # Links most reports do not have: indexed where they are set, so that the million
            # reports without one cost nothing to insert or store.
            *(
                models.Index(
                    fields=[field], condition=~models.Q(**{field: None}), name=f"report_{field}"
                )
                for field in ("assignee", "reporter", "api_key", "duplicate_of", "rejection_reason")
            ),
            models.Index(
                fields=["confirmation_token"],
                condition=~models.Q(confirmation_token=""),
                name="report_confirmation_token",
            ),
        ]
        permissions = [
            ("triage_report", "Can triage reports (status, routing, responses)"),
            ("moderate_report", "Can moderate reports (redact, hide, ban e-mails)"),
            ("manage_routing", "Can edit report routing"),
        ]
        verbose_name = _("report")

    def __str__(self) -> str:
        return self.reference

    def save(self, *args, **kwargs):
        self.cell = cell_of(self.longitude, self.latitude)
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def is_public(self) -> bool:
        return self.published_at is not None and not self.hidden

    @property
    def awaiting_moderation(self) -> bool:
        """Unpublished without an e-mail link to follow, and not hidden (rejected): an Open311
        report held for a moderator."""
        return self.published_at is None and not self.confirmation_token and not self.hidden

    @property
    def reporter_display_name(self) -> str:
        """What the public page says about the reporter."""
        if self.reporter_public and self.first_name:
            return self.first_name
        return str(_("anonymous resident"))

    @property
    def due_at(self):
        target = self.category.target
        return self.created_at + target if target else None


class ReportPhoto(models.Model):
    """A photo of the problem (``before``) or of the work done (``after``), without metadata."""

    class Kind(models.TextChoices):
        BEFORE = "before", _("Reported")
        AFTER = "after", _("After the work")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="photos")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.BEFORE)
    image = models.ImageField(
        upload_to="reports/photos/%Y/%m/", width_field="width", height_field="height"
    )
    thumbnail = models.ImageField(upload_to="reports/thumbnails/%Y/%m/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    hidden = models.BooleanField(_("hidden by moderation"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.report} photo {self.pk}"


class ReportUpdate(models.Model):
    """One entry of a report's timeline: a status change, a public response or an internal note.

    ``public_response`` is shown on the public page and sent to the reporter and followers;
    ``internal_note`` is for staff only. Routing and moderation changes are entries too.
    """

    class Kind(models.TextChoices):
        CREATED = "created", _("Reported")
        PUBLISHED = "published", _("Published")
        STATUS = "status", _("Status changed")
        RESPONSE = "response", _("Response")
        NOTE = "note", _("Internal note")
        ROUTED = "routed", _("Department changed")
        RECATEGORISED = "recategorised", _("Category changed")
        MODERATED = "moderated", _("Moderated")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    from_status = models.CharField(max_length=20, choices=Report.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Report.Status.choices, blank=True)
    public_response = models.TextField(_("public response"), blank=True)
    internal_note = models.TextField(_("internal note"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.report}: {self.kind}"

    @property
    def is_public(self) -> bool:
        return bool(self.public_response) or self.kind in (self.Kind.CREATED, self.Kind.STATUS)


class Follower(models.Model):
    """Someone told of every public change of a report: a resident, or a confirmed address."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="followed_reports",
    )
    email = models.EmailField(blank=True)
    # An address typed by a visitor hears nothing until its owner follows the e-mailed link.
    confirmation_token = models.CharField(max_length=64, blank=True, db_index=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["report", "user"],
                condition=models.Q(user__isnull=False),
                name="unique_user_follower",
            ),
            models.UniqueConstraint(
                fields=["report", "email"],
                condition=models.Q(user__isnull=True),
                name="unique_email_follower",
            ),
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | ~models.Q(email=""),
                name="follower_has_user_or_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user or self.email} follows {self.report}"


class Alert(models.Model):
    """A resident's subscription to new reports in a district or within a radius of a point."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_alerts"
    )
    district = models.ForeignKey(
        "districts.District", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    longitude = models.FloatField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    radius_m = models.PositiveIntegerField(_("radius (metres)"), null=True, blank=True)
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(district__isnull=False)
                | models.Q(longitude__isnull=False, latitude__isnull=False, radius_m__isnull=False),
                name="alert_has_district_or_circle",
            ),
        ]

    def __str__(self) -> str:
        return f"alert of {self.user}"


class BannedEmail(models.Model):
    """An abusive address: its reports are refused (stored lower-cased)."""

    email = models.EmailField(_("e-mail"), unique=True)
    reason = models.CharField(_("reason"), max_length=300)
    banned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("banned e-mail")

    def __str__(self) -> str:
        return self.email


class Open311Token(models.Model):
    """An Open311 POST that was not published at once (held for moderation).

    ``tokens/{token}`` answers with the report's id once it exists publicly.
    """

    token = models.CharField(max_length=64, unique=True)
    report = models.OneToOneField(
        Report, on_delete=models.CASCADE, null=True, blank=True, related_name="open311_token"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.token
