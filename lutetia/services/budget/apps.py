from django.apps import AppConfig

from lutetia.core.registry import MenuEntry, PersonalDataProvider, ServiceManifest

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
        urls="lutetia.services.budget.urls",
        url_prefix="budget-participatif",
        admin_menu=(
            MenuEntry(
                label={"fr": "Campagnes du budget participatif", "en": "Budget campaigns"},
                url_name="budget_campaigns:index",
                icon="tasks",
                permission="budget.change_campaign",
                order=400,
            ),
            MenuEntry(
                label={"fr": "Projets à étudier", "en": "Project review"},
                url_name="budget_projects:index",
                icon="clipboard-list",
                permission="budget.review_project",
                order=401,
            ),
            MenuEntry(
                label={"fr": "Idées à modérer", "en": "Idea moderation"},
                url_name="budget_ideas:index",
                icon="comment",
                permission="budget.view_idea",
                order=403,
            ),
            MenuEntry(
                label={"fr": "Bulletins papier", "en": "Paper ballots"},
                url_name="budget_paper_ballots:index",
                icon="doc-full",
                permission="budget.add_paper_ballot",
                order=402,
            ),
        ),
        admin_viewsets=(
            f"{APP}.viewsets.campaign_viewset",
            f"{APP}.viewsets.envelope_viewset",
            f"{APP}.viewsets.project_viewset",
            f"{APP}.viewsets.paper_ballot_viewset",
            f"{APP}.viewsets.idea_viewset",
        ),
        # Agents study the feasibility of their department's projects (review_project);
        # managers also change projects and follow up the winners (change_project);
        # administrators run campaigns, envelopes, results and paper ballots. Agents
        # moderate ideas and comments; managers also merge ideas into projects.
        role_permissions={
            "agent": (
                "budget.view_campaign",
                "budget.view_envelope",
                "budget.view_project",
                "budget.view_result",
                "budget.review_project",
                "budget.view_idea",
                "budget.moderate_idea",
            ),
            "manager": ("budget.change_project", "budget.merge_idea"),
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
        # Export: the resident's ballots with their choices, ideas, comments and supports.
        # Erase: the ballots stay counted but lose the account (voter=None); only the
        # anonymous voter_key remains. Ideas and comments stay public, anonymised;
        # supports and reports go.
        personal_data=PersonalDataProvider(
            export=f"{APP}.account.export", erase=f"{APP}.account.erase"
        ),
        demo_loader=f"{APP}.demo.load_demo",
        # Counts the campaigns whose vote closed without results (see tasks.py).
        worker_check=f"{APP}.tasks.catch_up",
    )
