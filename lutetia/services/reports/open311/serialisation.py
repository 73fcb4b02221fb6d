"""Open311 documents in JSON and XML from one Python structure (the spec's "Spark convention").

A list becomes an element per item named after its container (``services`` holds
``service`` elements, ``attributes`` holds ``attribute``…); booleans are ``true``/``false``
and None an empty element. Dates are W3C (ISO 8601 with the offset) in the city's time.
"""

import json
import re
from datetime import timedelta
from xml.etree import ElementTree

from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lutetia.services.reports.models import Category, Report
from lutetia.services.reports.serialisation import current_language, status_labels

CONTENT_TYPES = {
    "json": "application/json; charset=utf-8",
    "xml": "text/xml; charset=utf-8",
}
# XML is the format the spec requires: errors about an unknown format are given in it.
DEFAULT_FORMAT = "xml"
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}
# Characters XML 1.0 cannot carry, even escaped: dropped from text.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def render(fmt: str, root: str, body: list | dict, status: int = 200) -> HttpResponse:
    """The response for ``body`` in ``fmt``; ``root`` names the XML document element."""
    if fmt == "json":
        content = json.dumps(body, ensure_ascii=False)
    else:
        element = ElementTree.Element(root)
        _fill(element, root, body)
        content = '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(
            element, encoding="unicode"
        )
    response = HttpResponse(content, status=status, content_type=CONTENT_TYPES[fmt])
    # Public data, no cookies involved: browser applications may read it from anywhere.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _fill(element: ElementTree.Element, tag: str, value) -> None:
    if isinstance(value, list):
        for item in value:
            _fill(ElementTree.SubElement(element, ITEM_TAGS[tag]), ITEM_TAGS[tag], item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _fill(ElementTree.SubElement(element, key), key, item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = _NOT_XML.sub("", str(value))


def w3c(moment) -> str | None:
    """``2026-03-05T14:07:00+01:00``: the W3C profile of ISO 8601, always with its offset."""
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat(timespec="seconds")


def service(category: Category) -> dict:
    """One entry of ``services``: a sub-type, grouped under its family's name."""
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description or None,
        "metadata": category.has_attributes,
        # "batch": its requests wait for a moderator and are answered with a token.
        "type": "batch" if category.open311_moderated else "realtime",
        "keywords": category.keywords or None,
        "group": category.parent.name,
    }


def definition(category: Category) -> dict:
    """``services/{code}``: the category's questions, numbered from 1 in their order."""
    return {
        "service_code": category.code,
        "attributes": [
            {
                "variable": attribute.variable,
                "code": attribute.code,
                "datatype": attribute.datatype,
                "required": attribute.required,
                "datatype_description": attribute.datatype_description or None,
                "order": position,
                "description": attribute.description,
                "values": [
                    {"key": choice.get("key"), "name": choice.get("name")}
                    for choice in attribute.values or []
                ],
            }
            for position, attribute in enumerate(category.attributes.all(), start=1)
        ],
    }


def service_notice(category: Category) -> str | None:
    """What the city commits to for this kind of problem: its target time, if it has one."""
    return _notice(category.target_days)


def _notice(target_days: int | None) -> str | None:
    if not target_days:
        return None
    return ngettext(
        "The city aims to deal with this within %(days)d day.",
        "The city aims to deal with this within %(days)d days.",
        target_days,
    ) % {"days": target_days}


def service_requests(rows, request) -> list[dict]:
    """Reports as the public may see them: never the reporter's name, e-mail or phone.

    ``rows`` come from ``selectors.open311_requests`` (dicts). What depends on the language
    or the time zone is looked up once per response, not once per report.
    """
    language = current_language()
    zone = timezone.get_current_timezone()
    statuses = status_labels(language)
    notices: dict[int | None, str | None] = {}

    def when(moment) -> str:
        return moment.astimezone(zone).isoformat(timespec="seconds")

    def one(row: dict) -> dict:
        days = row["category__target_days"]
        if days not in notices:
            notices[days] = _notice(days)
        created = row["created_at"]
        return {
            "service_request_id": row["reference"],
            "status": "open" if row["status"] in Report.OPEN else "closed",
            "status_notes": _status_notes(row, language, statuses),
            "service_name": _localized(row, "category__name", language),
            "service_code": row["category__code"],
            "description": row["description"] or None,
            "agency_responsible": row["department__name"],
            "service_notice": notices[days],
            "requested_datetime": when(created),
            "updated_datetime": when(row["updated_at"]),
            "expected_datetime": when(created + timedelta(days=days)) if days else None,
            "address": row["address"] or None,
            "address_id": None,
            "zipcode": None,
            "lat": row["latitude"],
            "long": row["longitude"],
            "media_url": _media_url(row, request),
        }

    return [one(row) for row in rows]


def _localized(row: dict, field: str, language: str) -> str:
    """``localized`` for a row's ``field_fr``/``field_en`` columns."""
    return row.get(f"{field}_{language}") or row[f"{field}_fr"]


def _status_notes(row: dict, language: str, statuses: dict[str, str]) -> str:
    """The latest public response, else what the detailed status says (Open311 has two)."""
    status = row["status"]
    if row["status_notes"]:
        return row["status_notes"]
    if status == Report.Status.REJECTED and row["rejection_reason__label_fr"] is not None:
        return _localized(row, "rejection_reason__label", language)
    if status == Report.Status.DUPLICATE and row["duplicate_of__reference"]:
        return _("Duplicate of %(reference)s") % {"reference": row["duplicate_of__reference"]}
    if status == Report.Status.TRANSFERRED and row["transferred_to"]:
        return _("Transferred to %(body)s") % {"body": row["transferred_to"]}
    return statuses.get(status, status)


def _media_url(row: dict, request) -> str | None:
    if row["first_photo"]:
        return request.build_absolute_uri(default_storage.url(row["first_photo"]))
    return row["media_url"] or None
