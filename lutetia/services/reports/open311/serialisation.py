"""Open311 documents in JSON and XML from one Python structure (the spec's "Spark convention").

A list becomes an element per item named after its container (``services`` holds
``service`` elements, ``attributes`` holds ``attribute``…); booleans are ``true``/``false``
and None an empty element. Dates are W3C (ISO 8601 with the offset) in the city's time.
"""

import json
import re
from xml.etree import ElementTree

from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lutetia.services.reports.models import Category, Report

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
        "type": "realtime",
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
    if not category.target_days:
        return None
    return ngettext(
        "The city aims to deal with this within %(days)d day.",
        "The city aims to deal with this within %(days)d days.",
        category.target_days,
    ) % {"days": category.target_days}


def service_request(report: Report, request) -> dict:
    """A report as the public may see it: never the reporter's name, e-mail or phone.

    ``report`` comes from ``selectors.open311_requests`` (category, department, closing
    details and ``first_photo`` loaded with it).
    """
    target = report.category.target
    return {
        "service_request_id": report.reference,
        "status": "open" if report.is_open else "closed",
        "status_notes": status_notes(report),
        "service_name": report.category.name,
        "service_code": report.category.code,
        "description": report.description or None,
        "agency_responsible": report.department.name if report.department else None,
        "service_notice": service_notice(report.category),
        "requested_datetime": w3c(report.created_at),
        "updated_datetime": w3c(report.updated_at),
        "expected_datetime": w3c(report.created_at + target) if target else None,
        "address": report.address or None,
        "address_id": None,
        "zipcode": None,
        "lat": report.latitude,
        "long": report.longitude,
        "media_url": _media_url(report, request),
    }


def status_notes(report: Report) -> str:
    """The latest public response, else what the detailed status says (Open311 has two)."""
    if report.status_notes:
        return report.status_notes
    if report.status == Report.Status.REJECTED and report.rejection_reason:
        return report.rejection_reason.label
    if report.status == Report.Status.DUPLICATE and report.duplicate_of:
        return _("Duplicate of %(reference)s") % {"reference": report.duplicate_of.reference}
    if report.status == Report.Status.TRANSFERRED and report.transferred_to:
        return _("Transferred to %(body)s") % {"body": report.transferred_to}
    return str(report.get_status_display())


def _media_url(report: Report, request) -> str | None:
    if report.first_photo:
        return request.build_absolute_uri(default_storage.url(report.first_photo))
    return report.media_url or None
