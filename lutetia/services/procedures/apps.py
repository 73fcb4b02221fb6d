from django.apps import AppConfig

from lutetia.core.registry import (
    Indicator,
    MenuEntry,
    OpenDataExport,
    PersonalDataProvider,
    ServiceManifest,
)

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
        urls=f"{APP}.urls",
        admin_menu=(
            MenuEntry(
                label={"fr": "Formulaires de démarches", "en": "Procedure forms"},
                url_name="procedure_forms:index",
                icon="form",
                permission="procedures.view_form",
                order=320,
            ),
            MenuEntry(
                label={"fr": "Demandes des démarches", "en": "Procedure demands"},
                url_name="procedure_demands:index",
                icon="form",
                permission="procedures.view_demand",
                order=321,
            ),
        ),
        admin_viewsets=(f"{APP}.viewsets.form_viewset", f"{APP}.viewsets.demand_viewset"),
        role_permissions={
            "agent": (
                "procedures.view_form",
                "procedures.view_demand",
                "procedures.change_demand",
                "procedures.add_message",
            ),
            "manager": ("procedures.add_form", "procedures.change_form"),
            "administrator": ("procedures.delete_form",),
        },
        account_items=f"{APP}.account.account_items",
        personal_data=PersonalDataProvider(
            export=f"{APP}.account.export", erase=f"{APP}.account.erase"
        ),
        open_data=(
            OpenDataExport(
                slug="procedures-demands-monthly",
                title={
                    "fr": "Démarches en ligne : demandes par mois",
                    "en": "Online procedures: demands per month",
                },
                formats=("csv",),
                producer=f"{APP}.open_data.monthly_demands",
            ),
        ),
        indicators=(
            Indicator(
                slug="procedures-demands-per-month",
                title={"fr": "Demandes de démarches par mois", "en": "Demands per month"},
                unit="demands",
                compute=f"{APP}.open_data.demands_per_month",
            ),
            Indicator(
                slug="procedures-median-processing-time",
                title={
                    "fr": "Délai médian de traitement par démarche",
                    "en": "Median processing time per procedure",
                },
                unit="days",
                compute=f"{APP}.open_data.median_processing_days",
            ),
            Indicator(
                slug="procedures-share-within-target",
                title={
                    "fr": "Part des demandes traitées dans le délai cible",
                    "en": "Share of demands processed within target",
                },
                unit="%",
                compute=f"{APP}.open_data.share_within_target",
            ),
        ),
        demo_loader=f"{APP}.demo.load_demo",
    )

    def ready(self):
        from lutetia.services.procedures.workflow_tasks import register

        register()
