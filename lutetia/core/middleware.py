"""Request-wide concerns: request ids, the Content Security Policy, per-site service gates."""

import contextvars
import uuid

from django.http import Http404
from django.utils.translation import get_language_from_path
from wagtail.models import Site

from lutetia.core.activation import is_enabled
from lutetia.core.registry import services

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

# No inline script anywhere on public pages; map tiles are the only outside images.
PUBLIC_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob: https://*.tile.openstreetmap.org",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self' https:",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)
# Wagtail's own admin still ships inline styles and scripts.
ADMIN_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob: https:",
        "frame-src 'self'",
        "frame-ancestors 'self'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)
ADMIN_PREFIXES = ("/admin/", "/django-admin/")


class RequestIdMiddleware:
    """Tag each request with an id (kept from X-Request-ID if sent) for the logs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            admin = request.path.startswith(ADMIN_PREFIXES)
            response["Content-Security-Policy"] = ADMIN_CSP if admin else PUBLIC_CSP
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)")
        return response


class ServiceGateMiddleware:
    """Answer 404 for every URL of a service that is switched off on this site."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = _without_language_prefix(request.path_info)
        manifest = services.service_for_path(path)
        if manifest is not None:
            site = Site.find_for_request(request)
            if not is_enabled(site, manifest.slug):
                unavailable = manifest.unavailable_view(path)
                if unavailable is not None:
                    return unavailable(request)
                raise Http404(f"The service {manifest.slug} is not available on this site.")
        return self.get_response(request)


def _without_language_prefix(path: str) -> str:
    language = get_language_from_path(path)
    return path.removeprefix(f"/{language}") if language else path
