"""The core mounts the service from its manifest, grants its permissions, and gates it per site."""

import pytest
from django.urls import reverse
from wagtail.models import Site

from lutetia.core.activation import set_service_enabled
from lutetia.core.models import Role
from lutetia.core.registry import services
from lutetia.core.roles import ROLE_ORDER
from tests.factories import create_staff

pytestmark = pytest.mark.django_db


def test_registry_mounts_pages_api_and_back_office():
    manifest = services.get("appointments")
    assert manifest.path_prefixes() == ("/api/appointments/", "/rendez-vous/")
    assert reverse("appointments:index") == "/rendez-vous/"
    assert reverse("appointments_calendar:index") == "/admin/appointments/calendar/"
    assert reverse("appointment_templates:index") == "/admin/appointments/opening-hours/"


def test_role_groups_hold_the_declared_permissions(department):
    declared = services.get("appointments").role_permissions
    for role in Role:
        user = create_staff(department, role)
        for level in ROLE_ORDER[: ROLE_ORDER.index(role) + 1]:
            for name in declared.get(level.value, ()):
                assert user.has_perm(name), (role, name)


def test_switching_off_answers_404(client, agent, service, django_capture_on_commit_callbacks):
    assert client.get("/rendez-vous/").status_code == 200
    assert client.get("/en/rendez-vous/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        set_service_enabled(
            site=Site.objects.get(is_default_site=True),
            slug="appointments",
            enabled=False,
            acting_user=agent,
        )
    assert client.get("/rendez-vous/").status_code == 404
    assert client.get("/api/appointments/services").status_code == 404
