"""Audit action names of Dans ma rue, shown in the back office's history."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

LOG_ACTIONS = {
    "lutetia.reports.submitted": _("Report submitted"),
    "lutetia.reports.confirmed": _("Report confirmed by e-mail"),
    "lutetia.reports.followed": _("Report followed"),
    "lutetia.reports.follow_confirmed": _("Follower's e-mail address confirmed"),
    "lutetia.reports.unfollowed": _("Report no longer followed"),
    "lutetia.reports.status_changed": _("Report status changed"),
    "lutetia.reports.noted": _("Internal note added to a report"),
    "lutetia.reports.alert_created": _("Report alert created"),
    "lutetia.reports.alert_deleted": _("Report alert deleted"),
    "lutetia.reports.reporter_erased": _("Reporter's contact details erased"),
    # Back office: triage, moderation and routing settings.
    "lutetia.reports.reassigned": _("Report sent to another department"),
    "lutetia.reports.recategorised": _("Report category changed"),
    "lutetia.reports.prioritised": _("Report priority changed"),
    "lutetia.reports.assigned": _("Report assigned"),
    "lutetia.reports.redacted": _("Report text edited by moderation"),
    "lutetia.reports.published": _("Report held for moderation published"),
    "lutetia.reports.hidden": _("Report hidden by moderation"),
    "lutetia.reports.shown": _("Report shown again"),
    "lutetia.reports.photo_hidden": _("Report photo hidden"),
    "lutetia.reports.photo_shown": _("Report photo shown again"),
    "lutetia.reports.email_banned": _("E-mail address banned from reporting"),
    "lutetia.reports.ban_lifted": _("E-mail address ban lifted"),
    "lutetia.reports.category_created": _("Report category created"),
    "lutetia.reports.category_changed": _("Report category changed"),
    "lutetia.reports.routingrule_created": _("Report routing rule created"),
    "lutetia.reports.routingrule_changed": _("Report routing rule changed"),
    "lutetia.reports.routingrule_deleted": _("Report routing rule deleted"),
    "lutetia.reports.rejectionreason_created": _("Rejection reason created"),
    "lutetia.reports.rejectionreason_changed": _("Rejection reason changed"),
    "lutetia.reports.responsetemplate_created": _("Response template created"),
    "lutetia.reports.responsetemplate_changed": _("Response template changed"),
    "lutetia.reports.responsetemplate_deleted": _("Response template deleted"),
    # Data: `lutetia reports taxonomy|import|generate`.
    "lutetia.reports.taxonomy_loaded": _("Report taxonomy loaded"),
    "lutetia.reports.imported": _("Report history imported"),
    "lutetia.reports.generated": _("Synthetic reports generated"),
}


@hooks.register("register_log_actions")
def register_reports_log_actions(actions):
    for action, label in LOG_ACTIONS.items():
        actions.register_action(action, label, label)
