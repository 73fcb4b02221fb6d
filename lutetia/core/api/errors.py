"""One error shape for every API: RFC 9457 problem details (application/problem+json).

``problem()`` builds the response; ``install_exception_handlers()`` makes a NinjaAPI
answer every failure with it. Validation errors answer 400 with an ``errors`` list
of ``{"loc": [...], "msg": "..."}``. Endpoints outside ninja (standard APIs such as
Open311) call ``problem()`` directly so clients see the same shape everywhere.
"""

import json
import logging
import math
from http import HTTPStatus

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import HttpError, Throttled, ValidationError

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"


class RateLimited(Throttled):
    """Too many requests; ``wait`` is the number of seconds until the window reopens."""


def problem(status: int, title: str | None = None, detail: str = "", **extra) -> HttpResponse:
    """An RFC 9457 response; ``title`` defaults to the status phrase, ``type`` to about:blank."""
    body = {
        "type": extra.pop("type", "about:blank"),
        "title": title or HTTPStatus(status).phrase,
        "status": status,
    }
    if detail:
        body["detail"] = str(detail)
    body.update(extra)
    return HttpResponse(
        json.dumps(body, cls=DjangoJSONEncoder), status=status, content_type=PROBLEM_CONTENT_TYPE
    )


def rate_limited(exc: Throttled) -> HttpResponse:
    response = problem(429, detail=_("Too many requests. Try again later."))
    if exc.wait is not None:
        response["Retry-After"] = str(max(1, math.ceil(exc.wait)))
    return response


def install_exception_handlers(api: NinjaAPI) -> None:
    """Replace ninja's default error bodies with problem details."""
    api.add_exception_handler(ValidationError, _validation_error)
    api.add_exception_handler(HttpError, _http_error)
    api.add_exception_handler(PermissionDenied, _permission_denied)
    api.add_exception_handler(Http404, _not_found)
    api.add_exception_handler(ObjectDoesNotExist, _not_found)
    api.add_exception_handler(Exception, _server_error)


def _validation_error(request, exc: ValidationError) -> HttpResponse:
    errors = [
        {"loc": list(error.get("loc", ())), "msg": error.get("msg", "")} for error in exc.errors
    ]
    return problem(400, detail=_("The request is not valid."), errors=errors)


def _http_error(request, exc: HttpError) -> HttpResponse:
    if isinstance(exc, Throttled):
        return rate_limited(exc)
    return problem(exc.status_code, detail=exc.message)


def _permission_denied(request, exc: PermissionDenied) -> HttpResponse:
    return problem(403, detail=str(exc) or _("You may not do this."))


def _not_found(request, exc: Exception) -> HttpResponse:
    # Our own Http404s carry a message for the client; ORM misses only say "not found".
    message = str(exc) if isinstance(exc, Http404) else ""
    return problem(404, detail=message or _("Nothing was found at this address."))


def _server_error(request, exc: Exception) -> HttpResponse:
    logger.exception("Unhandled error in API request %s %s", request.method, request.path)
    return problem(500, detail=_("Something went wrong on our side. It has been logged."))
