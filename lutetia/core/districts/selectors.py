"""Reads of districts for maps and APIs."""

from typing import Any

from django.core.cache import cache

from lutetia.core.districts import version
from lutetia.core.districts.models import District

GEOJSON_TIMEOUT = 24 * 60 * 60


def districts_as_geojson() -> dict[str, Any]:
    """Every district as a GeoJSON FeatureCollection (properties: code, name).

    Cached under the current version token, so a committed change is seen at once by
    every process.
    """
    key = f"lutetia:districts:geojson:{version.current()}"
    collection = cache.get(key)
    if collection is None:
        collection = _feature_collection()
        cache.set(key, collection, GEOJSON_TIMEOUT)
    return collection


def _feature_collection() -> dict[str, Any]:
    rows = District.objects.order_by("code").values_list("code", "name", "geometry")
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": code,
                "properties": {"code": code, "name": name},
                "geometry": geometry,
            }
            for code, name, geometry in rows
        ],
    }
