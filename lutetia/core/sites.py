"""Which Wagtail site answers a request: looked up once per host, not once per request.

Wagtail's ``Site.find_for_request`` queries the database on every request, yet its answer
changes only when a site changes. Each process
keeps the answers per host and port for one version token held in the shared cache;
``forget`` replaces the token after such a change is committed, so every app server sees
it on its next request (like the districts' lookup tree). The answers are also dropped
after ``MAX_AGE_S``, for changes made behind Django's back.

``SiteMiddleware`` hands the site to Wagtail through ``request._wagtail_site``, the
attribute in which ``Site.find_for_request`` keeps its answer for the rest of the
request, so every caller (Wagtail's own included) gets it without a query.
"""

import time
from contextlib import suppress

from django.db import DEFAULT_DB_ALIAS, DatabaseError
from django.http.request import split_domain_port
from wagtail.models import Site
from wagtail.models.sites import get_site_for_hostname

from lutetia.core import versions

VERSION_KEY = "lutetia:sites:version"
MAX_AGE_S = 300
SITE_FIELDS = tuple(field.attname for field in Site._meta.concrete_fields)

_known: dict = {"version": None, "since": 0.0, "sites": {}}


def site_for_request(request) -> Site | None:
    """The site for the request's host and port (None when no site matches).

    Each request gets its own instance, built from the kept field values: nothing a
    request loads or sets on it (its root page, say) is seen by another.
    """
    hostname = split_domain_port(request._get_raw_host())[0]  # as Wagtail: no ALLOWED_HOSTS check
    port = request.get_port()
    sites = _current_sites()
    if (hostname, port) not in sites:
        sites[hostname, port] = _field_values(hostname, port)
    values = sites[hostname, port]
    return None if values is None else Site.from_db(DEFAULT_DB_ALIAS, SITE_FIELDS, values)


def _field_values(hostname: str, port: int) -> tuple | None:
    try:
        site = get_site_for_hostname(hostname, port)
    except Site.DoesNotExist:
        return None
    return tuple(getattr(site, name) for name in SITE_FIELDS)


def forget(**signal_kwargs) -> None:
    """After the current transaction commits, make every process look its sites up again."""
    versions.renew_on_commit(VERSION_KEY)


def _current_sites() -> dict:
    version = versions.current(VERSION_KEY)
    now = time.monotonic()
    if version != _known["version"] or now - _known["since"] > MAX_AGE_S:
        _known.update(version=version, since=now, sites={})
    return _known["sites"]


class SiteMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # With the database down, views that need no site (the health check) still answer.
        with suppress(DatabaseError):
            request._wagtail_site = site_for_request(request)
        return self.get_response(request)
