"""Writes to districts: the GeoJSON import and the back office's edit.

Every change replaces the shared version token after commit, so each process's
lookup tree and cached GeoJSON are rebuilt on their next use.
"""

from dataclasses import dataclass
from typing import Any

import shapely
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from shapely.geometry import shape

from lutetia.core import audit
from lutetia.core.districts import version
from lutetia.core.districts.models import District

AREA_TYPES = ("Polygon", "MultiPolygon")
EDITABLE_FIELDS = ("name", "parent")


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int

    @property
    def total(self) -> int:
        return self.created + self.updated


@dataclass(frozen=True)
class _Row:
    code: str
    name: str
    geometry: dict[str, Any]


@transaction.atomic
def import_districts(
    *,
    features: list[dict[str, Any]],
    name_field: str,
    code_field: str,
    parent_code: str | None = None,
    acting_user,
) -> ImportResult:
    """Create or update (by code) one district per GeoJSON feature.

    Every feature is checked before anything is written: the first bad one raises a
    ValidationError naming it and the database is left as it was. ``parent_code``
    places every imported district under that district; without it, parents are
    left as they are.
    """
    rows = _validated_rows(features, name_field, code_field)
    parent = _parent(parent_code, rows)
    existing = District.objects.select_for_update().in_bulk(
        [row.code for row in rows], field_name="code"
    )
    created = 0
    for row in rows:
        district = existing.get(row.code) or District(code=row.code)
        is_new = district.pk is None
        before = audit.snapshot(district, ["name", "parent"])
        reshaped = district.geometry != row.geometry
        district.name, district.geometry = row.name, row.geometry
        if parent_code is not None:
            district.parent = parent
        district.save()
        created += is_new
        audit.log(
            district,
            "lutetia.district_imported",
            user=acting_user,
            data={
                "code": district.code,
                "created": is_new,
                "geometry_changed": reshaped,
                **_changes(before, district),
            },
        )
    transaction.on_commit(version.bump)
    return ImportResult(created=created, updated=len(rows) - created)


@transaction.atomic
def update_district(*, district: District, acting_user, **fields) -> District:
    """Change a district's name or parent (its code and polygon come from imports)."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"update_district() cannot change: {', '.join(sorted(unknown))}")
    if "parent" in fields:
        check_parent(district, fields["parent"])
    before = audit.snapshot(district, list(fields))
    for name, value in fields.items():
        setattr(district, name, value)
    district.full_clean(exclude=["geometry"])
    district.save(update_fields=list(fields))
    audit.log(
        district, "lutetia.district_updated", user=acting_user, data=_changes(before, district)
    )
    transaction.on_commit(version.bump)
    return district


def _validated_rows(features: Any, name_field: str, code_field: str) -> list[_Row]:
    if not isinstance(features, list) or not features:
        raise ValidationError(_("There are no features to import."))
    rows = [
        _validated_row(number, feature, name_field, code_field)
        for number, feature in enumerate(features, 1)
    ]
    seen: set[str] = set()
    for number, row in enumerate(rows, 1):
        if row.code in seen:
            raise ValidationError(
                _("Feature %(number)s: the code “%(code)s” appears twice.")
                % {"number": number, "code": row.code}
            )
        seen.add(row.code)
    return rows


def _validated_row(number: int, feature: Any, name_field: str, code_field: str) -> _Row:
    where = _("Feature %(number)s") % {"number": number}
    properties = feature.get("properties") if isinstance(feature, dict) else None
    if not isinstance(properties, dict):
        raise ValidationError(
            _("%(where)s is not a GeoJSON feature with properties.") % {"where": where}
        )
    code = _text(properties, code_field, where, District._meta.get_field("code").max_length)
    where = f"{where} ({code_field}={code})"
    name = _text(properties, name_field, where, District._meta.get_field("name").max_length)
    return _Row(code=code, name=name, geometry=_area(feature.get("geometry"), where))


def _text(properties: dict, field: str, where: str, max_length: int) -> str:
    value = properties.get(field)
    text = "" if value is None else str(value).strip()
    if not text:
        raise ValidationError(
            _("%(where)s has no value for the property “%(field)s”.")
            % {"where": where, "field": field}
        )
    if len(text) > max_length:
        raise ValidationError(
            _("%(where)s: “%(field)s” is longer than %(max)s characters.")
            % {"where": where, "field": field, "max": max_length}
        )
    return text


def _area(geometry: Any, where: str) -> dict[str, Any]:
    """The GeoJSON geometry if it is a valid WGS84 Polygon or MultiPolygon."""
    if not isinstance(geometry, dict) or geometry.get("type") not in AREA_TYPES:
        found = geometry.get("type") if isinstance(geometry, dict) else geometry
        raise _geometry_error(where, _("it must be a Polygon or MultiPolygon, not %s") % found)
    try:
        polygon = shape(geometry)
    except (ValueError, TypeError, AttributeError, IndexError, shapely.errors.ShapelyError) as exc:
        raise _geometry_error(where, _("it cannot be read: %s") % exc) from exc
    if polygon.is_empty:
        raise _geometry_error(where, _("it is empty"))
    if not polygon.is_valid:
        raise _geometry_error(where, shapely.is_valid_reason(polygon))
    min_x, min_y, max_x, max_y = polygon.bounds
    if min_x < -180 or max_x > 180 or min_y < -90 or max_y > 90:
        raise _geometry_error(where, _("its coordinates are not WGS84 longitude/latitude"))
    return {"type": geometry["type"], "coordinates": geometry["coordinates"]}


def _geometry_error(where: str, reason: str) -> ValidationError:
    return ValidationError(
        _("%(where)s: the geometry is not valid (%(reason)s).") % {"where": where, "reason": reason}
    )


def _parent(parent_code: str | None, rows: list[_Row]) -> District | None:
    if parent_code is None:
        return None
    if parent_code in {row.code for row in rows}:
        raise ValidationError(
            _("The district “%(code)s” cannot be its own parent.") % {"code": parent_code}
        )
    parent = District.objects.filter(code=parent_code).first()
    if parent is None:
        raise ValidationError(
            _("There is no district with the code “%(code)s” to be the parent.")
            % {"code": parent_code}
        )
    return parent


def check_parent(district: District, parent: District | None) -> None:
    """Refuse a parent that is the district itself or one of its descendants."""
    ancestor = parent
    while ancestor is not None:
        if ancestor.pk == district.pk:
            raise ValidationError(_("A district cannot be inside itself or one of its parts."))
        ancestor = ancestor.parent


def _changes(before: dict[str, Any], district: District) -> dict[str, Any]:
    return audit.changes(before, audit.snapshot(district, list(before)))
