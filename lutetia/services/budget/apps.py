from django.apps import AppConfig

from lutetia.core.registry import PersonalDataProvider, ServiceManifest

APP = "lutetia.services.budget"


class BudgetConfig(AppConfig):
    """Participatory budget: campaigns, ballots, results by proven rules, pabulib files."""

    name = APP
    label = "budget"
    verbose_name = "Participatory budget"
    default_auto_field = "django.db.models.BigAutoField"
    manifest = ServiceManifest(
        slug="budget",
        name={"fr": "Budget participatif", "en": "Participatory budget"},
        description={
            "fr": "Les habitants proposent des projets et votent pour ceux que la ville réalise.",
            "en": "Residents propose projects and vote to choose the ones the city carries out.",
        },
        role_permissions={
            "agent": (
                "budget.view_campaign",
                "budget.view_envelope",
                "budget.view_project",
                "budget.view_result",
            ),
            "manager": ("budget.change_project",),
            "administrator": (
                "budget.add_campaign",
                "budget.change_campaign",
                "budget.add_envelope",
                "budget.change_envelope",
                "budget.add_project",
                "budget.add_paper_ballot",
            ),
        },
        account_items=f"{APP}.account.account_items",
        # Export: the resident's ballots with their choices. Erase: the ballots stay
        # counted but lose the account (voter=None); only the anonymous voter_key remains.
        personal_data=PersonalDataProvider(
            export=f"{APP}.account.export", erase=f"{APP}.account.erase"
        ),
        demo_loader=f"{APP}.demo.load_demo",
    )
