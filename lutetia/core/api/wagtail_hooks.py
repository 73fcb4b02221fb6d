"""The API's part of the back office: its audit actions and the API keys screens."""

from django.urls import path, reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from lutetia.core.api.admin_views import (
    API_KEYS_PERMISSION,
    ApiKeyCreateView,
    ApiKeyIndexView,
    ApiKeyRevokeView,
)

LOG_ACTIONS = {
    "lutetia.apikey_created": _("API key created"),
    "lutetia.apikey_revoked": _("API key revoked"),
}


class ApiKeysMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(API_KEYS_PERMISSION)


@hooks.register("register_log_actions")
def register_api_log_actions(actions):
    for action, label in LOG_ACTIONS.items():
        actions.register_action(action, label, label)


@hooks.register("register_admin_urls")
def register_api_admin_urls():
    return [
        path("lutetia/api-keys/", ApiKeyIndexView.as_view(), name="lutetia_apikeys"),
        path("lutetia/api-keys/new/", ApiKeyCreateView.as_view(), name="lutetia_apikeys_add"),
        path(
            "lutetia/api-keys/<int:pk>/revoke/",
            ApiKeyRevokeView.as_view(),
            name="lutetia_apikeys_revoke",
        ),
    ]


@hooks.register("register_settings_menu_item")
def register_api_keys_menu_item():
    return ApiKeysMenuItem(
        _("API keys"), reverse_lazy("lutetia_apikeys"), name="lutetia-api-keys", icon_name="key"
    )
