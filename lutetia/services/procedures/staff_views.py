"""The procedures' staff screens: each form's demands, one demand, exports.

Staff see the demands of the forms of their departments (``may_act_on`` on the form).
The list filters, shows the columns each staff member chose and runs a workflow action
on the ticked demands; its query count does not depend on the page size. Every write
goes through an action (the workflow engine's, ``actions.py`` or ``exports.py``).
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from lutetia.core.backoffice import ObjectActionsView
from lutetia.core.formbuilder.fields import display
from lutetia.core.permissions import may_act_on
from lutetia.core.workflow import actions as workflow_actions
from lutetia.core.workflow import selectors as workflow_selectors
from lutetia.core.workflow.forms import RunActionForm
from lutetia.core.workflow.models import Action
from lutetia.services.procedures import actions, exports, selectors
from lutetia.services.procedures.definition import shown_fields
from lutetia.services.procedures.models import Demand, Form, InformationRequest
from lutetia.services.procedures.staff_lists import (
    ColumnsForm,
    DemandFilterForm,
    cell,
    chosen_columns,
    column_choices,
    demands_for_staff,
    list_key,
    listed,
    questions,
)

VIEW_PERMISSION = "procedures.view_demand"
PAGE_SIZES = (25, 50, 100)
BULK_REPORTED = 10  # failures named one by one after a bulk action
COUNT_CAP = 1_000


class CappedPaginator(Paginator):
    """Counts ``COUNT_CAP`` rows at most: counting 100,000 demands costs more than the page
    (10,000 took 14–24 ms of PostgreSQL per page on a fresh table, 1,000 takes 2–3 ms), and
    past a thousand demands staff filter rather than page."""

    @cached_property
    def count(self) -> int:
        return self.object_list.order_by()[: COUNT_CAP + 1].count()


class StaffMixin(WagtailAdminTemplateMixin):
    header_icon = "form"

    def get_breadcrumbs_items(self):
        return [
            {"url": reverse("wagtailadmin_home"), "label": _("Home")},
            {"url": reverse("procedure_demands:index"), "label": _("Demands")},
            *self.extra_breadcrumbs(),
        ]

    def extra_breadcrumbs(self) -> list[dict]:
        return []


class FormsIndexView(StaffMixin, TemplateView):
    """The forms whose demands the staff member may see, with their number of demands."""

    template_name = "procedures/staff/forms.html"
    page_title = gettext_lazy("Demands")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(VIEW_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["forms"] = selectors.forms_for_staff(self.request.user).annotate(
            demand_count=Count("demands")
        )
        return context


class BulkActionForm(RunActionForm):
    demands = forms.ModelMultipleChoiceField(
        queryset=Demand.objects.none(), widget=forms.MultipleHiddenInput
    )

    def __init__(self, *args, demand_form: Form, **kwargs):
        workflow = demand_form.workflow
        manual = workflow.actions.filter(trigger=Action.Trigger.MANUAL) if workflow else ()
        super().__init__(*args, actions=manual, **kwargs)
        self.fields["demands"].queryset = Demand.objects.filter(form=demand_form)
        self.fields["demands"].error_messages["required"] = _("Tick the demands to act on.")


class DemandListView(StaffMixin, TemplateView):
    """One form's demands: filters, chosen columns, pages, bulk actions, exports."""

    template_name = "procedures/staff/list.html"

    def dispatch(self, request, *args, **kwargs):
        self.form = get_object_or_404(
            Form.objects.select_related("workflow", "published_version"), pk=kwargs["form_id"]
        )
        if not may_act_on(request.user, self.form, permission=VIEW_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return self.form.title

    def extra_breadcrumbs(self):
        return [{"url": "", "label": self.form.title}]

    @cached_property
    def filters(self) -> DemandFilterForm:
        return DemandFilterForm(self.request.GET or None, demand_form=self.form)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        values = self.filters.cleaned_data if self.filters.is_valid() else {}
        columns = chosen_columns(self.request.user, self.form)
        demands = listed(demands_for_staff(self.form, values, self.request.user), columns)
        page = CappedPaginator(demands, self._page_size()).get_page(self.request.GET.get("p"))
        workflow_selectors.attach_instances(page.object_list)
        by_code = {q["code"]: q for q in questions(self.form)}
        labels = dict(column_choices(self.form))
        context.update(
            demand_form=self.form,
            filters=self.filters,
            page=page,
            headers=[labels[name] for name in columns],
            rows=[(d, [cell(d, name, by_code) for name in columns]) for d in page.object_list],
            columns_form=kwargs.get("columns_form")
            or ColumnsForm(initial={"columns": columns}, demand_form=self.form),
            bulk_form=kwargs.get("bulk_form") or BulkActionForm(demand_form=self.form),
            query=self.request.GET.urlencode(),
            paging_query=self._query_without("p"),
            export_formats=list(exports.FORMATS),
            count_cap=COUNT_CAP,
        )
        return context

    def post(self, request, *args, **kwargs):
        handler = {"columns": self._columns, "bulk": self._bulk, "export": self._export}.get(
            request.POST.get("form")
        )
        if handler is None:
            raise PermissionDenied
        return handler()

    def _columns(self):
        form = ColumnsForm(self.request.POST, demand_form=self.form)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(columns_form=form))
        workflow_actions.save_list_columns(
            list_key=list_key(self.form),
            columns=form.cleaned_data["columns"],
            acting_user=self.request.user,
        )
        messages.success(self.request, _("Columns saved."))
        return self._back()

    def _bulk(self):
        form = BulkActionForm(self.request.POST, demand_form=self.form)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(bulk_form=form))
        results = workflow_actions.run_action_on_many(
            resources=form.cleaned_data["demands"],
            action=form.cleaned_data["action"],
            acting_user=self.request.user,
            comment=form.cleaned_data["comment"],
        )
        done = sum(result.ok for result in results)
        if done:
            messages.success(
                self.request,
                ngettext("%(count)s demand processed.", "%(count)s demands processed.", done)
                % {"count": done},
            )
        for result in [r for r in results if not r.ok][:BULK_REPORTED]:
            messages.error(self.request, f"{result.resource.reference}: {result.message}")
        return self._back()

    def _export(self):
        file_format = self.request.POST.get("format")
        if file_format not in exports.FORMATS:
            raise PermissionDenied
        exports.start_export(
            form=self.form,
            query=self.request.GET.urlencode(),
            file_format=file_format,
            acting_user=self.request.user,
        )
        messages.success(
            self.request,
            _("The export is being prepared; you will be notified when it can be downloaded."),
        )
        return self._back()

    def _back(self):
        return redirect(f"{self.request.path}?{self.request.GET.urlencode()}")

    def _page_size(self) -> int:
        size = self.request.GET.get("per_page", "")
        return int(size) if size.isdigit() and int(size) in PAGE_SIZES else PAGE_SIZES[0]

    def _query_without(self, name: str) -> str:
        query = self.request.GET.copy()
        query.pop(name, None)
        return query.urlencode()


