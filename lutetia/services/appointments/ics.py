"""iCalendar (RFC 5545) for appointments: the e-mail attachment and the staff feeds.

Times are written in UTC (``...Z``), so no VTIMEZONE is needed; every event has a
stable UID (the booking's uuid), DTSTAMP, and SEQUENCE (incremented on each
reschedule or cancellation, so calendars replace the earlier version).
"""

from collections.abc import Iterable
from datetime import UTC, datetime

from django.conf import settings
from django.utils import timezone

from lutetia.services.appointments.models import Booking

PRODID = "-//Lutetia//Appointments//FR"
UID_DOMAIN = "appointments.lutetia"


def calendar(
    bookings: Iterable[Booking], *, method: str | None = None, name: str = "", staff=False
) -> str:
    """A VCALENDAR with one VEVENT per booking; ``method`` REQUEST or CANCEL for e-mails."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]
    if method:
        lines.append(f"METHOD:{method}")
    if name:
        lines.append(f"X-WR-CALNAME:{escape(name)}")
    stamp = timezone.now()
    for booking in bookings:
        lines.extend(_event(booking, stamp, method=method, staff=staff))
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def _event(booking: Booking, stamp: datetime, *, method: str | None, staff: bool) -> list[str]:
    slot = booking.slot
    location = slot.location
    cancelled = method == "CANCEL" or booking.status == Booking.Status.CANCELLED
    summary = booking.service.name
    if booking.appointment_type is not None:
        summary = f"{summary} — {booking.appointment_type.name}"
    if staff:
        summary = f"{summary} — {booking.user.get_full_name() or booking.reference}"
    lines = [
        "BEGIN:VEVENT",
        f"UID:{booking.uid}@{UID_DOMAIN}",
        f"DTSTAMP:{utc(stamp)}",
        f"DTSTART:{utc(slot.starts_at)}",
        f"DTEND:{utc(booking.ends_at)}",
        f"SEQUENCE:{booking.sequence}",
        f"SUMMARY:{escape(summary)}",
        f"LOCATION:{escape(', '.join(filter(None, [location.name, location.address])))}",
        f"DESCRIPTION:{escape(booking.reference)}",
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
    ]
    if method:
        organizer = settings.DEFAULT_FROM_EMAIL.rsplit("<", 1)[-1].rstrip(">")
        lines.append(f"ORGANIZER:mailto:{organizer}")
        lines.append(f"ATTENDEE;RSVP=FALSE:mailto:{booking.user.email}")
    if location.latitude is not None and location.longitude is not None:
        lines.append(f"GEO:{location.latitude:.6f};{location.longitude:.6f}")
    lines.append("END:VEVENT")
    return lines


def utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def escape(text: str) -> str:
    """TEXT value escaping (RFC 5545 §3.3.11)."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character (§3.1)."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts, current, limit = [], b"", 75
    for char in line:
        piece = char.encode()
        if len(current) + len(piece) > limit:
            parts.append(current.decode())
            current, limit = b"", 74  # continuation lines start with a space
        current += piece
    parts.append(current.decode())
    return "\r\n ".join(parts)
