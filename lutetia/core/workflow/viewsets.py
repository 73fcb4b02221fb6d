"""The workflow editor in the back office: workflows with their states, actions with their tasks.

For city administrators (the ``workflow`` model permissions). Saves and deletions go
through ``actions.save_definition`` / ``delete_definition`` (permission, audit entry).
"""

from django import forms as django_forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, InlinePanel, ObjectList
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import AdminAutoHeightTextInput

from lutetia.core.backoffice import ActionErrorsMixin, DeleteErrorsMixin
from lutetia.core.workflow import actions
from lutetia.core.workflow.forms import ActionForm
from lutetia.core.workflow.models import Action, Workflow


class DefinitionCreateView(ActionErrorsMixin, generic.CreateView):
    def save_instance(self):
        return actions.save_definition(
            obj=self.form.save(commit=False), acting_user=self.request.user
        )


class DefinitionEditView(ActionErrorsMixin, generic.EditView):
    def save_instance(self):
        return actions.save_definition(
            obj=self.form.save(commit=False), acting_user=self.request.user
        )


class DefinitionDeleteView(DeleteErrorsMixin, generic.DeleteView):
    def delete_action(self):
        actions.delete_definition(obj=self.object, acting_user=self.request.user)


class DefinitionViewSet(ModelViewSet):
    add_view_class = DefinitionCreateView
    edit_view_class = DefinitionEditView
    delete_view_class = DefinitionDeleteView
    copy_view_enabled = False
    inspect_view_enabled = False
    add_to_reference_index = False


class WorkflowViewSet(DefinitionViewSet):
    model = Workflow
    icon = "tasks"
    menu_label = _("Workflows")
    list_display = ["name", "updated_at"]
    search_fields = ["name"]
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            FieldPanel("description"),
            InlinePanel(
                "states",
                heading=_("States"),
                label=_("State"),
                panels=[
                    FieldPanel(name)
                    for name in ("code", "name_fr", "name_en", "is_initial", "is_final")
                ],
            ),
        ]
    )


class ActionViewSet(DefinitionViewSet):
    model = Action
    icon = "resubmit"
    menu_label = _("Workflow actions")
    list_display = ["label_fr", "workflow", "to_state", "trigger", "required_role"]
    list_filter = ["workflow", "trigger"]
    search_fields = ["label_fr", "code"]
    edit_handler = ObjectList(
        [
            FieldPanel("workflow"),
            FieldPanel("code"),
            FieldPanel("label_fr"),
            FieldPanel("label_en"),
            FieldPanel("from_states", widget=django_forms.CheckboxSelectMultiple),
            FieldPanel("to_state"),
            FieldPanel("trigger"),
            FieldPanel("delay_hours"),
            FieldPanel("event"),
            FieldPanel("required_role"),
            FieldPanel("asks_comment"),
            FieldPanel("order"),
            InlinePanel(
                "tasks",
                heading=_("Tasks, run in order"),
                label=_("Task"),
                panels=[FieldPanel("kind"), FieldPanel("config", widget=AdminAutoHeightTextInput)],
            ),
        ],
        base_form_class=ActionForm,
    )


class WorkflowViewSetGroup(ViewSetGroup):
    menu_label = _("Workflows")
    menu_icon = "tasks"
    menu_order = 810
    items = (WorkflowViewSet("workflows"), ActionViewSet("workflow_actions"))
