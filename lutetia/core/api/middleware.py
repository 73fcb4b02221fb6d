"""Every request under /api/ is rate-limited, speaks the client's language, and every
error there is a problem document."""

from django.http import HttpResponse
from django.utils import translation

from lutetia.core.api.auth import api_key_from_request
from lutetia.core.api.errors import RateLimited, problem, rate_limited
from lutetia.core.api.ratelimit import check_rate_limit

API_PREFIX = "/api/"
# Headers that still mean something once an error body is rewritten.
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


class ApiMiddleware:
    """Count /api/ requests against their key or IP, and reshape plain error pages.

    Pages without a language prefix are French; API clients choose with
    Accept-Language instead. Django, ninja and the service gate answer some errors
    (405, a switched-off service's 404, an uncaught 500) with HTML or text; API
    clients get RFC 9457.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        request.LANGUAGE_CODE = translation.get_language_from_request(request)
        translation.activate(request.LANGUAGE_CODE)
        try:
            check_rate_limit(request, api_key=api_key_from_request(request))
        except RateLimited as exc:
            return rate_limited(exc)
        response = self.get_response(request)
        if response.status_code >= 400 and not _is_json(response):
            return _as_problem(response)
        return response


def _is_json(response: HttpResponse) -> bool:
    return "json" in response.get("Content-Type", "")


def _as_problem(response: HttpResponse) -> HttpResponse:
    reshaped = problem(response.status_code)
    for header in KEPT_HEADERS:
        if header in response:
            reshaped[header] = response[header]
    return reshaped
