"""Reads of the appointments service: availability, a resident's bookings, staff calendars."""

from datetime import date, datetime, timedelta

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from lutetia.core.permissions import scope_to_departments
from lutetia.services.appointments import schedule
from lutetia.services.appointments.models import (
    AppointmentService,
    Booking,
    Location,
    Slot,
)

NEXT_SLOTS = 5
SLOT_FIELDS = ("pk", "starts_at", "ends_at", "capacity", "booked", "location_id")


def active_services() -> QuerySet[AppointmentService]:
    return AppointmentService.objects.filter(is_active=True, department__is_active=True)


def bookable_window(service: AppointmentService, now: datetime | None = None):
    """The instants between which residents may book: after the notice, before the horizon."""
    now = now or timezone.now()
    return now + timedelta(hours=service.min_notice_hours), now + timedelta(
        days=service.horizon_days
    )


def free_slots(service: AppointmentService, *, persons: int = 1) -> QuerySet[Slot]:
    """Open slots of the service's active locations with ``persons`` free places, in order."""
    start, end = bookable_window(service)
    return (
        Slot.objects.filter(
            location__service=service,
            location__is_active=True,
            closed=False,
            starts_at__gte=start,
            starts_at__lt=end,
            booked__lte=F("capacity") - persons,
        )
        .select_related("location")
        .order_by("starts_at", "location_id")
    )


def next_free_slots(service: AppointmentService, *, persons: int = 1, count: int = NEXT_SLOTS):
    return list(free_slots(service, persons=persons)[:count])


def availability(service: AppointmentService, first: date, last: date) -> list:
    """Free slots between two local dates (included): the month view and the API.

    Plain named rows (pk, starts_at, ends_at, capacity, booked, location_id) filtered on
    the service's location ids, without a join: this read is the one residents hammer.
    """
    tz = schedule.zone()
    window_start, window_end = bookable_window(service)
    start = max(window_start, datetime.combine(first, datetime.min.time(), tzinfo=tz))
    end = min(
        window_end, datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    )
    locations = list(service.locations.filter(is_active=True).values_list("pk", flat=True))
    return list(
        Slot.objects.filter(
            location_id__in=locations,
            closed=False,
            starts_at__gte=start,
            starts_at__lt=end,
            booked__lt=F("capacity"),
        )
        .order_by("starts_at", "location_id")
        .values_list(*SLOT_FIELDS, named=True)
    )


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
    """Every slot of a location between two local dates, with its bookings, for staff."""
    tz = schedule.zone()
    start = datetime.combine(first, datetime.min.time(), tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    return list(
        location.slots.filter(starts_at__gte=start, starts_at__lt=end)
        .prefetch_related(_active_bookings())
        .order_by("starts_at")
    )


def _active_bookings() -> Prefetch:
    return Prefetch(
        "bookings",
        queryset=Booking.objects.exclude(status=Booking.Status.CANCELLED).select_related(
            "user", "appointment_type"
        ),
        to_attr="active_bookings",
    )


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
        slot = free_slots(service).first()
        days = round((slot.starts_at - now).total_seconds() / 86400, 1) if slot else None
        figures.append((service.name, days))
    return figures


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None
