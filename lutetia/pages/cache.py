"""Whole-page cache for anonymous visitors of the public sites.

Most visits to a city site are anonymous reads of the same pages, so a Wagtail page is
rendered once per site, language and URL and then served from the shared cache until a
page is published, moved or deleted, or a site's theme, menus or services change.
Visitors with a session (signed-in residents, staff, anyone with pending messages) always
get a freshly rendered page. A service view whose page is the same for every anonymous
visitor opts in with ``@cached_for_anonymous`` and calls ``invalidate`` when it changes.
"""

import uuid

from django.conf import settings
from django.core.cache import cache
from django.urls import Resolver404, resolve

VERSION_KEY = "lutetia:page-cache:version"
UNCACHEABLE_COOKIES = (settings.SESSION_COOKIE_NAME, "messages")


def cached_for_anonymous(view):
    """Mark a service view as served from the anonymous whole-page cache, like Wagtail pages."""
    view.cached_for_anonymous = True
    return view


def invalidate(**kwargs) -> None:
    """Forget every cached page (a new version makes the old entries unreachable)."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timeout = settings.LUTETIA_PAGE_CACHE_SECONDS
        if not timeout or not _is_anonymous_page_read(request):
            return self.get_response(request)
        key = _key(request)
        response = cache.get(key)
        if response is None:
            response = self.get_response(request)
            if response.status_code == 200 and not response.cookies and not response.streaming:
                cache.set(key, response, timeout)
        return response


def _is_anonymous_page_read(request) -> bool:
    if request.method != "GET" or any(name in request.COOKIES for name in UNCACHEABLE_COOKIES):
        return False
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return match.url_name == "wagtail_serve" or getattr(match.func, "cached_for_anonymous", False)


def _key(request) -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        cache.add(VERSION_KEY, version, None)
        version = cache.get(VERSION_KEY, version)
    return f"lutetia:page:{version}:{request.get_host()}:{request.get_full_path()}"
