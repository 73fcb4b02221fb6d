from django.apps import AppConfig

from lutetia.core.registry import ServiceManifest

APP = "lutetia.services.budget"


class BudgetConfig(AppConfig):
    """Participatory budget. For now: exact tallies of pabulib files (``lutetia pb tally``)."""

    name = APP
    label = "budget"
    verbose_name = "Participatory budget"
    manifest = ServiceManifest(
        slug="budget",
        name={"fr": "Budget participatif", "en": "Participatory budget"},
        description={
            "fr": "Les habitants proposent des projets et votent pour ceux que la ville réalise.",
            "en": "Residents propose projects and vote to choose the ones the city carries out.",
        },
    )
