from django.apps import AppConfig

from lutetia.core.registry import ServiceManifest

APP = "lutetia.services.procedures"


class ProceduresConfig(AppConfig):
    """Online procedures: forms built by staff, answered by residents, processed by a workflow."""

    name = APP
    label = "procedures"
    verbose_name = "Online procedures"
    default_auto_field = "django.db.models.BigAutoField"
    manifest = ServiceManifest(
        slug="procedures",
        name={"fr": "Démarches en ligne", "en": "Online procedures"},
        description={
            "fr": "Faites vos démarches auprès de la ville en ligne et suivez leur avancement.",
            "en": "Apply to the city online and follow your applications.",
        },
        url_prefix="demarches",
    )
