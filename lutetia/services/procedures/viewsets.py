"""The procedures service in the back office.

Form builder: forms with their steps and fields (a StreamField edited without a
developer), a preview of the draft definition and a "publish" action creating a version.
Lists are scoped to the staff member's departments; every write goes through actions.py.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import Button

from lutetia.core.backoffice import ActionErrorsMixin, ObjectActionsView
from lutetia.core.models import Department
from lutetia.core.permissions import department_ids, is_city_administrator, may_manage
from lutetia.services.procedures import actions, definition, selectors, staff_views
from lutetia.services.procedures.fields import StepForm
from lutetia.services.procedures.models import Form


class FormSettingsForm(WagtailAdminModelForm):
    """Managers may only give forms to the departments they manage."""

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        if for_user is not None and not is_city_administrator(for_user):
            self.fields["department"].queryset = Department.objects.filter(
                pk__in=department_ids(for_user)
            )


class FormPermissionMixin:
    def get_object(self, queryset=None):
        form = super().get_object(queryset)
        if not may_manage(self.request.user, form):
            raise PermissionDenied
        return form


class FormIndexView(generic.IndexView):
    def get_base_queryset(self):
        return selectors.forms_for_staff(self.request.user)


class FormCreateView(ActionErrorsMixin, generic.CreateView):
    def save_instance(self):
        return actions.save_form(form=self.form.instance, acting_user=self.request.user)


class FormEditView(ActionErrorsMixin, FormPermissionMixin, generic.EditView):
    def save_instance(self):
        return actions.save_form(form=self.form.instance, acting_user=self.request.user)

    @cached_property
    def header_more_buttons(self):
        preview = Button(
            _("Preview and publish"),
            url=reverse("procedure_forms:preview", args=[self.object.pk]),
            icon_name="view",
            priority=5,
        )
        return [preview, *super().header_more_buttons]


class FormDeleteView(FormPermissionMixin, generic.DeleteView):
    def delete_action(self):
        actions.delete_form(form=self.object, acting_user=self.request.user)

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            messages.error(self.request, " ".join(error.messages))
            return redirect(self.edit_url_name, self.object.pk)


class PublishForm(forms.Form):
    """Publishing has nothing to fill in: the button is the confirmation."""


class FormPreviewView(ObjectActionsView):
    """Every step and field of the draft definition as residents will see them; publish."""

    template_name = "procedures/admin/preview.html"
    header_icon = "form"
    queryset = Form.objects.select_related("department", "published_version")
    view_permission = "procedures.view_form"
    index_url_name = "procedure_forms:index"
    FORMS = {"publish": PublishForm}

    @cached_property
    def allowed_forms(self) -> set[str]:
        return {"publish"} if may_manage(self.request.user, self.object) else set()

    def get_page_title(self):
        return _("Preview: %(title)s") % {"title": self.object.title}

    def get_breadcrumbs_items(self):
        return [
            *super().get_breadcrumbs_items(),
            {"url": reverse(self.index_url_name), "label": _("Procedure forms")},
            {
                "url": reverse("procedure_forms:edit", args=[self.object.pk]),
                "label": str(self.object),
            },
            {"url": "", "label": _("Preview")},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        snapshot = {"title": self.object.title, "steps": []}
        try:
            snapshot = definition.snapshot(self.object)
        except ValidationError as error:
            context["definition_errors"] = error.messages
        context["form_object"] = self.object
        context["steps"] = [
            (step, StepForm(step["fields"], {}, prefix=f"preview-{index}"))
            for index, step in enumerate(snapshot["steps"])
        ]
        return context

    def _publish(self, data):
        version = actions.publish_form(form=self.object, acting_user=self.request.user)
        messages.success(
            self.request, _("Version %(number)s is published.") % {"number": version.number}
        )


class FormViewSet(ModelViewSet):
    model = Form
    name = "procedure_forms"
    url_prefix = "procedures/forms"
    icon = "form"
    menu_label = gettext_lazy("Procedure forms")
    edit_handler = ObjectList(
        [
            FieldPanel("title"),
            FieldPanel("slug"),
            FieldPanel("description"),
            FieldPanel("department"),
            FieldPanel("workflow"),
            MultiFieldPanel(
                [
                    FieldPanel("audience"),
                    FieldPanel("max_answers_per_user"),
                    FieldPanel("available_from"),
                    FieldPanel("available_until"),
                    FieldPanel("processing_target_days"),
                ],
                heading=gettext_lazy("Who may answer, and when"),
            ),
            FieldPanel("steps"),
        ],
        base_form_class=FormSettingsForm,
    )
    list_display = [
        "title",
        Column("department", label=gettext_lazy("Department")),
        Column("published_version", label=gettext_lazy("Published version")),
        "available_until",
        DateColumn("updated_at", label=gettext_lazy("Updated")),
    ]
    list_filter = ["department", "audience"]
    search_fields = ["title", "slug"]
    index_view_class = FormIndexView
    add_view_class = FormCreateView
    edit_view_class = FormEditView
    delete_view_class = FormDeleteView
    copy_view_enabled = False
    inspect_view_enabled = False
    add_to_reference_index = False

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("<int:pk>/preview/", FormPreviewView.as_view(), name="preview"),
        ]


form_viewset = FormViewSet()


class DemandViewSet(ViewSet):
    """Staff screens of the demands (``staff_views``): per form lists, a demand, exports."""

    name = "procedure_demands"
    url_prefix = "procedures/demands"
    icon = "form"

    def get_urlpatterns(self):
        return [
            path("", staff_views.FormsIndexView.as_view(), name="index"),
            path("forms/<int:form_id>/", staff_views.DemandListView.as_view(), name="list"),
            path("<int:pk>/", staff_views.DemandDetailView.as_view(), name="detail"),
            path("<int:pk>/files/<int:file_pk>/", staff_views.demand_file, name="file"),
            path("exports/<str:token>/", staff_views.export_file, name="export"),
        ]


demand_viewset = DemandViewSet()
