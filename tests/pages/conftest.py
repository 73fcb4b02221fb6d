"""Two sites (city and participation) with their own trees, themes, menus; a test service."""

import pytest
from wagtail.models import Page, Site

from lutetia.core.registry import MenuEntry, ServiceManifest, services
from lutetia.pages.models import HomePage, MenuItem, SiteNavigation, SiteTheme, StandardPage

CITY_HOST = "ville.localhost"
PARTICIPATION_HOST = "participation.localhost"

ESSAI = ServiceManifest(
    slug="essai",
    name={"fr": "Service d'essai", "en": "Trial service"},
    description={"fr": "Un service pour les tests.", "en": "A service for the tests."},
    urls="tests.pages.service_urls",
    admin_menu=(
        MenuEntry(
            label={"fr": "Registre des essais", "en": "Trial register"},
            url_name="essai:index",
            permission="core.view_department",
        ),
    ),
)


def register_essai(settings, monkeypatch) -> ServiceManifest:
    """Register the stand-in service and mount its URLs (undone after the test)."""
    settings.ROOT_URLCONF = "tests.pages.urls"
    monkeypatch.setitem(services.__dict__, "_manifests", {**services._manifests, "essai": ESSAI})
    return ESSAI


@pytest.fixture
def essai_service(settings, monkeypatch):
    return register_essai(settings, monkeypatch)


@pytest.fixture
def sites(db, settings):
    """The demo's shape: one HomePage tree, theme and navigation per site."""
    settings.ALLOWED_HOSTS = [CITY_HOST, PARTICIPATION_HOST, "testserver"]
    root = Page.get_first_root_node()
    Site.objects.all().delete()
    built = {}
    for key, host, title, colour in (
        ("city", CITY_HOST, "Ville de Paris", "#1d4e89"),
        ("participation", PARTICIPATION_HOST, "Paris participe", "#6a1b4d"),
    ):
        home = root.add_child(instance=HomePage(title=title, slug=key, intro=f"<p>{title}</p>"))
        site = Site.objects.create(
            hostname=host, port=80, root_page=home, site_name=title, is_default_site=key == "city"
        )
        SiteTheme.objects.create(site=site, site_name=title, primary_colour=colour)
        navigation = SiteNavigation.objects.create(site=site)
        MenuItem.objects.create(navigation=navigation, title=f"Menu {key}", url=f"/menu-{key}/")
        built[key] = (site, home)
    return built


@pytest.fixture
def city(sites):
    return sites["city"]


@pytest.fixture
def participation(sites):
    return sites["participation"]


def add_standard_page(home, title, **fields):
    return home.add_child(instance=StandardPage(title=title, **fields))
