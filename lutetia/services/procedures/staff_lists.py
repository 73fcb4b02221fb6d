"""The staff list of a form's demands: its filters, its columns and its query.

Shared by the back-office list (``staff_views``) and the background exports
(``exports``), so an export holds exactly what the list showed. The list is per form;
who may see it is decided once, on the form's department.
"""

import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from lutetia.core.districts.models import District
from lutetia.core.formbuilder.fields import display
from lutetia.core.models import Role
from lutetia.core.workflow.models import Instance, ListPreference
from lutetia.core.workflow.resources import content_type_of
from lutetia.core.workflow.selectors import resources_in_state
from lutetia.services.procedures.models import Demand, Form

ANSWER = "answer:"  # column name prefix of a question's answers
BASE_COLUMNS = {
    "reference": _("Reference"),
    "submitted_at": _("Sent"),
    "state": _("State"),
    "district": _("District"),
    "assignee": _("Assigned to"),
    "applicant": _("Applicant"),
}
DEFAULT_COLUMNS = ["reference", "submitted_at", "state", "district", "assignee"]
ME, UNASSIGNED = "me", "none"


def questions(form: Form) -> list[dict]:
    """The fields of the form's published version, in order (files are not listed)."""
    version = form.published_version
    if version is None:
        return []
    return [
        field
        for step in version.definition["steps"]
        for field in step["fields"]
        if field["type"] != "file"
    ]


def column_choices(form: Form) -> list[tuple[str, str]]:
    return [
        *BASE_COLUMNS.items(),
        *((f"{ANSWER}{q['code']}", q["label"]) for q in questions(form)),
    ]


def list_key(form: Form) -> str:
    return f"procedures.demands.{form.pk}"


def chosen_columns(user, form: Form) -> list[str]:
    """The staff member's saved columns for this form (still existing ones), else the default."""
    saved = (
        ListPreference.objects.filter(user=user, list_key=list_key(form))
        .values_list("columns", flat=True)
        .first()
    )
    known = dict(column_choices(form))
    columns = [name for name in saved or [] if name in known]
    return columns or DEFAULT_COLUMNS


