from django.apps import AppConfig

from lutetia.core.registry import ServiceManifest


class ContactConfig(AppConfig):
    name = "lutetia.services.contact"
    label = "contact"
    verbose_name = "Contact"
    manifest = ServiceManifest(
        slug="contact",
        name={"fr": "Contacter la mairie", "en": "Contact the city"},
    )
