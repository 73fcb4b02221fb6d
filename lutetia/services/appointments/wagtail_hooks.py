"""Audit action names of the appointments service, shown in the back office's history."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

LOG_ACTIONS = {
    "lutetia.appointments.booked": _("Appointment booked"),
    "lutetia.appointments.cancelled": _("Appointment cancelled"),
    "lutetia.appointments.rescheduled": _("Appointment moved"),
    "lutetia.appointments.attendance_marked": _("Appointment attendance marked"),
    "lutetia.appointments.overbooked": _("Slot capacity raised to overbook"),
    "lutetia.appointments.slot_closed": _("Appointment slot closed"),
    "lutetia.appointments.config_created": _("Appointment setting created"),
    "lutetia.appointments.config_changed": _("Appointment setting changed"),
    "lutetia.appointments.config_deleted": _("Appointment setting deleted"),
    "lutetia.appointments.resident_erased": _("Appointments of a deleted account anonymised"),
}


@hooks.register("register_log_actions")
def register_appointments_log_actions(actions):
    for action, label in LOG_ACTIONS.items():
        actions.register_action(action, label, label)
