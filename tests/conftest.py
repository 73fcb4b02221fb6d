"""Shared fixtures: real users at each role, the demo districts, the shared data folder."""

import json
from pathlib import Path

import pytest
from django.urls import clear_url_caches, reverse
from django.utils import translation
from wagtail.models import Site

from lutetia.core.activation import set_service_enabled
from lutetia.core.districts.actions import import_districts
from lutetia.core.models import Role
from tests.factories import DepartmentFactory, UserFactory, create_staff

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
GEOJSON = (
    Path(__file__).resolve().parents[1]
    / "lutetia/core/districts/data/paris-arrondissements.geojson"
)
# A point in front of Notre-Dame (4th arrondissement) and one in Versailles.
INSIDE_PARIS = {"longitude": 2.3499, "latitude": 48.8530}
OUTSIDE_PARIS = {"longitude": 2.1204, "latitude": 48.8049}


def public_url(name: str, *args, language: str = "") -> str:
    """A public page's address in French (/…) or English (/en/…), whatever language is active."""
    with translation.override("fr"):
        path = reverse(name, args=args)
    return f"/en{path}" if language == "en" else path


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _default_language(settings):
    # A request activates its URL's language and leaves it active: start every test in the site's
    # default language so that messages and reversed URLs do not depend on the previous test.
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashing costs about a second per user; tests check behaviour, not key stretching.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    # Tasks run at enqueue time in tests; enqueueing still waits for on_commit.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    from lutetia.core.districts import version

    cache.clear()
    # Each test's districts are new rows: a lookup tree built by an earlier test is stale.
    version.bump()
    yield
    cache.clear()


@pytest.fixture
def resident(db):
    return UserFactory()


@pytest.fixture
def department(db):
    return DepartmentFactory(code="proprete", name="Propreté")


@pytest.fixture
def agent(department):
    return create_staff(department)


@pytest.fixture
def manager(department):
    return create_staff(department, Role.MANAGER)


@pytest.fixture
def administrator(department):
    return create_staff(department, Role.ADMINISTRATOR)


@pytest.fixture
def other_department(db):
    return DepartmentFactory(code="voirie", name="Voirie")


@pytest.fixture
def other_agent(other_department):
    return create_staff(other_department)


@pytest.fixture
def english(settings):
    """Messages checked in English, the language they are written in (opt in per module)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
    clear_url_caches()  # the resolver caches English addresses without their /en/ prefix


@pytest.fixture
def switch_off(db, django_capture_on_commit_callbacks):
    """Switch a service off on the default site, as the back office does (then its callbacks)."""

    def _switch_off(slug: str, *, acting_user=None):
        with django_capture_on_commit_callbacks(execute=True):
            set_service_enabled(
                site=Site.objects.get(is_default_site=True),
                slug=slug,
                enabled=False,
                acting_user=acting_user,
            )

    return _switch_off


@pytest.fixture
def districts(db, django_capture_on_commit_callbacks):
    """The 20 arrondissements, imported as an administrator would (lookup index refreshed)."""
    features = json.loads(GEOJSON.read_text(encoding="utf-8"))["features"]
    with django_capture_on_commit_callbacks(execute=True):
        import_districts(
            features=features, name_field="l_aroff", code_field="c_ar", acting_user=None
        )
