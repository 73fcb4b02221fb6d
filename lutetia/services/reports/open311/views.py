"""The Open311 endpoints: they parse and validate, then call selectors or actions.

Every answer is in the format the URL asks for (``.json`` or ``.xml``); every failure,
expected or not, is an Open311 error list: never an HTML page, never a 500.
"""

import logging
import math
from functools import wraps

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from lutetia.core.api.auth import api_key_from_request
from lutetia.core.api.errors import RateLimited
from lutetia.core.api.ratelimit import check_rate_limit
from lutetia.pages.cache import cached_for_anonymous
from lutetia.services.reports import actions, geocoding, selectors
from lutetia.services.reports.actions import Reporter
from lutetia.services.reports.models import Open311Token, Report
from lutetia.services.reports.open311 import forms, serialisation
from lutetia.services.reports.open311.errors import Open311Error
from lutetia.services.reports.open311.serialisation import CONTENT_TYPES, DEFAULT_FORMAT, render
from lutetia.services.reports.serialisation import PAGE_CACHE_NAMESPACE

logger = logging.getLogger(__name__)

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this API's documents last changed (the discovery document's changeset).
CHANGESET = "2026-11-22T00:00:00Z"
READ = ("GET", "HEAD")


def endpoint(*methods: str):
    """Wrap a view ``view(request, fmt, **kwargs)`` answering ``methods`` as an Open311
    resource: see ``_answer``.

    Every resource is public data, so anonymous GETs that succeed are served from the page
    cache, a copy per language, until a report or category changes (see docs/reports.md).
    """

    def decorate(view):
        @cached_for_anonymous(namespace=PAGE_CACHE_NAMESPACE, language_from_headers=True)
        @csrf_exempt  # clients authenticate with their api_key, not a session
        @wraps(view)
        def wrapped(request, fmt: str, **kwargs):
            # No language prefix here: applications choose with Accept-Language.
            with translation.override(translation.get_language_from_request(request)):
                return _answer(view, methods, request, fmt, kwargs)

        return wrapped

    return decorate


def _answer(view, methods, request, fmt: str, kwargs):
    """Check the format, method, rate limit and jurisdiction, run the view, and turn every
    failure into an Open311 error list in the requested format."""
    output = fmt if fmt in CONTENT_TYPES else DEFAULT_FORMAT
    try:
        if fmt not in CONTENT_TYPES:
            raise Open311Error(
                404, _("Unknown format %(format)s: use json or xml.") % {"format": fmt}
            )
        if request.method not in methods:
            raise Open311Error(
                400,
                _("Method %(method)s is not allowed here (use %(allowed)s).")
                % {"method": request.method, "allowed": ", ".join(methods)},
            )
        check_rate_limit(request, "open311", api_key=api_key_from_request(request, param="api_key"))
        _check_jurisdiction(request)
        return view(request, output, **kwargs)
    except Open311Error as error:
        return render(output, "errors", error.as_list(), status=error.status)
    except RateLimited as error:
        return _too_many_requests(output, error)
    except Exception:
        logger.exception("Open311 request failed: %s %s", request.method, request.path)
        failure = Open311Error(400, _("The request could not be processed."))
        return render(output, "errors", failure.as_list(), status=400)


def _check_jurisdiction(request) -> None:
    """One city per install: a jurisdiction_id, if sent, must be the configured one."""
    expected = settings.LUTETIA_OPEN311_JURISDICTION
    given = request.GET.get("jurisdiction_id") or request.POST.get("jurisdiction_id")
    if expected and given and given != expected:
        raise Open311Error(404, _("jurisdiction_id %(given)s not found.") % {"given": given})


def _too_many_requests(fmt: str, error: RateLimited):
    response = render(
        fmt,
        "errors",
        [{"code": 429, "description": _("Too many requests. Try again later.")}],
        status=429,
    )
    response["Retry-After"] = str(max(1, math.ceil(error.wait or 1)))
    return response


@endpoint(*READ)
def discovery(request, fmt: str):
    """Service discovery: where the endpoint is and what it speaks."""
    url = request.build_absolute_uri(reverse("open311:root"))
    return render(
        fmt,
        "discovery",
        {
            "changeset": CHANGESET,
            "contact": settings.LUTETIA_OPEN311_CONTACT or None,
            "key_service": _(
                "Applications that submit requests need an API key: ask the city for one."
            ),
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": url,
                    "changeset": CHANGESET,
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        },
    )


@endpoint(*READ)
def services(request, fmt: str):
    return render(fmt, "services", [serialisation.service(c) for c in selectors.open311_services()])


@endpoint(*READ)
def service_definition(request, fmt: str, code: str):
    return render(fmt, "service_definition", serialisation.definition(_service(code)))


