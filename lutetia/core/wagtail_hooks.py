"""The core's part of the back office: audit actions and the services' menus."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks


@hooks.register("register_log_actions")
def register_core_log_actions(actions):
    actions.register_action(
        "lutetia.service_toggled", _("Service switched on or off"), _("Service switched on or off")
    )
