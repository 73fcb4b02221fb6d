"""Audit action names of Dans ma rue, shown in the back office's history."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

LOG_ACTIONS = {
    "lutetia.reports.submitted": _("Report submitted"),
    "lutetia.reports.confirmed": _("Report confirmed by e-mail"),
    "lutetia.reports.followed": _("Report followed"),
    "lutetia.reports.unfollowed": _("Report no longer followed"),
    "lutetia.reports.status_changed": _("Report status changed"),
    "lutetia.reports.noted": _("Internal note added to a report"),
}


@hooks.register("register_log_actions")
def register_reports_log_actions(actions):
    for action, label in LOG_ACTIONS.items():
        actions.register_action(action, label, label)
