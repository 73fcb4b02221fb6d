"""Anonymous visitors get cached pages; publishing and theme changes clear them."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from lutetia.pages.models import HomePage, SiteTheme

pytestmark = pytest.mark.django_db

CITY = "127.0.0.1:8000"


@pytest.fixture
def demo(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo")


def queries_for(client, path, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, HTTP_HOST=CITY, **headers)
    return response, len(queries)


def test_second_anonymous_visit_is_served_from_the_cache(demo):
    client = Client()
    first, first_queries = queries_for(client, "/")
    second, second_queries = queries_for(client, "/")
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert first_queries > 0
    assert second_queries == 0


def test_publishing_a_page_clears_the_cache(demo):
    client = Client()
    queries_for(client, "/")
    home = HomePage.objects.get(slug="paris")
    home.title = "Paris, ville démo"
    home.save_revision().publish()
    response, queries = queries_for(client, "/")
    assert queries > 0
    assert "Paris, ville démo" in response.content.decode()


def test_theme_change_clears_the_cache(demo):
    client = Client()
    queries_for(client, "/")
    theme = SiteTheme.for_site(Site.objects.get(hostname="127.0.0.1"))
    theme.site_name = "Paris Centre"
    theme.save()
    response, _ = queries_for(client, "/")
    assert "Paris Centre" in response.content.decode()


def test_each_site_and_language_has_its_own_copy(demo):
    client = Client()
    city = client.get("/", HTTP_HOST=CITY).content.decode()
    participation = client.get("/", HTTP_HOST="localhost:8000").content.decode()
    english = client.get("/en/", HTTP_HOST=CITY).content.decode()
    assert "Paris participe (démo)" in participation and "Paris participe (démo)" not in city
    assert '<html lang="en"' in english


def test_signed_in_visitors_always_get_a_fresh_page(demo):
    from lutetia.accounts.models import User

    client = Client()
    queries_for(client, "/")
    client.force_login(User.objects.get(email="habitante.email@paris.example"))
    response, queries = queries_for(client, "/")
    assert queries > 0
    assert "mon-compte" in response.content.decode()


# --- service views that opt in ----------------------------------------------------------------


def test_a_namespace_is_dropped_alone_and_with_every_page(essai_service):
    from lutetia.pages.cache import invalidate

    client = Client()

    def answer(language="fr"):
        return client.get("/essai/latest/", HTTP_ACCEPT_LANGUAGE=language).content.decode()

    first = answer()
    assert answer() == first and first.endswith(" in fr")
    english = answer("en")
    assert english != first and english.endswith(" in en"), "a copy per negotiated language"
    invalidate("another-service")
    assert answer() == first
    invalidate("essai")
    assert answer() not in (first, english)
    second = answer()
    invalidate()  # every page of the site
    assert answer() != second
