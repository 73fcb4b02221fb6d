"""Background work of the appointments service: e-mails with their .ics, and reminders."""

from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from lutetia.core.notifications.rendering import render_text
from lutetia.services.appointments import ics
from lutetia.services.appointments.links import manage_url
from lutetia.services.appointments.models import Booking

REMINDER_BEFORE = timedelta(days=1)
CANCELLING = {"cancellation", "closed"}


@task()
def send_booking_email(booking_id: int, kind: str) -> None:
    """E-mail the resident about their booking, with the event (or its cancellation) as .ics.

    ``kind``: confirmation, reschedule, cancellation, closed (by the city) or reminder.
    """
    booking = Booking.objects.select_related(
        "service", "slot__location", "appointment_type", "user"
    ).get(pk=booking_id)
    _send(booking, kind)


def schedule_reminder(booking_id: int, sequence: int) -> None:
    """Enqueue the reminder for the day before, if the backend can defer and it is not too late.

    The test backend (immediate) cannot defer: reminders are then not scheduled.
    """
    booking = Booking.objects.select_related("slot").get(pk=booking_id)
    when = booking.slot.starts_at - REMINDER_BEFORE
    if when > timezone.now() and send_reminder.get_backend().supports_defer:
        send_reminder.using(run_after=when).enqueue(booking_id, sequence)


@task()
def send_reminder(booking_id: int, sequence: int) -> bool:
    """Send the day-before reminder once; a stale one (cancelled, moved, sent) does nothing."""
    with transaction.atomic():
        booking = (
            Booking.objects.select_for_update(of=("self",))
            .select_related("service", "slot__location", "appointment_type", "user")
            .filter(
                pk=booking_id,
                sequence=sequence,
                status=Booking.Status.BOOKED,
                reminded_at__isnull=True,
                slot__starts_at__gt=timezone.now(),
            )
            .first()
        )
        if booking is None:
            return False
        _send(booking, "reminder")
        booking.reminded_at = timezone.now()
        booking.save(update_fields=["reminded_at"])
    return True


def _send(booking: Booking, kind: str) -> None:
    user = booking.user
    language = user.preferred_language or settings.LANGUAGE_CODE
    context = {
        "booking": booking,
        "kind": kind,
        "service": booking.service,
        "slot": booking.slot,
        "location": booking.slot.location,
        "manage_url": "" if kind in CANCELLING else manage_url(booking, language=language),
    }
    subject = render_text("appointments/email/subject.txt", context, language=language)
    body = render_text("appointments/email/body.txt", context, language=language)
    method = "CANCEL" if kind in CANCELLING else "REQUEST"
    message = EmailMessage(" ".join(subject.split()), body.strip(), None, [user.email])
    message.attach(
        "rendez-vous.ics",
        ics.calendar([booking], method=method),
        f"text/calendar; charset=utf-8; method={method}",
    )
    message.send()
