"""The core's part of the one back office: audit actions, core screens, services' menus.

Services never register Wagtail hooks for their menus: they declare ``admin_menu`` and
``admin_viewsets`` in their manifest and the core mounts them here, so a service that
is not installed leaves no trace in the back office.
"""

from django.urls import path, reverse, reverse_lazy
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from lutetia.core import admin_chrome
from lutetia.core.admin_views import SERVICES_PERMISSION, OrganisationViewSetGroup, ServicesView
from lutetia.core.registry import ServiceManifest, services

LOG_ACTIONS = {
    "lutetia.service_toggled": _("Service switched on or off"),
    "lutetia.department_created": _("Department created"),
    "lutetia.department_updated": _("Department changed"),
    "lutetia.membership_added": _("Staff role given"),
    "lutetia.membership_removed": _("Staff role removed"),
}

# The cached sidebar is rebuilt after the changes it depends on (see core.admin_chrome).
admin_chrome.connect_signals()


class PermissionMenuItem(MenuItem):
    """A menu item shown only to users holding ``permission`` (everyone when None)."""

    def __init__(self, *args, permission: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return self.permission is None or request.user.has_perm(self.permission)


@hooks.register("register_log_actions")
def register_core_log_actions(actions):
    for action, label in LOG_ACTIONS.items():
        actions.register_action(action, label, label)


@hooks.register("register_admin_urls")
def register_core_admin_urls():
    return [path("lutetia/services/", ServicesView.as_view(), name="lutetia_services")]


@hooks.register("register_settings_menu_item")
def register_services_menu_item():
    return PermissionMenuItem(
        _("Services"),
        reverse_lazy("lutetia_services"),
        name="lutetia-services",
        icon_name="cogs",
        order=50,
        permission=SERVICES_PERMISSION,
    )


@hooks.register("register_admin_viewset")
def register_core_viewsets():
    return OrganisationViewSetGroup()


@hooks.register("register_admin_viewset")
def register_service_viewsets():
    return [import_string(dotted) for m in services.all() for dotted in m.admin_viewsets]


@hooks.register("construct_main_menu")
def add_service_menus(request, menu_items):
    """Add each service's entries (built per request: labels follow the user's language)."""
    for manifest in services.all():
        item = service_menu_item(manifest)
        if item is not None and item.is_shown(request):
            menu_items.append(item)


def service_menu_item(manifest: ServiceManifest) -> MenuItem | None:
    """One item for a service with one entry, a submenu named after it for several."""
    entries = sorted(manifest.admin_menu, key=lambda entry: entry.order)
    items = [
        PermissionMenuItem(
            entry.localized_label,
            reverse(entry.url_name),
            name=f"{manifest.slug}-{entry.url_name.replace(':', '-')}",
            icon_name=entry.icon,
            order=entry.order,
            permission=entry.permission,
        )
        for entry in entries
    ]
    if len(items) <= 1:
        return items[0] if items else None
    return SubmenuMenuItem(
        manifest.localized_name,
        Menu(items=items),
        name=f"service-{manifest.slug}",
        icon_name=entries[0].icon,
        order=entries[0].order,
    )
