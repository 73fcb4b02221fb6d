from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "lutetia.core"
    label = "core"
    verbose_name = "Lutetia"

    def ready(self) -> None:
        from lutetia.core import roles

        # Setup, not business logic: keep the role groups in step with the permissions.
        post_migrate.connect(roles.sync_role_groups_after_migrate)
