"""The districts' part of the back office: audit actions and the district editor."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks


@hooks.register("register_log_actions")
def register_district_log_actions(actions):
    actions.register_action(
        "lutetia.district_imported", _("District imported"), _("District imported")
    )
    actions.register_action("lutetia.district_updated", _("District edited"), _("District edited"))
