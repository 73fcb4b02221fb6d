from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class PagesConfig(AppConfig):
    name = "lutetia.pages"
    label = "pages"
    verbose_name = "Pages"

    def ready(self) -> None:
        from wagtail.models import Page, Site
        from wagtail.signals import page_published, page_unpublished, post_page_move

        from lutetia.core.models import ServiceSetting
        from lutetia.pages import models
        from lutetia.pages.cache import invalidate

        # Cache invalidation only: what a page shows changed, so cached copies go.
        for signal in (page_published, page_unpublished, post_page_move):
            signal.connect(invalidate, dispatch_uid=f"page-cache-{signal}")
        for model in (
            Page,
            Site,
            ServiceSetting,
            models.SiteTheme,
            models.SiteNavigation,
            models.MenuItem,
            models.FooterLink,
        ):
            for signal in (post_save, post_delete):
                signal.connect(
                    invalidate, sender=model, dispatch_uid=f"page-cache-{model}-{signal}"
                )
