"""Forms of the Dans ma rue back office: input validation only, the writes are in actions.py."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from lutetia.core.districts.models import District
from lutetia.core.models import Department
from lutetia.core.registry import localized
from lutetia.core.uploads import ImageUploadField
from lutetia.services.reports.models import (
    Category,
    RejectionReason,
    Report,
    ReportPhoto,
    ResponseTemplate,
)

PAGE_SIZES = (25, 50, 100)
STATUS_CHOICES = [
    ("open", _("Open")),
    ("closed", _("Closed")),
    ("all", _("All")),
    *Report.Status.choices,
]
AGE_CHOICES = [
    ("", _("Any age")),
    ("overdue", _("Past its target time")),
    ("2", _("Older than 2 days")),
    ("7", _("Older than 7 days")),
    ("30", _("Older than 30 days")),
]
# What the bulk form (and the a/s/p/r shortcuts) may set; closing otherwise needs details.
BULK_STATUSES = (
    Report.Status.ACKNOWLEDGED,
    Report.Status.SCHEDULED,
    Report.Status.IN_PROGRESS,
    Report.Status.RESOLVED,
)
SORT_CHOICES = [
    ("oldest", _("Oldest first")),
    ("newest", _("Newest first")),
    ("priority", _("Highest priority first")),
]


class CategoryChoiceField(forms.ModelChoiceField):
    """Sub-types shown under their family's name."""

    def label_from_instance(self, obj):
        return f"{obj.parent.name} › {obj.name}" if obj.parent_id else obj.name


def staff_label(user) -> str:
    return user.get_full_name() or user.email


class QuickSelect(forms.Select):
    """A select of flat choices written in Python: the queue's forms hold some two hundred
    options, and a template per option (Django's way) cost more than the page's rows."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = next(iter(self.format_value(value)), None)
        options = "".join(
            f'<option value="{conditional_escape(choice)}"'
            f"{' selected' if chosen is not None and str(choice) == chosen else ''}>"
            f"{conditional_escape(label)}</option>"
            for choice, label in self.choices
        )
        html_attrs = flatatt(self.build_attrs(self.attrs, attrs))
        return mark_safe(
            f'<select name="{conditional_escape(name)}"{html_attrs}>{options}</select>'
        )


def set_loaded_choices(field, pairs) -> None:
    """Give a model choice field its (pk, label) choices from rows already loaded: rendering
    it then runs no query and builds no model instance."""
    field.choices = [("", field.empty_label), *pairs]


def category_choices() -> list[tuple[int, str]]:
    """Every category as (pk, "family › type") in the current language, from plain rows:
    building the seventy categories and their families costs more than the query."""
    rows = Category.objects.order_by("parent__order", "parent__name_fr", "order", "name_fr")
    choices = []
    for pk, name_fr, name_en, family_fr, family_en in rows.values_list(
        "pk", "name_fr", "name_en", "parent__name_fr", "parent__name_en"
    ):
        name = localized({"fr": name_fr, "en": name_en})
        if family_fr is not None:
            name = f"{localized({'fr': family_fr, 'en': family_en})} › {name}"
        choices.append((pk, name))
    return choices


def sub_types():
    return Category.objects.filter(parent__isnull=False, active=True).select_related("parent")


def active_departments():
    return Department.objects.filter(is_active=True)


class TriageFilterForm(forms.Form):
    """The queue's filters (GET): every field optional, bad values fall back to the defaults."""

    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.none(),
        required=False,
        widget=QuickSelect,
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.all(), required=False, widget=QuickSelect
    )
    district = forms.ModelChoiceField(
        label=_("District"), queryset=None, required=False, widget=QuickSelect
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        choices=[("", _("Any priority")), *Report.Priority.choices],
        coerce=int,
        required=False,
        widget=QuickSelect,
    )
    age = forms.ChoiceField(label=_("Age"), choices=AGE_CHOICES, required=False, widget=QuickSelect)
    assignee = forms.ChoiceField(label=_("Assigned to"), required=False, widget=QuickSelect)
    q = forms.CharField(label=_("Reference or text"), required=False, max_length=200)
    sort = forms.ChoiceField(
        label=_("Sort"), choices=SORT_CHOICES, required=False, widget=QuickSelect
    )
    per_page = forms.TypedChoiceField(
        label=_("Per page"),
        choices=[(n, n) for n in PAGE_SIZES],
        coerce=int,
        required=False,
        widget=QuickSelect,
    )

    def __init__(self, *args, departments: list, staff: list, **kwargs):
        super().__init__(*args, **kwargs)
        department = self.fields["department"]
        department.queryset = Department.objects.filter(pk__in=[d.pk for d in departments])
        set_loaded_choices(department, ((d.pk, str(d)) for d in departments))
        set_loaded_choices(self.fields["category"], category_choices())
        district = self.fields["district"]
        district.queryset = District.objects.all()
        set_loaded_choices(district, district.queryset.order_by("code").values_list("pk", "name"))
        self.fields["assignee"].choices = [
            ("", _("Anyone")),
            ("me", _("Me")),
            ("none", _("Nobody")),
            *((str(user.pk), staff_label(user)) for user in staff),
        ]

    def values(self) -> dict:
        """The cleaned filters, with defaults; invalid ones are dropped rather than refused."""
        values = {name: "" for name in self.fields}
        if self.is_bound:
            self.is_valid()
            values.update(getattr(self, "cleaned_data", {}))
        values["status"] = values["status"] or "open"
        values["sort"] = values["sort"] or "oldest"
        values["per_page"] = values["per_page"] or PAGE_SIZES[0]
        return values


