"""The one back office: service switches, organisation screens, menus and access."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.models import ModelLogEntry, Site

from lutetia.core import actions
from lutetia.core.models import Department, Role, StaffMembership
from lutetia.core.registry import MenuEntry, ServiceManifest
from lutetia.core.roles import GROUP_NAMES
from lutetia.core.wagtail_hooks import service_menu_item
from tests.factories import UserFactory
from tests.pages.conftest import register_essai


@pytest.fixture
def essai(settings, monkeypatch):
    return register_essai(settings, monkeypatch)


def test_administrator_switches_a_service_off_for_a_site(
    client, administrator, essai, django_capture_on_commit_callbacks
):
    site = Site.objects.get(is_default_site=True)
    client.force_login(administrator)
    page = client.get(reverse("lutetia_services"))
    assert page.status_code == 200
    assert "Trial service" in page.content.decode() or "Service d&#x27;essai" in (
        page.content.decode()
    )
    assert client.get("/essai/").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("lutetia_services"), {"site": site.pk, "service": "essai", "enabled": "false"}
        )

    assert response.status_code == 302
    entry = ModelLogEntry.objects.get(action="lutetia.service_toggled")
    assert entry.user == administrator
    assert (entry.data["service"], entry.data["site"], entry.data["after"]) == (
        "essai",
        site.pk,
        False,
    )
    assert client.get("/essai/").status_code == 404


def test_toggle_with_an_unknown_service_changes_nothing(client, administrator, essai):
    site = Site.objects.get(is_default_site=True)
    client.force_login(administrator)

    response = client.post(
        reverse("lutetia_services"), {"site": site.pk, "service": "nope", "enabled": "false"}
    )

    assert response.status_code == 302
    assert not ModelLogEntry.objects.filter(action="lutetia.service_toggled").exists()


@pytest.mark.parametrize(
    "url_name", ["lutetia_services", "departments:index", "staff_memberships:index"]
)
def test_agent_cannot_open_services_nor_organisation_screens(client, agent, url_name):
    """Wagtail answers a refusal with a redirect home and a message (403 to htmx/fetch)."""
    client.force_login(agent)
    assert client.get(reverse("wagtailadmin_home")).status_code == 200

    refused = client.get(reverse(url_name))
    background = client.get(reverse(url_name), headers={"x-requested-with": "XMLHttpRequest"})

    assert refused.status_code == 302 and refused["Location"] == reverse("wagtailadmin_home")
    assert background.status_code == 403


def test_agent_cannot_switch_a_service(client, agent, essai):
    client.force_login(agent)
    site = Site.objects.get(is_default_site=True)

    client.post(reverse("lutetia_services"), {"site": site.pk, "service": "essai"})

    assert not ModelLogEntry.objects.filter(action="lutetia.service_toggled").exists()


def test_resident_cannot_enter_the_back_office(client, resident):
    client.force_login(resident)

    response = client.get(reverse("wagtailadmin_home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_service_menu_entry_shows_only_with_its_permission(client, administrator, agent, essai):
    """The sidebar is rendered in the user's language: French labels by default."""
    client.force_login(administrator)
    assert "Registre des essais" in client.get(reverse("wagtailadmin_home")).content.decode()

    client.force_login(agent)
    assert "Registre des essais" not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_service_with_several_entries_gets_a_submenu(rf, administrator, agent):
    manifest = ServiceManifest(
        slug="essai",
        name={"en": "Trial service"},
        admin_menu=(
            MenuEntry(label={"en": "Settings"}, url_name="lutetia_services", order=2),
            MenuEntry(
                label={"en": "Departments"},
                url_name="departments:index",
                permission="core.view_department",
                order=1,
            ),
        ),
    )
    item = service_menu_item(manifest)
    request = rf.get("/admin/")

    request.user = administrator
    assert [str(i.label) for i in item.menu.menu_items_for_request(request)] == [
        "Departments",
        "Settings",
    ]
    request.user = agent
    assert [str(i.label) for i in item.menu.menu_items_for_request(request)] == ["Settings"]


def test_administrator_creates_and_edits_a_department_with_audit(client, administrator):
    client.force_login(administrator)

    response = client.post(
        reverse("departments:add"),
        {"code": "voirie", "name": "Voirie", "email": "voirie@example.org", "is_active": "on"},
    )
    assert response.status_code == 302
    department = Department.objects.get(code="voirie")
    response = client.post(
        reverse("departments:edit", args=[department.pk]),
        {"code": "voirie", "name": "Voirie et déplacements", "email": "voirie@example.org"},
    )

    assert response.status_code == 302
    department.refresh_from_db()
    assert department.name == "Voirie et déplacements" and not department.is_active
    updated = ModelLogEntry.objects.get(action="lutetia.department_updated")
    assert updated.data["after"] == {"name": "Voirie et déplacements", "is_active": False}
    assert ModelLogEntry.objects.filter(action="lutetia.department_created").count() == 1
    assert not ModelLogEntry.objects.filter(action__startswith="wagtail.").exists()


def test_invalid_department_form_shows_errors_and_saves_nothing(client, administrator):
    client.force_login(administrator)

    response = client.post(reverse("departments:add"), {"code": "not a slug", "name": ""})

    assert response.status_code == 200
    assert not Department.objects.filter(code="not a slug").exists()


def test_membership_through_the_admin_opens_and_closes_the_back_office(
    client, administrator, department
):
    user = UserFactory()
    client.force_login(administrator)

    client.post(
        reverse("staff_memberships:add"),
        {"user": user.pk, "department": department.pk, "role": Role.AGENT},
    )
    membership = StaffMembership.objects.get(user=user)
    assert user.groups.filter(name=GROUP_NAMES[Role.AGENT]).exists()
    client.post(reverse("staff_memberships:edit", args=[membership.pk]), {"role": Role.MANAGER})
    assert set(user.groups.values_list("name", flat=True)) == {GROUP_NAMES[Role.MANAGER]}
    client.force_login(UserFactory._meta.model.objects.get(pk=user.pk))
    assert client.get(reverse("wagtailadmin_home")).status_code == 200

    client.force_login(administrator)
    client.post(reverse("staff_memberships:delete", args=[membership.pk]))

    assert not StaffMembership.objects.filter(user=user).exists()
    assert not user.groups.exists()
    assert list(
        ModelLogEntry.objects.filter(action__startswith="lutetia.membership")
        .order_by("timestamp", "pk")
        .values_list("action", flat=True)
    ) == ["lutetia.membership_added", "lutetia.membership_added", "lutetia.membership_removed"]


def test_remove_membership_keeps_groups_of_roles_held_elsewhere(administrator, department):
    user = UserFactory()
    other = Department.objects.create(code="voirie", name="Voirie")
    actions.add_membership(user=user, department=department, role=Role.AGENT, acting_user=None)
    second = actions.add_membership(
        user=user, department=other, role=Role.AGENT, acting_user=administrator
    )

    actions.remove_membership(second, acting_user=administrator)

    assert list(user.groups.all()) == [Group.objects.get(name=GROUP_NAMES[Role.AGENT])]


def test_update_department_refuses_unknown_fields(administrator, department):
    with pytest.raises(TypeError):
        actions.update_department(department, acting_user=administrator, pk=99)


def test_site_history_report_shows_lutetia_actions(
    client, administrator, department, django_capture_on_commit_callbacks
):
    actions.update_department(department, acting_user=administrator, name="Propreté urbaine")
    client.force_login(UserFactory(is_superuser=True))

    html = client.get(reverse("wagtailadmin_reports:site_history")).content.decode()

    assert "Service municipal modifié" in html
    assert "Propreté urbaine" in html
