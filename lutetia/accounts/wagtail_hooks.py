"""The accounts' part of the back office: audit actions and the counter verification screen."""

from django.urls import path, reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from lutetia.accounts.admin_views import VERIFY_PERMISSION, CounterVerificationView

LOG_ACTIONS = {
    "lutetia.account.email_verified": _("E-mail address verified"),
    "lutetia.account.profile_updated": _("Profile changed"),
    "lutetia.account.resident_verified": _("Resident verified"),
    "lutetia.account.census_imported": _("Census imported"),
    "lutetia.account.deleted": _("Account deleted"),
}


class VerifyResidentMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(VERIFY_PERMISSION)


@hooks.register("register_log_actions")
def register_account_log_actions(actions):
    for action, label in LOG_ACTIONS.items():
        actions.register_action(action, label, label)


@hooks.register("register_admin_urls")
def register_account_admin_urls():
    return [
        path(
            "lutetia/verify-resident/",
            CounterVerificationView.as_view(),
            name="lutetia_verify_resident",
        )
    ]


@hooks.register("register_admin_menu_item")
def register_verify_resident_menu_item():
    return VerifyResidentMenuItem(
        _("Verify a resident"),
        reverse_lazy("lutetia_verify_resident"),
        name="lutetia-verify-resident",
        icon_name="user",
        order=900,
    )
