from django.apps import AppConfig

from lutetia.core.registry import (
    Indicator,
    MenuEntry,
    OpenDataExport,
    PersonalDataProvider,
    ServiceManifest,
)

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
        account_items=f"{APP}.account.account_items",
        personal_data=PersonalDataProvider(
            export=f"{APP}.account.export", erase=f"{APP}.account.erase"
        ),
        extra_urls={"open311/v2": f"{APP}.open311.urls"},
        open_data=(
            OpenDataExport(
                slug="reports",
                title={"fr": "Signalements Dans ma rue", "en": "Dans ma rue reports"},
                formats=("csv", "geojson"),
                producer=f"{APP}.open_data.public_reports",
            ),
        ),
        indicators=(
            Indicator(
                slug="reports-per-month",
                title={"fr": "Signalements par mois", "en": "Reports per month"},
                unit="reports",
                compute=f"{APP}.open_data.reports_per_month",
            ),
            Indicator(
                slug="reports-per-category",
                title={"fr": "Signalements par catégorie", "en": "Reports per category"},
                unit="reports",
                compute=f"{APP}.open_data.reports_per_category",
            ),
            Indicator(
                slug="reports-per-district",
                title={"fr": "Signalements par arrondissement", "en": "Reports per district"},
                unit="reports",
                compute=f"{APP}.open_data.reports_per_district",
            ),
            Indicator(
                slug="reports-median-days-to-resolve",
                title={"fr": "Délai médian de résolution", "en": "Median time to resolve"},
                unit="days",
                compute=f"{APP}.open_data.median_days_to_resolve",
            ),
            Indicator(
                slug="reports-resolved-within-target",
                title={
                    "fr": "Signalements résolus dans le délai cible",
                    "en": "Reports resolved within the target time",
                },
                unit="%",
                compute=f"{APP}.open_data.share_resolved_within_target",
            ),
        ),
        demo_loader=f"{APP}.demo.load_demo",
        admin_menu=(
            MenuEntry(
                label={"fr": "Signalements à traiter", "en": "Reports to triage"},
                url_name="reports_triage:index",
                icon="warning",
                permission="reports.triage_report",
                order=500,
            ),
            MenuEntry(
                label={"fr": "Catégories de signalement", "en": "Report categories"},
                url_name="reports_categories:index",
                icon="tag",
                permission="reports.manage_routing",
                order=501,
            ),
            MenuEntry(
                label={"fr": "Aiguillage des signalements", "en": "Report routing"},
                url_name="reports_routing_rules:index",
                icon="redirect",
                permission="reports.manage_routing",
                order=502,
            ),
            MenuEntry(
                label={"fr": "Motifs de rejet", "en": "Rejection reasons"},
                url_name="reports_rejection_reasons:index",
                icon="cross",
                permission="reports.manage_routing",
                order=503,
            ),
            MenuEntry(
                label={"fr": "Modèles de réponse", "en": "Response templates"},
                url_name="reports_response_templates:index",
                icon="doc-full",
                permission="reports.manage_routing",
                order=504,
            ),
            MenuEntry(
                label={"fr": "Adresses bannies", "en": "Banned e-mails"},
                url_name="reports_banned_emails:index",
                icon="lock",
                permission="reports.moderate_report",
                order=505,
            ),
        ),
        admin_viewsets=(
            f"{APP}.viewsets.triage_viewset",
            f"{APP}.viewsets.category_viewset",
            f"{APP}.viewsets.routing_rule_viewset",
            f"{APP}.viewsets.rejection_reason_viewset",
            f"{APP}.viewsets.response_template_viewset",
            f"{APP}.viewsets.banned_email_viewset",
        ),
        # Agents triage their departments' reports (status, notes, priority, assignment,
        # re-routing a misrouted report); managers also edit the routing settings of their
        # departments' categories; administrators also moderate (redact, hide, ban).
        role_permissions={
            "agent": ("reports.view_report", "reports.triage_report"),
            "manager": ("reports.manage_routing",),
            "administrator": ("reports.moderate_report",),
        },
    )
