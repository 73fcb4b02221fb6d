"""Staff roles mapped onto Django groups and permissions.

Each role's group holds the permissions the core grants it plus those every service
declares in its manifest (``role_permissions``). Higher roles include lower ones.
"""

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from lutetia.core.models import Role
from lutetia.core.registry import services

GROUP_NAMES = {
    Role.AGENT: "Agents",
    Role.MANAGER: "Department managers",
    Role.ADMINISTRATOR: "City administrators",
}
ROLE_ORDER = [Role.AGENT, Role.MANAGER, Role.ADMINISTRATOR]

CORE_PERMISSIONS = {
    Role.AGENT: ("wagtailadmin.access_admin",),
    Role.MANAGER: (),
    Role.ADMINISTRATOR: (
        "core.add_department",
        "core.change_department",
        "core.view_department",
        "core.add_staffmembership",
        "core.change_staffmembership",
        "core.delete_staffmembership",
        "core.view_staffmembership",
        "core.change_servicesetting",
        "core.view_servicesetting",
        "districts.add_district",
        "districts.change_district",
        "districts.view_district",
        "api.add_apikey",
        "api.change_apikey",
        "api.view_apikey",
        "accounts.view_user",
        "accounts.verify_resident",
        "wagtailsites.change_site",
        "wagtailimages.add_image",
        "wagtailimages.change_image",
        "wagtaildocs.add_document",
        "wagtaildocs.change_document",
        "wagtailsettings.change_sitetheme",
        "pages.change_sitetheme",
        "pages.change_sitenavigation",
        *(
            f"workflow.{verb}_{model}"
            for verb in ("add", "change", "delete", "view")
            for model in ("workflow", "action")
        ),
    ),
}


def permissions_for(role: Role) -> set[str]:
    """Every permission a role holds: its own, the lower roles', and the services'."""
    granted: set[str] = set()
    for level in ROLE_ORDER[: ROLE_ORDER.index(role) + 1]:
        granted.update(CORE_PERMISSIONS[level])
        for manifest in services.all():
            granted.update(manifest.role_permissions.get(level.value, ()))
    return granted


@transaction.atomic
def sync_role_groups() -> dict[Role, Group]:
    """Create the role groups and set their permissions to exactly what the roles grant."""
    groups = {}
    for role in ROLE_ORDER:
        group, _ = Group.objects.get_or_create(name=GROUP_NAMES[role])
        group.permissions.set(_lookup(permissions_for(role)))
        groups[role] = group
    _grant_page_editing(groups[Role.ADMINISTRATOR])
    return groups


def _lookup(names: set[str]) -> list[Permission]:
    found = []
    for name in sorted(names):
        app_label, codename = name.split(".", 1)
        found.extend(
            Permission.objects.filter(content_type__app_label=app_label, codename=codename)
        )
    return found


def _grant_page_editing(group: Group) -> None:
    from wagtail.models import GroupPagePermission, Page

    root = Page.get_first_root_node()
    if root is None:
        return
    for codename in ("add_page", "change_page", "publish_page", "delete_page", "lock_page"):
        permission = Permission.objects.filter(
            content_type__app_label="wagtailcore", codename=codename
        ).first()
        if permission:
            GroupPagePermission.objects.get_or_create(group=group, page=root, permission=permission)


def sync_role_groups_after_migrate(app_config, **kwargs) -> None:
    # post_migrate is sent once per app: wait for the last one, when every permission
    # (the services' included) has been created.
    with_models = [config for config in apps.get_app_configs() if config.models_module]
    if app_config is with_models[-1]:
        sync_role_groups()


def role_of(user) -> Role | None:
    """The highest role a user holds, or None for a resident."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.ADMINISTRATOR
    roles = {m.role for m in user.memberships.all()}
    for role in reversed(ROLE_ORDER):
        if role in roles:
            return role
    return None
