from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save


class CoreConfig(AppConfig):
    name = "lutetia.core"
    label = "core"
    verbose_name = "Lutetia"

    def ready(self) -> None:
        from wagtail.models import Site

        from lutetia.core import roles, sites

        # Setup, not business logic: keep the role groups in step with the permissions.
        post_migrate.connect(roles.sync_role_groups_after_migrate)
        # Cache invalidation: a site changed (its root page is not kept: see core.sites).
        for signal in (post_save, post_delete):
            signal.connect(sites.forget, sender=Site, dispatch_uid=f"sites-{signal}")
