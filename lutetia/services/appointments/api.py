"""The appointments JSON API, mounted at /api/appointments/: services and their free slots.

Public reads (anyone may see availability); booking stays on the resident pages, which
need a signed-in session and the service's verification level.
"""

from datetime import date, datetime, timedelta

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Schema
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


class ServiceOut(Schema):
    slug: str
    name: str
    description: str
    max_persons: int
    min_notice_hours: int
    horizon_days: int
    locations: list[LocationOut]


class SlotOut(Schema):
    id: int
    starts_at: datetime
    ends_at: datetime
    free: int
    location: int


class AvailabilityQuery(Schema):
    start: date | None = None
    end: date | None = None


@router.get("/services", response=list[ServiceOut])
def list_services(request):
    services = selectors.active_services().prefetch_related("locations")
    return [_service_out(service) for service in services]


@router.get("/services/{slug}/availability", response=list[SlotOut])
def availability(request, slug: str, filters: Query[AvailabilityQuery]):
    """Free slots between two local dates (included; default: the next 30 days)."""
    service = get_object_or_404(selectors.active_services(), slug=slug)
    start = filters.start or timezone.localdate()
    end = filters.end or start + timedelta(days=29)
    if end < start or (end - start).days >= MAX_DAYS:
        raise HttpError(400, f"Give an end date after the start, at most {MAX_DAYS} days later.")
    return [
        {
            "id": row.pk,
            "starts_at": row.starts_at,
            "ends_at": row.ends_at,
            "free": row.capacity - row.booked,
            "location": row.location_id,
        }
        for row in selectors.availability(service, start, end)
    ]


def _service_out(service) -> dict:
    return {
        "slug": service.slug,
        "name": service.name,
        "description": service.description,
        "max_persons": service.max_persons,
        "min_notice_hours": service.min_notice_hours,
        "horizon_days": service.horizon_days,
        "locations": [location for location in service.locations.all() if location.is_active],
    }
