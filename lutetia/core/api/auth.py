"""Who is calling the API: key lookup from a request, and the ninja auth classes.

Clients send their key as ``X-API-Key: <key>`` or ``Authorization: Bearer <key>``.
Standard APIs whose clients pass the key as a parameter (Open311's ``api_key``)
call ``api_key_from_request(request, param="api_key")``.
"""

from django.http import HttpRequest
from ninja.security import APIKeyHeader

from lutetia.core.api.keys import authenticate_key
from lutetia.core.api.models import ApiKey

HEADER = "X-API-Key"


def presented_key(request: HttpRequest, param: str | None = None) -> str | None:
    """The plaintext key the client sent, if any (headers first, then ``param``)."""
    key = request.headers.get(HEADER, "").strip()
    if not key:
        scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
        key = credentials.strip() if scheme.lower() == "bearer" else ""
    if not key and param:
        key = request.GET.get(param) or (
            request.POST.get(param) if request.method == "POST" else ""
        )
    return key or None


def api_key_from_request(request: HttpRequest, param: str | None = None) -> ApiKey | None:
    """The valid key the request carries, or None. Looked up once per request."""
    plaintext = presented_key(request, param)
    if plaintext is None:
        return None
    return _lookup(request, plaintext)


def _lookup(request: HttpRequest, plaintext: str) -> ApiKey | None:
    # The rate limiter and the endpoint's auth both ask; the database answers once.
    found = request.__dict__.setdefault("_lutetia_api_keys", {})
    if plaintext not in found:
        found[plaintext] = authenticate_key(plaintext)
    return found[plaintext]


class AnonymousClient:
    """``request.auth`` for a client without a key on an endpoint open to everyone."""

    def __repr__(self) -> str:
        return "<anonymous client>"


ANONYMOUS = AnonymousClient()


class ApiKeyAuth(APIKeyHeader):
    """Requires a valid key; ``request.auth`` is the ApiKey."""

    param_name = HEADER

    def _get_key(self, request: HttpRequest) -> str | None:
        return presented_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiKey | None:
        return _lookup(request, key) if key else None


class OptionalApiKey(ApiKeyAuth):
    """Open to anonymous clients (``request.auth`` is ANONYMOUS); a key sent must be valid.

    Keys get the higher per-key rate limit instead of the per-IP one.
    """

    def authenticate(
        self, request: HttpRequest, key: str | None
    ) -> ApiKey | AnonymousClient | None:
        return super().authenticate(request, key) if key else ANONYMOUS
