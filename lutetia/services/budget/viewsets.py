"""The participatory budget in the back office: campaigns and envelopes, feasibility review,
paper ballots, results and follow-up.

Every write goes through ``actions.py``, which checks the permission (and the department)
again and writes the audit entry; these views validate input and show the actions' errors
on the form, so a refused change loses nothing the staff member typed.
"""

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.viewsets.model import ModelViewSet

from lutetia.core.backoffice import (
    ActionErrorsMixin,
    ObjectActionsView,
    ObjectActionsViewSet,
    show_action_error,
)
from lutetia.core.models import Department
from lutetia.core.permissions import (
    department_ids,
    is_city_administrator,
    may_act_on,
    scope_to_departments,
)
from lutetia.services.budget import actions, selectors
from lutetia.services.budget.models import Ballot, Campaign, Envelope, Idea, Project, Theme

LOCKED_HELP = gettext_lazy("Locked: voting has started, so this setting can no longer change.")


def without_delete(urlpatterns: list) -> list:
    """Campaigns and envelopes hold ballots: the back office never deletes them."""
    return [pattern for pattern in urlpatterns if pattern.name != "delete"]


# --- campaigns and envelopes ------------------------------------------------------------------


class LockedSettingsForm(WagtailAdminModelForm):
    """Once voting has started, the model's ``LOCKED_FIELDS`` are shown read-only."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.locked = []
        if self.instance.pk and self.settings_locked:
            self.locked = [name for name in self.instance.LOCKED_FIELDS if name in self.fields]
        for name in self.locked:
            self.fields[name].disabled = True
            self.fields[name].help_text = LOCKED_HELP

    def clean(self):
        # Keep the stored values as they are: a disabled field's initial value loses the
        # microseconds of a date, which the action would take for a change.
        for name in self.locked:
            self.cleaned_data[name] = getattr(self.instance, name)
        return super().clean()

    @property
    def settings_locked(self) -> bool:
        return self.instance.settings_locked


class EnvelopeForm(LockedSettingsForm):
    @property
    def settings_locked(self) -> bool:
        return self.instance.campaign.settings_locked


class SettingsLockMixin:
    """Tells the template whether the settings are locked (to explain the read-only fields)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["settings_locked"] = self.form.settings_locked
        return context


class CampaignCreateView(ActionErrorsMixin, generic.CreateView):
    def save_instance(self):
        return actions.save_campaign(campaign=self.form.instance, acting_user=self.request.user)


