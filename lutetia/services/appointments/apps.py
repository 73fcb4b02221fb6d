from django.apps import AppConfig

from lutetia.core.registry import PersonalDataProvider, ServiceManifest

APP = "lutetia.services.appointments"
CONFIG_MODELS = (
    "appointmentservice",
    "location",
    "appointmenttype",
    "weeklytemplate",
    "closingday",
    "slotoverride",
)


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
        urls=f"{APP}.urls",
        url_prefix="rendez-vous",
        account_items=f"{APP}.account.account_items",
        personal_data=PersonalDataProvider(
            export=f"{APP}.account.export", erase=f"{APP}.account.erase"
        ),
        role_permissions={
            "agent": (
                "appointments.view_booking",
                "appointments.add_booking",
                "appointments.change_booking",
                "appointments.view_slot",
                "appointments.change_slot",
                "appointments.view_appointmentservice",
                "appointments.view_location",
            ),
            "manager": (
                "appointments.overbook",
                *(
                    f"appointments.{verb}_{model}"
                    for model in CONFIG_MODELS
                    for verb in ("view", "add", "change", "delete")
                ),
            ),
        },
    )