def chosen_response(cleaned_data: dict) -> str:
    """The written response, else the chosen template's text (French, the city's language)."""
    template = cleaned_data.get("template")
    written = cleaned_data.get("public_response", "").strip()
    return written or (template.text_fr if template else "")


class ResponseFields(forms.Form):
    """A public response written or taken from a template, and an internal note."""

    template = forms.ModelChoiceField(
        label=_("Response template"),
        queryset=ResponseTemplate.objects.all(),
        required=False,
        help_text=_("Used when the public response below is left empty."),
        widget=QuickSelect,
    )
    public_response = forms.CharField(
        label=_("Public response"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown on the report's page and sent to the reporter and followers."),
    )

    def __init__(self, *args, templates=None, **kwargs):
        super().__init__(*args, **kwargs)
        if templates is not None:
            self.fields["template"].queryset = templates


class MultipleImagesInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AfterPhotosField(ImageUploadField):
    """Several photos in one input; each one is checked and cleaned like a single upload."""

    widget = MultipleImagesInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if len(files) > settings.LUTETIA_REPORTS_MAX_PHOTOS:
            raise ValidationError(
                _("At most %(max)d photos.") % {"max": settings.LUTETIA_REPORTS_MAX_PHOTOS},
                code="too_many_photos",
            )
        clean_one = super().clean
        return [clean_one(one, initial) for one in files]


class StatusForm(ResponseFields):
    status = forms.ChoiceField(label=_("New status"), choices=Report.Status.choices)
    internal_note = forms.CharField(
        label=_("Internal note"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Seen by staff only."),
    )
    rejection_reason = forms.ModelChoiceField(
        label=_("Rejection reason"),
        queryset=RejectionReason.objects.filter(active=True),
        required=False,
        help_text=_("Required to reject the report."),
    )
    duplicate_of = forms.CharField(
        label=_("Duplicate of (reference)"),
        required=False,
        max_length=30,
        help_text=_("Required for a duplicate, e.g. DMR-2026-000123."),
    )
    transferred_to = forms.CharField(
        label=_("Transferred to"),
        required=False,
        max_length=200,
        help_text=_("Required for a transfer: the outside body in charge."),
    )
    after_photos = AfterPhotosField(
        label=_("Photos after the work"),
        required=False,
        help_text=_("JPEG, PNG or WebP, usually on resolution."),
    )
    field_order = ["status", "template", "public_response", "internal_note"]

    def clean_duplicate_of(self):
        reference = self.cleaned_data["duplicate_of"].strip().upper()
        if not reference:
            return None
        original = Report.objects.filter(reference=reference).first()
        if original is None:
            raise ValidationError(_("No report has this reference."), code="unknown_reference")
        return original


class BulkForm(ResponseFields):
    """The selected reports of the queue and what to do with them (one button per action)."""

    ACTIONS = ("status", "reassign", "assign")

    reports = forms.ModelMultipleChoiceField(
        label=_("Selected reports"),
        queryset=Report.objects.select_related("category"),
        error_messages={"required": _("Select at least one report.")},
    )
    action = forms.ChoiceField(choices=[(name, name) for name in ACTIONS])
    status = forms.ChoiceField(
        label=_("New status"),
        choices=[(status.value, status.label) for status in BULK_STATUSES],
        required=False,
        widget=QuickSelect,
    )
    department = forms.ModelChoiceField(
        label=_("Send to department"),
        queryset=active_departments(),
        required=False,
        widget=QuickSelect,
    )
    agent = forms.ModelChoiceField(
        label=_("Assign to"), queryset=None, required=False, widget=QuickSelect
    )

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = staff
        self.fields["agent"].label_from_instance = staff_label

    def use_loaded(self, *, staff: list, departments: list) -> None:
        """Render the choices from lists the queue has already loaded, and plain rows."""
        set_loaded_choices(self.fields["agent"], ((user.pk, staff_label(user)) for user in staff))
        set_loaded_choices(self.fields["department"], ((d.pk, str(d)) for d in departments))
        templates = self.fields["template"]
        set_loaded_choices(templates, templates.queryset.values_list("pk", "title"))

    def clean(self):
        cleaned = super().clean()
        required = {"status": "status", "reassign": "department", "assign": "agent"}
        field = required.get(cleaned.get("action"))
        if field and not cleaned.get(field):
            self.add_error(field, _("Choose one to apply this action."))
        if len(cleaned.get("reports", ())) > max(PAGE_SIZES):
            self.add_error("reports", _("Select at most one page of reports."))
        return cleaned


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Internal note"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReassignForm(forms.Form):
    department = forms.ModelChoiceField(label=_("Department"), queryset=active_departments())
    note = forms.CharField(label=_("Internal note"), required=False, max_length=1000)


class RecategoriseForm(forms.Form):
    category = CategoryChoiceField(label=_("Category"), queryset=sub_types())
    note = forms.CharField(label=_("Internal note"), required=False, max_length=1000)


class PriorityForm(forms.Form):
    priority = forms.TypedChoiceField(
        label=_("Priority"), choices=Report.Priority.choices, coerce=int
    )


class AssignForm(forms.Form):
    agent = forms.ModelChoiceField(
        label=_("Assigned to"), queryset=None, required=False, empty_label=_("Nobody")
    )

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = staff
        self.fields["agent"].label_from_instance = staff_label


class RedactForm(forms.Form):
    description = forms.CharField(
        label=_("Description"), required=False, max_length=4000, widget=forms.Textarea
    )
    reason = forms.CharField(
        label=_("Reason for the edit"),
        max_length=300,
        help_text=_("Kept in the history with the original text."),
    )


class VisibilityForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=300,
        help_text=_("Required to hide the report; seen by staff only."),
    )


class ConfirmForm(forms.Form):
    """A button alone: the action needs no input."""


class PhotoForm(forms.Form):
    photo = forms.ModelChoiceField(queryset=ReportPhoto.objects.none())
    hidden = forms.BooleanField(required=False)

    def __init__(self, *args, photos, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photo"].queryset = photos


class BanForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the ban"), max_length=300)
    hide_reports = forms.BooleanField(
        label=_("Also hide the reports sent from this address"), required=False
    )
