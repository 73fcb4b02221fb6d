"""Whole-page cache for anonymous visitors of the public sites.

Most visits to a city site are anonymous reads of the same pages, so a Wagtail page is
rendered once per site, language and URL and then served from the shared cache until a
page is published, moved or deleted, or a site's theme, menus or services change.
Visitors with a session (signed-in residents, staff, anyone with pending messages) always
get a freshly rendered page.

A service view whose answer is the same for every anonymous visitor opts in with
``@cached_for_anonymous``; a service whose data changes often gives its views a
``namespace`` of their own and calls ``invalidate(namespace)`` when that data changes, so
its writes do not drop every page of the site. A view that picks its language from the
request's headers (a standard API answering in the client's ``Accept-Language``) says so
with ``language_from_headers=True``, so each language gets its own copy.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.urls import Resolver404, resolve
from django.utils import translation

from lutetia.core import versions

VERSION_KEY = "lutetia:page-cache:version"
PAGES = "pages"
UNCACHEABLE_COOKIES = (settings.SESSION_COOKIE_NAME, "messages")


def cached_for_anonymous(view=None, *, namespace: str = PAGES, language_from_headers=False):
    """Mark a service view as served from the anonymous whole-page cache, like Wagtail pages.

    Usable bare (``@cached_for_anonymous``) or with options.
    """

    def mark(view):
        view.cached_for_anonymous = (namespace, language_from_headers)
        return view

    return mark(view) if view is not None else mark


def invalidate(namespace: str = PAGES, **signal_kwargs) -> None:
    """Forget every cached page (``pages``: all of them) or the pages of one ``namespace``.

    A new version makes the old entries unreachable. Also a signal receiver (``PagesConfig``):
    signals pass keyword arguments only, so they drop every page.
    """
    versions.renew(_version_key(namespace))


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timeout = settings.LUTETIA_PAGE_CACHE_SECONDS
        options = _cache_options(request) if timeout else None
        if options is None:
            return self.get_response(request)
        key = _key(request, *options)
        response = cache.get(key)
        if response is None:
            response = self.get_response(request)
            if response.status_code == 200 and not response.cookies and not response.streaming:
                cache.set(key, response, timeout)
        return response


def _cache_options(request) -> tuple[str, bool] | None:
    """(namespace, language_from_headers) for an anonymous read of a cached view, else None."""
    if request.method != "GET" or any(name in request.COOKIES for name in UNCACHEABLE_COOKIES):
        return None
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    if match.url_name == "wagtail_serve":
        return PAGES, False
    return getattr(match.func, "cached_for_anonymous", None)


def _key(request, namespace: str, language_from_headers: bool) -> str:
    """Every namespace's pages also go when all pages go (a service switched off, say)."""
    tokens = ":".join(
        versions.current_many([_version_key(name) for name in sorted({PAGES, namespace})])
    )
    language = translation.get_language_from_request(request) if language_from_headers else ""
    # Hashed: a long query string must not make a key some cache backends refuse (memcached).
    address = hashlib.sha256(f"{request.get_host()}{request.get_full_path()}".encode()).hexdigest()
    return f"lutetia:page:{namespace}:{tokens}:{language}:{address}"


def _version_key(namespace: str) -> str:
    return VERSION_KEY if namespace == PAGES else f"{VERSION_KEY}:{namespace}"
