"""Fixed-window request counters per API key and per client IP, kept in Django's cache.

The cache is shared by every app server in production (Redis or the database cache),
so the limits hold across servers. Standard APIs outside ninja call
``check_rate_limit`` themselves with their own scope.
"""

import math
import time
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from lutetia.core.api.errors import RateLimited
from lutetia.core.api.models import ApiKey

WINDOW_SECONDS = 60


def check_rate_limit(request: HttpRequest, scope: str = "api", *, api_key: ApiKey | None = None):
    """Count this request; raise RateLimited once the minute's allowance is spent.

    A request with a valid ``api_key`` counts against the key (its own limit, else
    the per-key default); any other request counts against its client IP.
    """
    if api_key is not None:
        ident = f"key:{api_key.pk}"
        limit = api_key.rate_limit_per_minute
        if limit is None:
            limit = settings.LUTETIA_API_RATE_LIMIT_PER_KEY
    else:
        ident = f"ip:{client_ip(request)}"
        limit = settings.LUTETIA_API_RATE_LIMIT_PER_IP
    count_event(f"{scope}:{ident}", limit=limit, window_seconds=WINDOW_SECONDS)


def count_event(key: str, *, limit: int, window_seconds: int) -> None:
    """Count one event under ``key`` in a fixed window; raise RateLimited past ``limit``.

    The same counters serve limits other than the API's, e.g. a service's submissions
    per account and per day.
    """
    now = time.time()
    window = int(now // window_seconds)
    if _count(f"lutetia:ratelimit:{key}:{window}", timeout=window_seconds * 2) > limit:
        raise RateLimited(wait=math.ceil((window + 1) * window_seconds - now))


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or the nearest untrusted address in X-Forwarded-For behind our proxies.

    LUTETIA_TRUSTED_PROXIES lists proxy addresses or networks ("10.0.0.0/8").
    """
    address = request.META.get("REMOTE_ADDR", "")
    if not _is_trusted_proxy(address):
        return address
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for hop in reversed([part.strip() for part in forwarded]):
        if _parse(hop) is not None and not _is_trusted_proxy(hop):
            return hop
    return address


def _is_trusted_proxy(address: str) -> bool:
    ip = _parse(address)
    return ip is not None and any(
        ip in ip_network(proxy, strict=False) for proxy in settings.LUTETIA_TRUSTED_PROXIES
    )


def _parse(address: str) -> IPv4Address | IPv6Address | None:
    try:
        return ip_address(address)
    except ValueError:
        return None


def _count(key: str, timeout: int) -> int:
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1