class ColumnsForm(forms.Form):
    columns = forms.MultipleChoiceField(
        label=_("Columns"), widget=forms.CheckboxSelectMultiple, choices=()
    )

    def __init__(self, *args, demand_form: Form, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["columns"].choices = column_choices(demand_form)


class DemandFilterForm(forms.Form):
    """What staff filter a form's demands on; every value is checked against the form."""

    state = forms.MultipleChoiceField(
        label=_("State"), required=False, widget=forms.CheckboxSelectMultiple
    )
    sent_from = forms.DateField(
        label=_("Sent from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sent_until = forms.DateField(
        label=_("Sent until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    district = forms.ModelChoiceField(
        label=_("District"), required=False, queryset=District.objects.all()
    )
    assignee = forms.ChoiceField(label=_("Assigned to"), required=False)
    question = forms.ChoiceField(label=_("Question"), required=False)
    answer = forms.CharField(label=_("Answer contains"), required=False, max_length=200)
    archived = forms.BooleanField(label=_("Include archived demands"), required=False)

    def __init__(self, *args, demand_form: Form, **kwargs):
        super().__init__(*args, **kwargs)
        district = self.fields["district"]
        district.choices = [
            ("", district.empty_label),
            *District.objects.order_by("code").values_list("pk", "name"),
        ]
        workflow = demand_form.workflow
        self.fields["state"].choices = (
            [(str(s.pk), s.name) for s in workflow.states.all()] if workflow else []
        )
        self.fields["assignee"].choices = [
            ("", _("Anyone")),
            (ME, _("Me")),
            (UNASSIGNED, _("Nobody")),
            *((str(user.pk), user.get_full_name() or user.email) for user in _staff(demand_form)),
        ]
        self.fields["question"].choices = [
            ("", "—"),
            *((q["code"], q["label"]) for q in questions(demand_form)),
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("answer") and not cleaned.get("question"):
            self.add_error("question", _("Choose the question whose answer to search."))
        return cleaned


def _staff(form: Form):
    return (
        get_user_model()
        .objects.filter(
            memberships__department_id=form.department_id,
            memberships__role__in=[Role.AGENT, Role.MANAGER],
        )
        .distinct()
        .order_by("last_name", "first_name", "email")
        .only("first_name", "last_name", "email")
    )


def demands_for_staff(form: Form, values: dict, user) -> QuerySet[Demand]:
    """The form's demands matching the filter form's cleaned ``values``, newest first.

    The caller has checked that ``user`` may see the form's demands; ``user`` is only
    needed for "assigned to me".
    """
    demands = Demand.objects.filter(form=form)
    if not values.get("archived"):
        demands = demands.filter(is_archived=False)
    if values.get("state"):
        demands = demands.filter(pk__in=resources_in_state(Demand, values["state"]))
    if values.get("sent_from"):
        demands = demands.filter(submitted_at__gte=_start_of(values["sent_from"]))
    if values.get("sent_until"):
        next_day = values["sent_until"] + datetime.timedelta(days=1)
        demands = demands.filter(submitted_at__lt=_start_of(next_day))
    if values.get("district"):
        demands = demands.filter(district=values["district"])
    if values.get("assignee"):
        demands = demands.filter(pk__in=_assigned(values["assignee"], user))
    if values.get("question") and values.get("answer"):
        lookup = f"answers__{values['question']}__icontains"
        demands = demands.filter(**{lookup: values["answer"]})
    return demands.order_by("-submitted_at", "-pk")


def listed(demands: QuerySet[Demand], columns: list[str]) -> QuerySet[Demand]:
    """The demands with only what ``cell`` reads for these columns: their answers only when
    a question is shown, no other column of the demand or its applicant's account."""
    fields = [
        "reference",
        "submitted_at",
        "closed_at",
        "contact_email",
        "district__name",
        "applicant__email",
        "applicant__deleted_at",
    ]
    if any(column.startswith(ANSWER) for column in columns):
        fields.append("answers")
    return demands.select_related("district", "applicant").only(*fields)


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _assigned(choice: str, user) -> QuerySet:
    instances = Instance.objects.filter(content_type=content_type_of(Demand))
    if choice == UNASSIGNED:
        instances = instances.filter(assignee__isnull=True)
    else:
        instances = instances.filter(assignee_id=user.pk if choice == ME else int(choice))
    return instances.values("object_id")


def cell(demand: Demand, column: str, by_code: dict[str, dict]) -> str:
    """One column of one listed demand (its instance attached by the caller)."""
    if column.startswith(ANSWER):
        code = column.removeprefix(ANSWER)
        spec = by_code.get(code)
        return display(spec, demand.answers.get(code)) if spec else ""
    instance = demand.workflow_instance
    if column == "state":
        return demand.status_label
    if column == "assignee":
        if instance is None:
            return ""
        return str(instance.assignee or instance.department or "")
    if column == "district":
        return demand.district.name if demand.district else ""
    if column == "applicant":
        return demand.reply_email
    if column == "submitted_at":
        return timezone.localtime(demand.submitted_at).strftime("%Y-%m-%d %H:%M")
    return demand.reference or ""


def _localized_state_name():
    if (get_language() or "").startswith("en"):
        return Coalesce(NullIf("state__name_en", Value("")), "state__name_fr")
    return F("state__name_fr")


def export_rows(form: Form, demands: QuerySet[Demand]):
    """The header then one row per demand, every column, read in chunks (for 100,000 rows)."""
    answer_specs = questions(form)
    instance = Instance.objects.filter(
        content_type=content_type_of(Demand), object_id=OuterRef("pk")
    ).annotate(name=_localized_state_name())
    rows = demands.annotate(
        state_name=Subquery(instance.values("name")[:1]),
        assignee_email=Subquery(instance.values("assignee__email")[:1]),
    ).values_list(
        "reference",
        "submitted_at",
        "state_name",
        "district__name",
        "assignee_email",
        "contact_email",
        "answers",
    )
    yield [str(label) for label in BASE_COLUMNS.values()] + [q["label"] for q in answer_specs]
    for reference, sent, state, district, assignee, email, answers in rows.iterator(2000):
        yield [
            reference,
            timezone.localtime(sent).strftime("%Y-%m-%d %H:%M"),
            state or "",
            district or "",
            assignee or "",
            email,
            *(display(q, answers.get(q["code"])) for q in answer_specs),
        ]
