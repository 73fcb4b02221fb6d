from django.apps import AppConfig

from lutetia.core.registry import (
    Indicator,
    MenuEntry,
    OpenDataExport,
    PersonalDataProvider,
    ServiceManifest,
)

APP = "lutetia.services.contact"


class ContactConfig(AppConfig):
    """ "Contact the city": the example service, declaring every part of the manifest."""

    name = APP
    label = "contact"
    verbose_name = "Contact"
    default_auto_field = "django.db.models.BigAutoField"
    manifest = ServiceManifest(
        slug="contact",
        name={"fr": "Contacter la mairie", "en": "Contact the city"},
        description={
            "fr": "Posez une question ou faites une demande au service de la ville concerné.",
            "en": "Ask a question or make a request to the city department in charge.",
        },
        urls=f"{APP}.urls",
        api_router=f"{APP}.api.router",
        admin_menu=(
            MenuEntry(
                label={"fr": "Demandes de contact", "en": "Contact requests"},
                url_name="contact_requests:index",
                icon="mail",
                permission="contact.view_contactrequest",
                order=300,
            ),
            MenuEntry(
                label={"fr": "Thèmes de contact", "en": "Contact topics"},
                url_name="contact_topics:index",
                icon="tag",
                permission="contact.change_topic",
                order=301,
            ),
        ),
        admin_viewsets=(
            f"{APP}.viewsets.contact_request_viewset",
            f"{APP}.viewsets.topic_viewset",
        ),
        role_permissions={
            "agent": (
                "contact.view_contactrequest",
                "contact.change_contactrequest",
                "contact.add_message",
            ),
            "manager": ("contact.view_topic", "contact.add_topic", "contact.change_topic"),
            "administrator": ("contact.delete_topic",),
        },
        account_items=f"{APP}.account.account_items",
        personal_data=PersonalDataProvider(
            export=f"{APP}.account.export", erase=f"{APP}.account.erase"
        ),
        open_data=(
            OpenDataExport(
                slug="contact-requests-monthly",
                title={
                    "fr": "Demandes de contact par mois",
                    "en": "Contact requests per month",
                },
                formats=("csv",),
                producer=f"{APP}.open_data.monthly_requests",
            ),
        ),
        indicators=(
            Indicator(
                slug="contact-requests-per-month",
                title={"fr": "Demandes de contact par mois", "en": "Contact requests per month"},
                unit="requests",
                compute=f"{APP}.open_data.requests_per_month",
            ),
            Indicator(
                slug="contact-median-first-answer",
                title={
                    "fr": "Délai médian de première réponse",
                    "en": "Median time to first answer",
                },
                unit="hours",
                compute=f"{APP}.open_data.median_hours_to_first_answer",
            ),
        ),
        demo_loader=f"{APP}.demo.load_demo",
    )
