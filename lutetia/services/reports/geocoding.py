"""Address search on the report form, through a pluggable geocoder (off by default).

``LUTETIA_REPORTS_GEOCODER`` is empty (no search box is shown) or the dotted path of a
``callable(query: str) -> list[tuple[label, longitude, latitude]]``, e.g. a client of
the national address base. Only places inside the city are offered.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

from lutetia.core.districts.lookup import district_at

logger = logging.getLogger(__name__)

MAX_PLACES = 8


@dataclass(frozen=True)
class Place:
    label: str
    longitude: float
    latitude: float


def enabled() -> bool:
    return bool(settings.LUTETIA_REPORTS_GEOCODER)


def search(query: str) -> list[Place]:
    """The geocoder's places for ``query`` inside the city; none when it is off or fails
    (the resident can still place the point on the map or type its coordinates)."""
    query = query.strip()
    if not enabled() or not query:
        return []
    try:
        found = import_string(settings.LUTETIA_REPORTS_GEOCODER)(query)
    except Exception:
        logger.exception("reports geocoder failed")
        return []
    places = [Place(str(label), float(lon), float(lat)) for label, lon, lat in found]
    return [place for place in places if district_at(place.longitude, place.latitude)][:MAX_PLACES]
