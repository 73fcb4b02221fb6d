from django.apps import AppConfig

from lutetia.core.registry import ServiceManifest

APP = "lutetia.services.appointments"


class AppointmentsConfig(AppConfig):
    """Appointments: bookable slots at city halls and facilities, never booked past capacity."""

    name = APP
    label = "appointments"
    verbose_name = "Appointments"
    default_auto_field = "django.db.models.BigAutoField"
    manifest = ServiceManifest(
        slug="appointments",
        name={"fr": "Rendez-vous", "en": "Appointments"},
        description={
            "fr": "Prenez rendez-vous en mairie ou réservez un équipement sportif.",
            "en": "Book an appointment at a town hall or a sports facility.",
        },
        url_prefix="rendez-vous",
    )
