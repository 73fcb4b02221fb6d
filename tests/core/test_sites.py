"""The site of a request is looked up once per host, and again after a site changes."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, Site

pytestmark = pytest.mark.django_db


def site_queries(client, host):
    with CaptureQueriesContext(connection) as queries:
        client.get("/healthz", HTTP_HOST=host)
    return [q["sql"] for q in queries if '"wagtailcore_site"' in q["sql"]]


@pytest.fixture
def second_site(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return Site.objects.create(
            hostname="quartier.localhost", root_page=Page.get_first_root_node(), site_name="Q"
        )


def test_each_host_is_looked_up_once(second_site, rf):
    from lutetia.core.sites import site_for_request

    client = Client()
    assert len(site_queries(client, "quartier.localhost")) == 1
    assert site_queries(client, "quartier.localhost") == []
    assert len(site_queries(client, "unknown.localhost")) == 1, "another host: its own answer"
    assert site_for_request(rf.get("/", HTTP_HOST="quartier.localhost")) == second_site


def test_a_changed_site_is_looked_up_again(second_site, rf, django_capture_on_commit_callbacks):
    from lutetia.core.sites import site_for_request

    request = rf.get("/", HTTP_HOST="quartier.localhost")
    assert site_for_request(request).site_name == "Q"
    with django_capture_on_commit_callbacks(execute=True):
        second_site.site_name = "Quartier"
        second_site.save()
    assert site_for_request(request).site_name == "Quartier"
    with django_capture_on_commit_callbacks(execute=True):
        second_site.delete()
    assert site_for_request(request) != second_site


def test_wagtail_gets_the_site_of_the_middleware(second_site, rf):
    from lutetia.core.sites import SiteMiddleware

    request = rf.get("/", HTTP_HOST="quartier.localhost")
    SiteMiddleware(lambda request: None)(request)
    with CaptureQueriesContext(connection) as queries:
        assert Site.find_for_request(request) == second_site
    assert len(queries) == 0
