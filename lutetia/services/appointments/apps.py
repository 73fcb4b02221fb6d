from django.apps import AppConfig

from lutetia.core.registry import (
    Indicator,
    MenuEntry,
    OpenDataExport,
    PersonalDataProvider,
    ServiceManifest,
)

APP = "lutetia.services.appointments"
# (viewset name, model, menu label) of the configuration screens, in menu order.
CONFIG_SCREENS = (
    (
        "appointment_services",
        "appointmentservice",
        {"fr": "Services de rendez-vous", "en": "Appointment services"},
    ),
    ("appointment_locations", "location", {"fr": "Lieux de rendez-vous", "en": "Locations"}),
    ("appointment_types", "appointmenttype", {"fr": "Types de rendez-vous", "en": "Types"}),
    ("appointment_templates", "weeklytemplate", {"fr": "Horaires", "en": "Opening hours"}),
    ("appointment_closing_days", "closingday", {"fr": "Jours de fermeture", "en": "Closing days"}),
    (
        "appointment_overrides",
        "slotoverride",
        {"fr": "Changements ponctuels", "en": "One-off changes"},
    ),
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
        admin_menu=(
            MenuEntry(
                label={"fr": "Agenda des rendez-vous", "en": "Appointment calendar"},
                url_name="appointments_calendar:index",
                icon="date",
                permission="appointments.view_booking",
                order=400,
            ),
            *(
                MenuEntry(
                    label=label,
                    url_name=f"{name}:index",
                    icon="date",
                    permission=f"appointments.change_{model}",
                    order=401 + index,
                )
                for index, (name, model, label) in enumerate(CONFIG_SCREENS)
            ),
        ),
        admin_viewsets=(
            f"{APP}.viewsets.calendar_viewset",
            f"{APP}.viewsets.service_viewset",
            f"{APP}.viewsets.location_viewset",
            f"{APP}.viewsets.type_viewset",
            f"{APP}.viewsets.template_viewset",
            f"{APP}.viewsets.closing_day_viewset",
            f"{APP}.viewsets.override_viewset",
        ),
        api_router=f"{APP}.api.router",
        account_items=f"{APP}.account.account_items",
        personal_data=PersonalDataProvider(
            export=f"{APP}.account.export", erase=f"{APP}.account.erase"
        ),
        open_data=(
            OpenDataExport(
                slug="appointments-monthly",
                title={
                    "fr": "Rendez-vous par mois et par service",
                    "en": "Appointments per month and service",
                },
                formats=("csv",),
                producer=f"{APP}.open_data.monthly_bookings",
            ),
        ),
        indicators=(
            Indicator(
                slug="appointments-lead-time",
                title={
                    "fr": "Délai jusqu'au prochain créneau libre",
                    "en": "Lead time to the next free slot",
                },
                unit="days",
                compute=f"{APP}.open_data.lead_time_to_next_slot",
            ),
            Indicator(
                slug="appointments-no-show-rate",
                title={"fr": "Taux d'absence aux rendez-vous", "en": "Appointment no-show rate"},
                unit="ratio",
                compute=f"{APP}.open_data.no_show_rate",
            ),
        ),
        demo_loader=f"{APP}.demo.load_demo",
        worker_check=f"{APP}.actions.extend_slots_daily",
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
                    for _name, model, _label in CONFIG_SCREENS
                    for verb in ("view", "add", "change", "delete")
                ),
            ),
        },
    )