class CampaignEditView(ActionErrorsMixin, SettingsLockMixin, generic.EditView):
    template_name = "budget/admin/campaign_edit.html"

    def save_instance(self):
        return actions.save_campaign(campaign=self.form.instance, acting_user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        envelopes = list(self.object.envelopes.select_related("district", "result"))
        context["envelopes"] = envelopes
        context["may_publish"] = (
            self.request.user.has_perm("budget.change_campaign")
            and self.object.results_published_at is None
            and self.object.voting_end <= timezone.now()
            and bool(envelopes)
            and all(hasattr(envelope, "result") for envelope in envelopes)
        )
        return context


class ComputeResultsView(View):
    """POST: count every envelope of the campaign in the background."""

    http_method_names = ["post"]

    def post(self, request, pk):
        campaign = get_object_or_404(Campaign, pk=pk)
        try:
            actions.request_results(campaign=campaign, acting_user=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("The results are being computed; each envelope's results screen shows them."),
            )
        return redirect("budget_campaigns:edit", pk)


class PublishResultsView(View):
    """POST: make the campaign's stored results public (``actions.publish_results``)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        campaign = get_object_or_404(Campaign, pk=pk)
        try:
            actions.publish_results(campaign=campaign, acting_user=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The results are published."))
        return redirect("budget_campaigns:edit", pk)


class CampaignViewSet(ModelViewSet):
    model = Campaign
    name = "budget_campaigns"
    url_prefix = "budget/campaigns"
    icon = "tasks"
    menu_label = gettext_lazy("Budget campaigns")
    edit_handler = ObjectList(
        [
            FieldPanel(name)
            for name in ("name", "slug", *Campaign.LOCKED_FIELDS, "ideas_required_level")
        ],
        base_form_class=LockedSettingsForm,
    )
    list_display = ["name", "voting_start", "voting_end", "rule"]
    add_view_class = CampaignCreateView
    edit_view_class = CampaignEditView
    copy_view_enabled = False
    inspect_view_enabled = False
    add_to_reference_index = False

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(delete_url_name=None, **kwargs)

    def get_urlpatterns(self):
        return [
            *without_delete(super().get_urlpatterns()),
            path("compute/<int:pk>/", ComputeResultsView.as_view(), name="compute"),
            path("publish/<int:pk>/", PublishResultsView.as_view(), name="publish"),
        ]


class EnvelopeCreateView(ActionErrorsMixin, generic.CreateView):
    def get_initial(self):
        return {**super().get_initial(), "campaign": self.request.GET.get("campaign")}

    def save_instance(self):
        return actions.save_envelope(envelope=self.form.instance, acting_user=self.request.user)

    def get_success_url(self):
        return reverse("budget_campaigns:edit", args=[self.object.campaign_id])


class EnvelopeEditView(ActionErrorsMixin, SettingsLockMixin, generic.EditView):
    template_name = "budget/admin/envelope_edit.html"

    def save_instance(self):
        return actions.save_envelope(envelope=self.form.instance, acting_user=self.request.user)

    def get_success_url(self):
        return reverse("budget_campaigns:edit", args=[self.object.campaign_id])


class EnvelopeResultsView(WagtailAdminTemplateMixin, TemplateView):
    """The stored result of one envelope: winners first, with costs and the ballots counted."""

    template_name = "budget/admin/results.html"
    header_icon = "tasks"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("budget.view_result"):
            raise PermissionDenied
        self.envelope = get_object_or_404(
            Envelope.objects.select_related("campaign", "district"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Results")

    def get_page_subtitle(self):
        return f"{self.envelope.campaign} — {self.envelope}"

    def get_breadcrumbs_items(self):
        campaign = self.envelope.campaign
        return [
            *super().get_breadcrumbs_items(),
            {"url": reverse("budget_campaigns:edit", args=[campaign.pk]), "label": campaign.name},
            {"url": "", "label": _("Results: %(envelope)s") % {"envelope": self.envelope}},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        result, projects = selectors.result_with_projects(self.envelope)
        selected = set(result.selected) if result else set()
        context.update(
            envelope=self.envelope,
            result=result,
            winners=[project for project in projects if project.pk in selected],
            others=[project for project in projects if project.pk not in selected],
            share=round(100 * result.cost / result.budget) if result and result.budget else None,
        )
        return context


class EnvelopeViewSet(ModelViewSet):
    model = Envelope
    name = "budget_envelopes"
    url_prefix = "budget/envelopes"
    icon = "tasks"
    menu_label = gettext_lazy("Budget envelopes")
    edit_handler = ObjectList(
        [
            FieldPanel(name)
            for name in (
                "campaign",
                "name",
                "district",
                "amount",
                "ballot_type",
                "min_projects",
                "max_projects",
                "max_points",
                "required_level",
            )
        ],
        base_form_class=EnvelopeForm,
    )
    list_display = [
        "name",
        Column("campaign", label=gettext_lazy("Campaign")),
        "amount",
        "ballot_type",
    ]
    list_filter = ["campaign"]
    add_view_class = EnvelopeCreateView
    edit_view_class = EnvelopeEditView
    copy_view_enabled = False
    inspect_view_enabled = False
    add_to_reference_index = False

    def get_queryset(self, request):
        return Envelope.objects.select_related("campaign", "district")

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(delete_url_name=None, **kwargs)

    def get_urlpatterns(self):
        return [
            *without_delete(super().get_urlpatterns()),
            path("<int:pk>/results/", EnvelopeResultsView.as_view(), name="results"),
        ]


# --- feasibility review and follow-up ----------------------------------------------------------


class ProjectFilterSet(WagtailFilterSet):
    campaign = django_filters.ModelChoiceFilter(
        field_name="envelope__campaign",
        queryset=Campaign.objects.all(),
        label=gettext_lazy("Campaign"),
    )

    class Meta:
        model = Project
        fields = ["campaign", "envelope", "status", "department"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.request.user
        if not is_city_administrator(user):
            self.filters["department"].queryset = Department.objects.filter(
                pk__in=department_ids(user)
            )


class ProjectIndexView(generic.IndexView):
    """The review queue: the projects of the staff member's departments."""

    def get_base_queryset(self):
        return scope_to_departments(
            self.request.user,
            Project.objects.select_related("envelope__campaign", "department"),
        )


class ReviewForm(forms.Form):
    feasible = forms.TypedChoiceField(
        label=gettext_lazy("Decision"),
        choices=[("yes", gettext_lazy("Feasible")), ("no", gettext_lazy("Not feasible"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    explanation = forms.CharField(
        label=gettext_lazy("Explanation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Required when the project is not feasible. Shown to residents."),
    )
    cost_estimate = forms.IntegerField(
        label=gettext_lazy("Cost estimate (euros)"),
        required=False,
        min_value=0,
        help_text=gettext_lazy("For a feasible project, this becomes the cost on the ballot."),
    )
    notes = forms.CharField(
        label=gettext_lazy("Internal notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Seen by staff only."),
    )


class ExecutionForm(forms.Form):
    execution_status = forms.ChoiceField(
        label=gettext_lazy("Execution status"), choices=Project.Execution.choices
    )
    amount_spent = forms.IntegerField(
        label=gettext_lazy("Amount spent (euros)"), required=False, min_value=0
    )


class AssignForm(forms.Form):
    department = forms.ModelChoiceField(
        label=gettext_lazy("Department"), queryset=Department.objects.all(), required=False
    )


class ProjectDetailView(ObjectActionsView):
    """One project: its feasibility review, its department and, once it won, its follow-up."""

    template_name = "budget/admin/project_detail.html"
    header_icon = "clipboard-list"
    queryset = Project.objects.select_related("envelope__campaign", "department", "district")
    view_permission = "budget.view_project"
    FORMS = {"review": ReviewForm, "execution": ExecutionForm, "assign": AssignForm}

    def get_page_title(self):
        return _("Project")

    def get_page_subtitle(self):
        return self.object.title

    def get_breadcrumbs_items(self):
        return [
            *super().get_breadcrumbs_items(),
            {"url": reverse(self.index_url_name), "label": _("Budget projects")},
            {"url": "", "label": self.object.title},
        ]

    @cached_property
    def allowed_forms(self) -> set[str]:
        """The forms this user may send for this project now."""
        user, project = self.request.user, self.object
        allowed = set()
        reviews_open = not project.envelope.campaign.settings_locked
        if reviews_open and may_act_on(user, project, permission="budget.review_project"):
            allowed.add("review")
        if project.status == Project.Status.SELECTED and may_act_on(
            user, project, permission="budget.change_project"
        ):
            allowed.add("execution")
        if is_city_administrator(user) and user.has_perm("budget.change_project"):
            allowed.add("assign")
        return allowed

    def initial_for(self, name):
        project = self.object
        return {
            "review": {
                "feasible": {"feasible": "yes", "not_feasible": "no"}.get(project.status),
                "explanation": project.feasibility_explanation,
                "cost_estimate": project.cost_estimate,
                "notes": project.review_notes,
            },
            "execution": {
                "execution_status": project.execution_status,
                "amount_spent": project.amount_spent,
            },
            "assign": {"department": project.department_id},
        }[name]

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "project": self.object}

    def _review(self, data):
        actions.review_project(
            project=self.object,
            feasible=data["feasible"],
            explanation=data["explanation"],
            cost_estimate=data["cost_estimate"],
            notes=data["notes"],
            acting_user=self.request.user,
        )

    def _execution(self, data):
        actions.update_execution(
            project=self.object,
            execution_status=data["execution_status"],
            amount_spent=data["amount_spent"],
            acting_user=self.request.user,
        )

    def _assign(self, data):
        self.object.department = data["department"]
        actions.save_project(project=self.object, acting_user=self.request.user)


class ProjectViewSet(ObjectActionsViewSet):
    # Projects come from residents' ideas and pabulib imports, not from this screen.
    model = Project
    name = "budget_projects"
    url_prefix = "budget/projects"
    icon = "clipboard-list"
    menu_label = gettext_lazy("Budget projects")
    index_view_class = ProjectIndexView
    filterset_class = ProjectFilterSet
    list_display = [
        "title",
        Column("envelope", label=gettext_lazy("Envelope")),
        Column("department", label=gettext_lazy("Department")),
        "status",
        "cost",
        "execution_status",
    ]
    search_fields = ["title"]
    detail_view_class = ProjectDetailView


# --- paper ballots ------------------------------------------------------------------------------


class PaperBallotForm(forms.Form):
    """A paper ballot as the envelope's ballot type asks: ticks, points or ranks."""

    def __init__(self, *args, envelope: Envelope, **kwargs):
        super().__init__(*args, **kwargs)
        self.envelope = envelope
        self.projects = list(
            envelope.projects.filter(status__in=Project.ON_THE_BALLOT).order_by("pk")
        )
        if envelope.ballot_type in (Envelope.BallotType.CUMULATIVE, Envelope.BallotType.ORDINAL):
            ranked = envelope.ballot_type == Envelope.BallotType.ORDINAL
            for project in self.projects:
                self.fields[f"project_{project.pk}"] = forms.IntegerField(
                    label=f"{project.title} ({project.cost} €)",
                    required=False,
                    min_value=1 if ranked else 0,
                    help_text=_("Rank on the ballot (empty: not ranked).")
                    if ranked
                    else _("Points given (empty: none)."),
                )
        else:
            self.fields["projects"] = forms.MultipleChoiceField(
                label=_("Projects chosen on the ballot"),
                required=False,
                choices=[(p.pk, f"{p.title} ({p.cost} €)") for p in self.projects],
                widget=forms.CheckboxSelectMultiple,
            )

    def choices(self):
        """What ``actions.record_paper_ballot`` takes: project ids, or a mapping to numbers."""
        if "projects" in self.fields:
            return [int(pk) for pk in self.cleaned_data["projects"]]
        values = {p.pk: self.cleaned_data[f"project_{p.pk}"] for p in self.projects}
        return {pk: value for pk, value in values.items() if value is not None}


class PaperBallotIndexView(WagtailAdminTemplateMixin, TemplateView):
    """The envelopes whose vote has opened and whose results are not published yet."""

    template_name = "budget/admin/paper_ballot_index.html"
    page_title = gettext_lazy("Paper ballots")
    header_icon = "doc-full"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("budget.add_paper_ballot"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*super().get_breadcrumbs_items(), {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["envelopes"] = Envelope.objects.filter(
            campaign__voting_start__lte=timezone.now(), campaign__results_published_at=None
        ).select_related("campaign", "district")
        return context


class PaperBallotView(WagtailAdminTemplateMixin, TemplateView):
    """Key in one paper ballot, then the next: it is checked against the envelope's rule."""

    template_name = "budget/admin/paper_ballot.html"
    page_title = gettext_lazy("Paper ballot")
    header_icon = "doc-full"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("budget.add_paper_ballot"):
            raise PermissionDenied
        self.envelope = get_object_or_404(
            Envelope.objects.select_related("campaign", "district"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return f"{self.envelope.campaign} — {self.envelope}"

    def get_breadcrumbs_items(self):
        return [
            *super().get_breadcrumbs_items(),
            {"url": reverse("budget_paper_ballots:index"), "label": _("Paper ballots")},
            {"url": "", "label": self.get_page_subtitle()},
        ]

    def post(self, request, *args, **kwargs):
        form = PaperBallotForm(request.POST, envelope=self.envelope)
        if form.is_valid():
            try:
                actions.record_paper_ballot(
                    envelope=self.envelope, acting_user=request.user, choices=form.choices()
                )
            except ValidationError as error:
                show_action_error(form, error)
            else:
                messages.success(request, _("Paper ballot recorded."))
                return redirect(request.path)
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", PaperBallotForm(envelope=self.envelope))
        context["envelope"] = self.envelope
        context["paper_ballots"] = self.envelope.ballots.filter(source=Ballot.Source.PAPER).count()
        return context


class PaperBallotViewSet(ViewSet):
    name = "budget_paper_ballots"
    url_prefix = "budget/paper-ballots"
    icon = "doc-full"

    def get_urlpatterns(self):
        return [
            path("", PaperBallotIndexView.as_view(), name="index"),
            path("<int:pk>/", PaperBallotView.as_view(), name="add"),
        ]


# --- ideas: moderation and merging --------------------------------------------------------------


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("The author reads it."),
    )


class ConfirmForm(forms.Form):
    """A button alone: the action needs no input."""


class CommentChoiceForm(forms.Form):
    comment = forms.ModelChoiceField(label=gettext_lazy("Comment"), queryset=None)

    def __init__(self, *args, comments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comment"].queryset = comments


class HideCommentForm(CommentChoiceForm, ReasonForm):
    pass


class MergeForm(forms.Form):
    """Merge this idea and the chosen ones into a new project or an existing one."""

    others = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Similar ideas to merge with this one"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    project = forms.ModelChoiceField(
        label=gettext_lazy("Into an existing project"),
        queryset=None,
        required=False,
        help_text=gettext_lazy("Leave empty to create a project from the fields below."),
    )
    title = forms.CharField(label=gettext_lazy("New project's title"), required=False)
    description = forms.CharField(
        label=gettext_lazy("New project's description"), required=False, widget=forms.Textarea
    )
    cost = forms.IntegerField(
        label=gettext_lazy("New project's cost (euros)"), required=False, min_value=0
    )
    theme = forms.ChoiceField(
        label=gettext_lazy("New project's theme"), choices=Theme.choices, required=False
    )

    def __init__(self, *args, idea: Idea, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["others"].queryset = selectors.mergeable_with(idea)
        self.fields["project"].queryset = idea.envelope.projects.order_by("title")

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("project"):
            for name in ("title", "cost"):
                if cleaned.get(name) in (None, ""):
                    self.add_error(name, _("Required for a new project."))
        return cleaned


class IdeaIndexView(generic.IndexView):
    """The moderation queue: ideas with open reports first, then the newest."""

    def get_base_queryset(self):
        return selectors.moderation_queue()


class IdeaModerationView(ObjectActionsView):
    """One idea: hide or restore it and its comments, close reports, merge it into a project.

    Ideas belong to no department: every holder of ``budget.view_idea`` sees them.
    """

    template_name = "budget/admin/idea_detail.html"
    header_icon = "comment"
    queryset = Idea.objects.select_related("campaign", "envelope__campaign", "author", "project")
    view_permission = "budget.view_idea"
    FORMS = {
        "hide": ReasonForm,
        "restore": ConfirmForm,
        "dismiss": ConfirmForm,
        "hide_comment": HideCommentForm,
        "restore_comment": CommentChoiceForm,
        "merge": MergeForm,
    }

    def may_view(self, user) -> bool:
        return user.has_perm(self.view_permission)

    def get_page_title(self):
        return _("Idea")

    def get_page_subtitle(self):
        return self.object.title

    def get_breadcrumbs_items(self):
        return [
            *super().get_breadcrumbs_items(),
            {"url": reverse(self.index_url_name), "label": _("Budget ideas")},
            {"url": "", "label": self.object.title},
        ]

    @cached_property
    def comments(self):
        return list(self.object.comments.select_related("author"))

    @cached_property
    def allowed_forms(self) -> set[str]:
        user, idea = self.request.user, self.object
        allowed = set()
        if user.has_perm("budget.moderate_idea"):
            allowed.add("restore" if idea.hidden else "hide")
            if idea.flags.filter(resolved_at=None).exists():
                allowed.add("dismiss")
            if any(not comment.hidden for comment in self.comments):
                allowed.add("hide_comment")
            if any(comment.hidden for comment in self.comments):
                allowed.add("restore_comment")
        locked = idea.envelope.campaign.settings_locked
        if user.has_perm("budget.merge_idea") and not idea.hidden and not locked:
            allowed.add("merge")
        return allowed

    def form_kwargs(self, name):
        comments = self.object.comments.order_by("pk")
        return {
            "hide_comment": {"comments": comments.filter(hidden_at=None)},
            "restore_comment": {"comments": comments.exclude(hidden_at=None)},
            "merge": {"idea": self.object},
        }.get(name, {})

    def initial_for(self, name):
        idea = self.object
        if name == "merge":
            return {
                "project": idea.project_id,
                "title": idea.title,
                "description": idea.description,
                "cost": idea.estimated_cost,
                "theme": idea.theme,
            }
        return {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        flags = self.object.flags.filter(resolved_at=None).select_related("comment")
        context.update(idea=self.object, comments=self.comments, open_flags=list(flags))
        return context

    def _hide(self, data):
        actions.hide(target=self.object, reason=data["reason"], acting_user=self.request.user)

    def _restore(self, data):
        actions.restore(target=self.object, acting_user=self.request.user)

    def _dismiss(self, data):
        actions.dismiss_flags(idea=self.object, acting_user=self.request.user)

    def _hide_comment(self, data):
        actions.hide(target=data["comment"], reason=data["reason"], acting_user=self.request.user)

    def _restore_comment(self, data):
        actions.restore(target=data["comment"], acting_user=self.request.user)

    def _merge(self, data):
        actions.merge_ideas(
            ideas=[self.object, *data["others"]],
            project=data["project"],
            title=data["title"],
            description=data["description"],
            cost=data["cost"],
            theme=data["theme"],
            acting_user=self.request.user,
        )


class IdeaViewSet(ObjectActionsViewSet):
    model = Idea
    name = "budget_ideas"
    url_prefix = "budget/ideas"
    icon = "comment"
    menu_label = gettext_lazy("Budget ideas")
    index_view_class = IdeaIndexView
    list_filter = ["campaign"]
    list_display = [
        "title",
        Column("campaign", label=gettext_lazy("Campaign")),
        Column("envelope", label=gettext_lazy("Envelope")),
        Column("open_flags", label=gettext_lazy("Open reports")),
        Column("hidden_at", label=gettext_lazy("Hidden")),
        Column("project", label=gettext_lazy("Merged into")),
        "created_at",
    ]
    search_fields = ["title"]
    detail_view_class = IdeaModerationView


campaign_viewset = CampaignViewSet()
envelope_viewset = EnvelopeViewSet()
project_viewset = ProjectViewSet()
paper_ballot_viewset = PaperBallotViewSet()
idea_viewset = IdeaViewSet()
