"""The core's endpoints at /api/core/: services, districts, the signed-in user."""

from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.security import django_auth
from pydantic import Field
from wagtail.models import Site

from lutetia.core.activation import enabled_services
from lutetia.core.districts.lookup import district_at
from lutetia.core.districts.selectors import districts_as_geojson
from lutetia.core.registry import services

router = Router(tags=["core"])


class ServiceOut(Schema):
    slug: str
    name: str
    description: str


class DistrictOut(Schema):
    code: str
    name: str


class Point(Schema):
    lat: float = Field(ge=-90, le=90, description="Latitude (WGS84)")
    lon: float = Field(ge=-180, le=180, description="Longitude (WGS84)")


class MeOut(Schema):
    email: str
    first_name: str
    last_name: str
    verification_level: int
    district: str | None = Field(None, description="Code of the resident's district")
    preferred_language: str


@router.get("/services", response=list[ServiceOut])
def list_services(request):
    """The services switched on for this site."""
    enabled = enabled_services(Site.find_for_request(request))
    return [
        ServiceOut(
            slug=manifest.slug,
            name=manifest.localized_name,
            description=manifest.localized_description,
        )
        for manifest in services.all()
        if manifest.slug in enabled
    ]


@router.get("/districts", response=dict, summary="Districts as GeoJSON")
def list_districts(request):
    """Every district as a GeoJSON FeatureCollection (properties: code, name)."""
    return JsonResponse(districts_as_geojson(), content_type="application/geo+json")


@router.get("/districts/lookup", response=DistrictOut)
def lookup_district(request, point: Query[Point]):
    """The district containing a point; 404 outside the city."""
    district = district_at(point.lon, point.lat)
    if district is None:
        raise Http404(_("This point is outside every district of the city."))
    return district


@router.get("/me", response=MeOut, auth=django_auth)
def me(request):
    """The signed-in user (session cookie); 401 for anonymous clients."""
    user = request.auth
    return MeOut(
        email=user.email,
        first_name=user.first_name,
        last_name=user.last_name,
        verification_level=user.verification_level,
        district=user.district.code if user.district_id else None,
        preferred_language=user.preferred_language,
    )