class StaffMessageForm(forms.Form):
    body = forms.CharField(label=gettext_lazy("Message"), widget=forms.Textarea(attrs={"rows": 4}))
    internal = forms.BooleanField(
        label=gettext_lazy("Internal note (only staff see it)"), required=False
    )


class DemandDetailView(StaffMixin, ObjectActionsView):
    """One demand: answers of its version, files, exchanges, history and the actions to run."""

    template_name = "procedures/staff/detail.html"
    queryset = Demand.objects.select_related(
        "form__workflow", "form_version", "district", "applicant"
    )
    view_permission = VIEW_PERMISSION
    FORMS = {"run": RunActionForm, "message": StaffMessageForm}

    def get_page_title(self):
        return self.object.reference

    def get_page_subtitle(self):
        return self.object.form.title

    def extra_breadcrumbs(self):
        return [
            {
                "url": reverse("procedure_demands:list", args=[self.object.form_id]),
                "label": self.object.form.title,
            },
            {"url": "", "label": self.object.reference},
        ]

    @cached_property
    def instance(self):
        return workflow_selectors.instance_for(self.object)

    @cached_property
    def available(self) -> list:
        return workflow_selectors.available_actions(self.request.user, self.object, self.instance)

    @cached_property
    def allowed_forms(self) -> set[str]:
        return {"message", "run"} if self.available else {"message"}

    def form_kwargs(self, name):
        return {"actions": self.available} if name == "run" else {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        demand = self.object
        demand.workflow_instance = self.instance
        context.update(
            demand=demand,
            instance=self.instance,
            answers=[
                (spec["label"], display(spec, demand.answers.get(spec["code"])))
                for _step, spec in shown_fields(demand.form_version.definition, demand.answers)
                if spec["type"] != "file"
            ],
            files=demand.files.all(),
            exchanges=demand.messages.select_related("author"),
            information_requests=InformationRequest.objects.filter(demand=demand)
            .select_related("requested_by")
            .prefetch_related("files"),
            history=workflow_selectors.history_of(self.instance) if self.instance else [],
            available_actions=self.available,
        )
        return context

    def _run(self, data):
        workflow_actions.run_action(
            resource=self.object,
            action=data["action"],
            acting_user=self.request.user,
            comment=data["comment"],
        )

    def _message(self, data):
        actions.post_message(
            demand=self.object,
            body=data["body"],
            internal=data["internal"],
            acting_user=self.request.user,
        )


def demand_file(request, pk, file_pk):
    """A file of a demand, for staff of its form's department (media files are never public)."""
    demand = get_object_or_404(Demand.objects.select_related("form"), pk=pk)
    if not may_act_on(request.user, demand.form, permission=VIEW_PERMISSION):
        raise PermissionDenied
    stored = get_object_or_404(demand.files, pk=file_pk)
    return FileResponse(
        stored.file.open("rb"),
        content_type=stored.content_type,
        as_attachment=True,
        filename=stored.file.name.rsplit("/", 1)[-1],
    )


def export_file(request, token):
    """The staff member's own export, from the link they were notified with."""
    name = exports.file_for(token, request.user)
    return FileResponse(
        default_storage.open(name, "rb"),
        as_attachment=True,
        filename=f"demands.{name.rsplit('.', 1)[-1]}",
    )
