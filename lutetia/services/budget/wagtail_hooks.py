"""Audit action names of the participatory budget, shown in the back office's history."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

LOG_ACTIONS = {
    "lutetia.budget.campaign_created": _("Budget campaign created"),
    "lutetia.budget.campaign_changed": _("Budget campaign changed"),
    "lutetia.budget.envelope_created": _("Budget envelope created"),
    "lutetia.budget.envelope_changed": _("Budget envelope changed"),
    "lutetia.budget.project_created": _("Budget project created"),
    "lutetia.budget.project_changed": _("Budget project changed"),
    "lutetia.budget.project_reviewed": _("Budget project feasibility reviewed"),
    "lutetia.budget.execution_updated": _("Budget project follow-up updated"),
    "lutetia.budget.ballot_cast": _("Ballot cast"),
    "lutetia.budget.ballot_changed": _("Ballot changed"),
    "lutetia.budget.paper_ballot_recorded": _("Paper ballot recorded"),
    "lutetia.budget.voter_detached": _("Ballots detached from a deleted account"),
    "lutetia.budget.results_computed": _("Budget results computed"),
    "lutetia.budget.results_requested": _("Budget results requested"),
    "lutetia.budget.results_published": _("Budget results published"),
    "lutetia.budget.imported": _("Budget envelope imported from pabulib"),
    "lutetia.budget.idea_submitted": _("Budget idea submitted"),
    "lutetia.budget.idea_supported": _("Budget idea supported"),
    "lutetia.budget.support_withdrawn": _("Support for a budget idea withdrawn"),
    "lutetia.budget.comment_added": _("Comment on a budget idea"),
    "lutetia.budget.flagged": _("Budget idea or comment reported"),
    "lutetia.budget.idea_hidden": _("Budget idea hidden"),
    "lutetia.budget.idea_restored": _("Budget idea restored"),
    "lutetia.budget.comment_hidden": _("Comment on a budget idea hidden"),
    "lutetia.budget.comment_restored": _("Comment on a budget idea restored"),
    "lutetia.budget.flags_dismissed": _("Reports on a budget idea closed"),
    "lutetia.budget.ideas_merged": _("Budget ideas merged into a project"),
    "lutetia.budget.ideas_erased": _("Budget ideas anonymised for a deleted account"),
}


@hooks.register("register_log_actions")
def register_budget_log_actions(actions):
    for action, label in LOG_ACTIONS.items():
        actions.register_action(action, label, label)
