"""The appointments JSON API, mounted at /api/appointments/: services and their free slots.

Public reads (anyone may see availability); booking stays on the resident pages, which
need a signed-in session and the service's verification level.
"""

from datetime import date, datetime, timedelta

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from lutetia.services.appointments import selectors

router = Router()
MAX_DAYS = 62


class LocationOut(Schema):
    id: int
    name: str
    address: str
    latitude: float | None
    longitude: float | None


class TypeOut(Schema):
    id: int
    name: str
    duration_minutes: int


class ServiceOut(Schema):
    slug: str
    name: str
    description: str
    max_persons: int
    min_notice_hours: int
    horizon_days: int
    types: list[TypeOut]
    locations: list[LocationOut]


class SlotOut(Schema):
    id: int  # the first slot
    starts_at: datetime
    ends_at: datetime  # the end of the last slot the type takes
    free: int  # places free in every slot taken
    location: int


class AvailabilityQuery(Schema):
    start: date | None = None
    end: date | None = None
    type: int | None = Field(None, description="An appointment type's id: its span of slots.")
    persons: int = Field(1, ge=1, description="Places wanted in every slot taken.")


@router.get("/services", response=list[ServiceOut])
def list_services(request):
    services = selectors.active_services().prefetch_related("locations", "types")
    return [_service_out(service) for service in services]


@router.get("/services/{slug}/availability", response=list[SlotOut])
def availability(request, slug: str, filters: Query[AvailabilityQuery]):
    """Starts between two local dates (included; default: the next 30 days) whose whole
    span for the type (one slot without a type) has ``persons`` places free."""
    service = get_object_or_404(selectors.active_services(), slug=slug)
    start = filters.start or timezone.localdate()
    end = filters.end or start + timedelta(days=29)
    if end < start or (end - start).days >= MAX_DAYS:
        raise HttpError(400, f"Give an end date after the start, at most {MAX_DAYS} days later.")
    appointment_type = None
    if filters.type is not None:
        appointment_type = service.types.filter(pk=filters.type).first()
        if appointment_type is None:
            raise HttpError(400, "Give the id of one of the service's appointment types.")
    if filters.persons > service.max_persons:
        raise HttpError(400, f"At most {service.max_persons} persons per booking.")
    openings = selectors.availability(
        service, start, end, appointment_type=appointment_type, persons=filters.persons
    )
    return [
        {
            "id": opening.pk,
            "starts_at": opening.starts_at,
            "ends_at": opening.ends_at,
            "free": opening.free,
            "location": opening.location.pk,
        }
        for opening in openings
    ]


def _service_out(service) -> dict:
    return {
        "slug": service.slug,
        "name": service.name,
        "description": service.description,
        "max_persons": service.max_persons,
        "min_notice_hours": service.min_notice_hours,
        "horizon_days": service.horizon_days,
        "types": [
            {"id": t.pk, "name": t.name, "duration_minutes": t.duration_minutes}
            for t in service.types.all()
        ],
        "locations": [location for location in service.locations.all() if location.is_active],
    }
