"""The workflow engine in the back office: audit action names and the workflow editor."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from lutetia.core.workflow.viewsets import WorkflowViewSetGroup

LOG_ACTIONS = {
    "lutetia.workflow.started": _("Workflow started"),
    "lutetia.workflow.transition": _("Workflow action run"),
    "lutetia.workflow.workflow_created": _("Workflow created"),
    "lutetia.workflow.workflow_changed": _("Workflow changed"),
    "lutetia.workflow.workflow_deleted": _("Workflow deleted"),
    "lutetia.workflow.action_created": _("Workflow action created"),
    "lutetia.workflow.action_changed": _("Workflow action changed"),
    "lutetia.workflow.action_deleted": _("Workflow action deleted"),
    "lutetia.workflow.columns_chosen": _("List columns chosen"),
}


@hooks.register("register_log_actions")
def register_workflow_log_actions(actions):
    for action, label in LOG_ACTIONS.items():
        actions.register_action(action, label, label)


@hooks.register("register_admin_viewset")
def register_workflow_viewsets():
    return WorkflowViewSetGroup()