def _service(code: str):
    category = selectors.open311_service(code)
    if category is None:
        raise Open311Error(404, _("service_code %(code)s not found.") % {"code": code})
    return category


@endpoint(*READ, "POST")
def service_requests(request, fmt: str):
    if request.method == "POST":
        return _create_request(request, fmt)
    query = forms.RequestsQuery(request.GET)
    if not query.is_valid():
        raise Open311Error(400, forms.errors_of(query))
    data = query.cleaned_data
    offset, size = query.offset_and_size
    reports = selectors.open311_requests(
        references=data["service_request_id"],
        since=data["start_date"],
        until=data["end_date"],
        statuses=data["status"],
        category_ids=data["service_code"],
    )
    # One row more than the page tells whether another page follows, without counting.
    rows = list(reports[offset : offset + size + 1])
    response = render(fmt, "service_requests", serialisation.service_requests(rows[:size], request))
    if len(rows) > size:
        following = request.GET.copy()
        following["page"] = offset // size + 2
        following["page_size"] = size
        response["Link"] = (
            f'<{request.build_absolute_uri("?" + following.urlencode())}>; rel="next"'
        )

    return response


def _create_request(request, fmt: str):
    """POST requests: a trusted application's report, published at once, or held for
    moderation ("batch" service) and answered with a token instead of its id."""
    api_key = api_key_from_request(request, param="api_key")
    if api_key is None:
        raise Open311Error(403, _("Missing or invalid api_key: submitting requests needs one."))
    form = forms.ServiceRequestForm(request.POST)
    if not form.is_valid():
        raise Open311Error(400, forms.errors_of(form))
    data = form.cleaned_data
    category = _service(data["service_code"])
    try:
        questions = category.attributes.all() if category.has_attributes else []
        attributes = forms.clean_attributes(questions, forms.attribute_answers(request.POST))
        longitude, latitude = _location(data)
        report = actions.submit_report(
            category=category,
            longitude=longitude,
            latitude=latitude,
            description=data["description"],
            address=data["address_string"],
            attributes=attributes,
            media_url=data["media_url"],
            reporter=Reporter(
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                phone=data["phone"],
            ),
            source=Report.Source.OPEN311,
            api_key=api_key,
        )
    except ValidationError as error:
        raise Open311Error(400, error.messages) from error
    if report.published_at is None:
        answer = {"token": report.open311_token.token}
    else:
        answer = {"service_request_id": report.reference}
    answer["service_notice"] = serialisation.service_notice(category)
    answer["account_id"] = data["account_id"] or None
    return render(fmt, "service_requests", [answer])


def _location(data) -> tuple[float, float]:
    """The point sent, else the city's geocoder's first place for the address sent."""
    if data["lat"] is not None:
        return data["long"], data["lat"]
    if not data["address_string"]:
        raise ValidationError(_("address_id is not supported here: send lat and long."))
    if not geocoding.enabled():
        raise ValidationError(
            _("This city does not locate addresses: send lat and long with address_string.")
        )
    places = geocoding.search(data["address_string"])
    if not places:
        raise ValidationError(
            _("address_string: no place in the city matches this address; send lat and long.")
        )
    return places[0].longitude, places[0].latitude


@endpoint(*READ)
def service_request(request, fmt: str, service_request_id: str):
    """One request, as a one-element list (the spec's shape)."""
    rows = list(selectors.open311_requests(references=[service_request_id]))
    if not rows:
        raise Open311Error(
            404, _("service_request_id %(id)s not found.") % {"id": service_request_id}
        )
    return render(fmt, "service_requests", serialisation.service_requests(rows[:1], request))


@endpoint(*READ)
def token(request, fmt: str, token: str):
    """The request a token stands for, once the report is public (else no id yet)."""
    held = Open311Token.objects.select_related("report").filter(token=token).first()
    if held is None:
        raise Open311Error(404, _("token %(token)s not found.") % {"token": token})
    report = held.report
    reference = report.reference if report is not None and report.is_public else None
    return render(fmt, "service_requests", [{"service_request_id": reference, "token": token}])


@csrf_exempt
def service_unavailable(request):
    """Dans ma rue is switched off on this site: 404 in Open311's format, never an HTML page."""
    return not_found(request, rest=request.path)


def not_found(request, rest: str = ""):
    """Any other address under /open311/v2/: 404 in the error format (XML unless .json)."""
    fmt = "json" if rest.endswith(".json") else DEFAULT_FORMAT
    error = Open311Error(404, _("There is no Open311 resource at this address."))
    return render(fmt, "errors", error.as_list(), status=404)
