"""Audit action names of the procedures service, shown in the back office's history."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

LOG_ACTIONS = {
    "lutetia.procedures.form_created": _("Procedure form created"),
    "lutetia.procedures.form_changed": _("Procedure form changed"),
    "lutetia.procedures.form_published": _("Procedure form published"),
    "lutetia.procedures.form_deleted": _("Procedure form deleted"),
    "lutetia.procedures.draft_started": _("Procedure draft started"),
    "lutetia.procedures.draft_discarded": _("Procedure draft deleted"),
    "lutetia.procedures.demand_submitted": _("Demand submitted"),
    "lutetia.procedures.information_requested": _("Information requested from the applicant"),
    "lutetia.procedures.information_given": _("Applicant answered a request for information"),
    "lutetia.procedures.message_sent": _("Message sent to the applicant"),
    "lutetia.procedures.note_added": _("Internal note added"),
    "lutetia.procedures.applicant_erased": _("Demands anonymised"),
    "lutetia.procedures.demands_exported": _("Demands exported"),
}


@hooks.register("register_log_actions")
def register_procedures_log_actions(actions):
    for action, label in LOG_ACTIONS.items():
        actions.register_action(action, label, label)
