from django.apps import AppConfig

from lutetia.core.registry import ServiceManifest

APP = "lutetia.services.reports"


class ReportsConfig(AppConfig):
    """Dans ma rue: problems reported in public space, triaged by staff, and the Open311 API."""

    name = APP
    label = "reports"
    verbose_name = "Dans ma rue"
    default_auto_field = "django.db.models.BigAutoField"
    manifest = ServiceManifest(
        slug="reports",
        name={"fr": "Dans ma rue", "en": "Report a problem"},
        description={
            "fr": "Signalez un problème dans l'espace public : propreté, voirie, éclairage…",
            "en": "Report a problem in public space: litter, roads, street lights…",
        },
        urls=f"{APP}.urls",
        url_prefix="dans-ma-rue",
    )
