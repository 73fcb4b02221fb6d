"""Reads of the appointments service: availability, a resident's bookings, staff calendars."""

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import NamedTuple

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from lutetia.core.permissions import scope_to_departments
from lutetia.services.appointments import schedule
from lutetia.services.appointments.models import (
    AppointmentService,
    AppointmentType,
    Booking,
    Location,
    Slot,
)

NEXT_SLOTS = 5
SLOT_FIELDS = ("pk", "starts_at", "ends_at", "capacity", "booked", "location_id")
FIRST_SEARCH_DAYS = 1  # the next free starts are looked for over 1, 2, 4… days at a time


class Opening(NamedTuple):
    """A start residents may book for a type: its first slot and the span the type takes."""

    pk: int  # the first slot
    starts_at: datetime
    ends_at: datetime  # the end of the span's last slot
    free: int  # places free in every slot of the span
    location: Location


def active_services() -> QuerySet[AppointmentService]:
    return AppointmentService.objects.filter(is_active=True, department__is_active=True)


def bookable_window(service: AppointmentService, now: datetime | None = None):
    """The instants between which residents may book: after the notice, before the horizon."""
    now = now or timezone.now()
    return now + timedelta(hours=service.min_notice_hours), now + timedelta(
        days=service.horizon_days
    )


def duration(appointment_type: AppointmentType | None) -> timedelta:
    """How long a booking of the type lasts; no type: nothing beyond its first slot."""
    return timedelta(minutes=appointment_type.duration_minutes if appointment_type else 0)


def span(rows: Sequence, first: int, until: datetime) -> list:
    """``rows[first]`` and the rows after it, each starting where the previous ends, up to
    ``until`` or the first gap: it covers ``until`` if ``covers(taken, until)``.

    ``rows`` are one location's slots ordered by start (anything with ``starts_at`` and
    ``ends_at``); a row overlapping the span (left by a change of slot length) is skipped.
    """
    taken, end = [], rows[first].starts_at
    for index in range(first, len(rows)):
        row = rows[index]
        if row.starts_at < end:
            continue
        if row.starts_at > end:
            break
        taken.append(row)
        end = row.ends_at
        if end >= until:
            break
    return taken


def covers(taken: list, until: datetime) -> bool:
    return bool(taken) and taken[-1].ends_at >= until


def span_end(slot: Slot, appointment_type: AppointmentType | None) -> datetime:
    """Where a booking of the type from ``slot`` would end, as far as the slots reach
    (shown before booking; the booking itself checks the span)."""
    until = slot.starts_at + duration(appointment_type)
    if until <= slot.ends_at:
        return slot.ends_at
    rows = list(
        Slot.objects.filter(
            location_id=slot.location_id, starts_at__gte=slot.starts_at, starts_at__lt=until
        )
        .order_by("starts_at")
        .values_list("starts_at", "ends_at", named=True)
    )
    return span(rows, 0, until)[-1].ends_at


def availability(
    service: AppointmentService,
    first: date,
    last: date,
    *,
    appointment_type: AppointmentType | None = None,
    persons: int = 1,
) -> list[Opening]:
    """Starts between two local dates (included) whose whole span for the type has
    ``persons`` places free: the month view and the API."""
    tz = schedule.zone()
    window_start, window_end = bookable_window(service)
    start = max(window_start, datetime.combine(first, datetime.min.time(), tzinfo=tz))
    end = min(
        window_end, datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    )
    return _openings(_locations(service), start, end, appointment_type, persons)


def next_free_starts(
    service: AppointmentService,
    *,
    appointment_type: AppointmentType | None = None,
    persons: int = 1,
    count: int = NEXT_SLOTS,
) -> list[Opening]:
    """The first ``count`` bookable starts, read over windows doubling from one day."""
    start, end = bookable_window(service)
    locations = _locations(service)
    found: list[Opening] = []
    days = FIRST_SEARCH_DAYS
    while start < end and len(found) < count:
        stop = min(end, start + timedelta(days=days))
        found += _openings(locations, start, stop, appointment_type, persons)
        start, days = stop, days * 2
    return found[:count]


