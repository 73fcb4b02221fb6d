"""The core mounts the service from its manifest, and switches it off per site."""

import pytest
from django.urls import reverse
from wagtail.models import Page, Site

from lutetia.core.activation import set_service_enabled
from lutetia.core.models import Role
from lutetia.core.registry import services
from lutetia.core.roles import ROLE_ORDER
from tests.factories import create_staff

pytestmark = pytest.mark.django_db

OTHER_HOST = "participation.example.org"


@pytest.fixture
def other_site(settings):
    settings.ALLOWED_HOSTS = ["*"]
    root = Page.get_first_root_node()
    home = root.add_child(instance=Page(title="Participation", slug="participation"))
    return Site.objects.create(hostname=OTHER_HOST, port=80, root_page=home)


def test_registry_mounts_pages_api_and_back_office(topic):
    manifest = services.get("contact")
    assert manifest.path_prefixes() == ("/api/contact/", "/contact/")
    assert reverse("contact:form") == "/contact/"
    assert reverse("contact_requests:index") == "/admin/contact/requests/"
    assert reverse("contact_topics:index") == "/admin/contact/topics/"


def test_role_groups_hold_the_declared_permissions(department):
    declared = services.get("contact").role_permissions
    for role in Role:
        user = create_staff(department, role)
        for level in ROLE_ORDER[: ROLE_ORDER.index(role) + 1]:
            for name in declared.get(level.value, ()):
                assert user.has_perm(name), (role, name)


def test_switching_off_answers_404_on_that_site_only(
    client, agent, topic, other_site, django_capture_on_commit_callbacks
):
    default_site = Site.objects.get(is_default_site=True)
    assert client.get("/contact/").status_code == 200
    assert client.get("/api/contact/topics").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        set_service_enabled(site=default_site, slug="contact", enabled=False, acting_user=agent)
    assert client.get("/contact/").status_code == 404
    assert client.get("/api/contact/topics").status_code == 404
    assert client.get("/contact/", HTTP_HOST=OTHER_HOST).status_code == 200
    assert client.get("/api/contact/topics", HTTP_HOST=OTHER_HOST).status_code == 200
