"""What Dans ma rue publishes: every public report without personal data, and indicators.

The dataset has no reporter, no contact, no free text (descriptions and responses may
name people): reference, category, district, status, address of the problem, point and
dates. It streams from a server-side cursor, so a million rows never sit in memory.
"""

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime

from lutetia.core.districts.models import District
from lutetia.services.reports import selectors
from lutetia.services.reports.models import Category, Report

CSV_COLUMNS = [
    "reference",
    "family_code",
    "family",
    "category_code",
    "category",
    "district_code",
    "district",
    "status",
    "open",
    "address",
    "longitude",
    "latitude",
    "created_at",
    "closed_at",
]
# Rows written per yielded chunk: large enough that the generator's overhead stays small.
ROWS_PER_CHUNK = 1000


def public_reports(format: str) -> Iterator[str]:
    """The ``reports`` dataset in ``csv`` or ``geojson``."""
    if format == "csv":
        return _csv(_records())
    if format == "geojson":
        return _geojson(_records())
    raise ValueError(f"Unsupported format {format!r}.")


def _records() -> Iterator[dict]:
    categories = {category.pk: category for category in Category.objects.select_related("parent")}
    districts = dict(District.objects.values_list("pk", "code"))
    district_names = dict(District.objects.values_list("pk", "name"))
    for row in selectors.open_data_rows():
        values = dict(zip(selectors.OPEN_DATA_FIELDS, row, strict=True))
        category = categories[values["category_id"]]
        family = category.parent or category
        yield {
            "reference": values["reference"],
            "family_code": family.code,
            "family": family.name_fr,
            "category_code": category.code,
            "category": category.name_fr,
            "district_code": districts.get(values["district_id"], ""),
            "district": district_names.get(values["district_id"], ""),
            "status": values["status"],
            "open": values["status"] in Report.OPEN,
            "address": values["address"],
            "longitude": round(values["longitude"], 6),
            "latitude": round(values["latitude"], 6),
            "created_at": _iso(values["created_at"]),
            "closed_at": _iso(values["closed_at"]),
        }


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value is not None else ""


def _csv(records: Iterator[dict]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for count, record in enumerate(records, start=1):
        writer.writerow(record)
        if count % ROWS_PER_CHUNK == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def _geojson(records: Iterator[dict]) -> Iterator[str]:
    yield '{"type": "FeatureCollection", "features": ['
    separator = ""
    chunk = []
    for count, record in enumerate(records, start=1):
        point = [record.pop("longitude"), record.pop("latitude")]
        feature = {"type": "Feature", "geometry": {"type": "Point", "coordinates": point}}
        chunk.append(separator + json.dumps({**feature, "properties": record}))
        separator = ","
        if count % ROWS_PER_CHUNK == 0:
            yield "".join(chunk)
            chunk = []
    yield "".join(chunk) + "]}"


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


# Indicators: ``Indicator.compute`` of the manifest.


def reports_per_month() -> list[tuple[str, int]]:
    return selectors.reports_per_month()


def reports_per_category() -> list[tuple[str, int]]:
    return selectors.reports_per_family()


def reports_per_district() -> list[tuple[str, int]]:
    return selectors.reports_per_district()


def median_days_to_resolve() -> float | None:
    median = selectors.median_resolution_time()
    return round(median.total_seconds() / 86_400, 1) if median is not None else None


def share_resolved_within_target() -> float | None:
    """Percentage of resolved reports (with a known date) closed within their category's
    target time."""
    within, total = selectors.resolved_within_target()
    return round(100 * within / total, 1) if total else None