def _locations(service: AppointmentService) -> dict[int, Location]:
    return {location.pk: location for location in service.locations.filter(is_active=True)}


def _openings(locations, start, end, appointment_type, persons) -> list[Opening]:
    """Starts in [start, end) whose span is free, from one read of the slots with room.

    Plain named rows filtered on the location ids, without a join (this read is the one
    residents hammer); a span's later slots may start after ``end``, so the read goes on
    for the type's duration. Only open slots with ``persons`` places are read: a span
    reaching a full or closed slot finds a gap there.
    """
    length = duration(appointment_type)
    rows = (
        Slot.objects.filter(
            location_id__in=list(locations),
            closed=False,
            starts_at__gte=start,
            starts_at__lt=end + length,
            booked__lte=F("capacity") - persons,
        )
        .order_by("starts_at", "location_id")
        .values_list(*SLOT_FIELDS, named=True)
    )
    by_location: dict[int, list] = {}
    for row in rows:
        by_location.setdefault(row.location_id, []).append(row)
    openings = []
    for location_id, slots in by_location.items():
        location = locations[location_id]
        for index, row in enumerate(slots):
            if row.starts_at >= end:
                break
            until = row.starts_at + length
            if row.ends_at >= until:  # one slot: no type, or a type no longer than it
                free, ends_at = row.capacity - row.booked, row.ends_at
            else:
                taken = span(slots, index, until)
                if not covers(taken, until):
                    continue
                free, ends_at = (
                    min(slot.capacity - slot.booked for slot in taken),
                    taken[-1].ends_at,
                )
            openings.append(Opening(row.pk, row.starts_at, ends_at, free, location))
    if len(by_location) > 1:  # each location's starts are in order, merge them
        openings.sort(key=lambda opening: (opening.starts_at, opening.location.pk))
    return openings


def slots_by_day(rows: list) -> dict[date, list]:
    """Group availability rows by their local date."""
    tz = schedule.zone()
    days: dict[date, list] = {}
    for row in rows:
        days.setdefault(row.starts_at.astimezone(tz).date(), []).append(row)
    return days


def active_bookings_around(resident, service: AppointmentService, slot: Slot) -> int:
    """The resident's active bookings of the service within the limit period of ``slot``."""
    period = timedelta(days=service.limit_period_days)
    return Booking.objects.filter(
        user=resident,
        service=service,
        status=Booking.Status.BOOKED,
        slot__starts_at__gt=slot.starts_at - period,
        slot__starts_at__lt=slot.starts_at + period,
    ).count()


def bookings_of(user) -> QuerySet[Booking]:
    if not user.is_authenticated:
        return Booking.objects.none()
    return Booking.objects.filter(user=user).select_related(
        "service", "slot__location", "appointment_type"
    )


def booking_by_uid(uid) -> Booking | None:
    return (
        Booking.objects.select_related("service", "slot__location", "appointment_type", "user")
        .filter(uid=uid)
        .first()
    )


# --- staff -----------------------------------------------------------------------------------


def services_for_staff(user) -> QuerySet[AppointmentService]:
    return scope_to_departments(user, AppointmentService.objects.select_related("department"))


def locations_for_staff(user) -> QuerySet[Location]:
    return scope_to_departments(
        user, Location.objects.select_related("service"), field="service__department"
    )


def calendar(location: Location, first: date, last: date) -> list[Slot]:
    """Every slot of a location between two local dates, for staff.

    Each slot carries ``active_bookings`` (the bookings starting in it) and
    ``continuing`` (those started in an earlier slot and still running): two queries.
    """
    tz = schedule.zone()
    start = datetime.combine(first, datetime.min.time(), tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    slots = list(
        location.slots.filter(starts_at__gte=start, starts_at__lt=end).order_by("starts_at")
    )
    bookings = list(
        Booking.objects.filter(slot__location=location, slot__starts_at__lt=end, ends_at__gt=start)
        .exclude(status=Booking.Status.CANCELLED)
        .select_related("slot", "user", "appointment_type")
        .order_by("slot__starts_at", "pk")
    )
    starts = [slot.starts_at for slot in slots]
    by_pk = {slot.pk: slot for slot in slots}
    for slot in slots:
        slot.active_bookings, slot.continuing = [], []
    for booking in bookings:
        if booking.slot_id in by_pk:
            by_pk[booking.slot_id].active_bookings.append(booking)
        later = bisect_right(starts, booking.slot.starts_at)
        for slot in slots[later : bisect_left(starts, booking.ends_at)]:
            slot.continuing.append(booking)
    return slots


def bookings_covering(slot: Slot) -> QuerySet[Booking]:
    """The bookings of every status whose span includes ``slot`` (starting in it or before)."""
    return Booking.objects.filter(
        slot__location_id=slot.location_id,
        slot__starts_at__lte=slot.starts_at,
        ends_at__gt=slot.starts_at,
    ).select_related("slot", "user", "appointment_type")


def bookings_for_export(user, location: Location, first: date, last: date) -> QuerySet[Booking]:
    tz = schedule.zone()
    start = datetime.combine(first, datetime.min.time(), tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    return scope_to_departments(
        user,
        Booking.objects.filter(
            slot__location=location, slot__starts_at__gte=start, slot__starts_at__lt=end
        )
        .select_related("slot", "user", "appointment_type")
        .order_by("slot__starts_at", "pk"),
    )


def feed_bookings(location: Location, days_back: int = 30) -> QuerySet[Booking]:
    since = timezone.now() - timedelta(days=days_back)
    return (
        Booking.objects.filter(slot__location=location, slot__starts_at__gte=since)
        .select_related("slot", "service", "appointment_type", "user")
        .order_by("slot__starts_at", "pk")
    )


# --- statistics ------------------------------------------------------------------------------


def monthly_statistics() -> list[dict]:
    """Bookings per month and service, with attended and no-show counts (no identities)."""
    rows = (
        Booking.objects.annotate(month=TruncMonth("slot__starts_at"))
        .values("month", "service__name_fr")
        .annotate(
            bookings=Count("pk"),
            cancelled=Count("pk", filter=Q(status=Booking.Status.CANCELLED)),
            attended=Count("pk", filter=Q(status=Booking.Status.ATTENDED)),
            no_shows=Count("pk", filter=Q(status=Booking.Status.NO_SHOW)),
        )
        .order_by("month", "service__name_fr")
    )
    return [
        {
            "month": row["month"].strftime("%Y-%m"),
            "service": row["service__name_fr"],
            "bookings": row["bookings"],
            "cancelled": row["cancelled"],
            "attended": row["attended"],
            "no_shows": row["no_shows"],
            "no_show_rate": _rate(row["no_shows"], row["attended"] + row["no_shows"]),
        }
        for row in rows
    ]


def no_show_rate(days: int = 365) -> float | None:
    """Share of appointments held in the period where the resident did not come."""
    since = timezone.now() - timedelta(days=days)
    counts = Booking.objects.filter(slot__starts_at__gte=since).aggregate(
        attended=Count("pk", filter=Q(status=Booking.Status.ATTENDED)),
        no_shows=Count("pk", filter=Q(status=Booking.Status.NO_SHOW)),
    )
    return _rate(counts["no_shows"], counts["attended"] + counts["no_shows"])


def lead_times() -> list[tuple[str, float | None]]:
    """Per active service, the days until its next free slot (None when nothing is free)."""
    now = timezone.now()
    figures = []
    for service in active_services():
        found = next_free_starts(service, count=1)
        days = round((found[0].starts_at - now).total_seconds() / 86400, 1) if found else None
        figures.append((service.name, days))
    return figures


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None
