"""The back office's sidebar, cached per user: the same as Wagtail's, and never stale on rights."""

import json
import re
from pathlib import Path

import pytest
import wagtail
from django.contrib.auth.models import Group, Permission
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from wagtail.admin.templatetags.wagtailadmin_tags import sidebar_props
from wagtail.models import GroupPagePermission, Page
from wagtail.users.models import UserProfile

from lutetia.core import actions
from lutetia.core.admin_chrome import cached_sidebar_props
from lutetia.core.models import Role
from lutetia.core.roles import GROUP_NAMES

CORE_TEMPLATES = Path(__file__).resolve().parents[2] / "lutetia/core/templates"
TRIAGE_URL = "/admin/dans-ma-rue/reports/"
SIDEBAR = re.compile(r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>')


def sidebar_of(response) -> str:
    return SIDEBAR.search(response.content.decode()).group(1)


def menu_urls(response) -> set[str]:
    """Every link of the page's main menu, submenus included."""
    urls, stack = set(), [json.loads(sidebar_of(response))]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            urls.update(value for key, value in node.items() if key == "url")
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return urls


def request_for(user):
    request = RequestFactory().get(TRIAGE_URL)
    request.user = user
    return request


def test_our_base_template_is_wagtails_with_the_cached_sidebar():
    """Guard for Wagtail upgrades: only the sidebar tag (and its library) differ."""
    wagtails = Path(wagtail.__file__).parent / "admin/templates/wagtailadmin/base.html"
    ours = (CORE_TEMPLATES / "wagtailadmin/base.html").read_text()
    ours = re.sub(r"\{% comment %\}.*?\{% endcomment %\}\n", "", ours, flags=re.S)
    assert (
        ours.replace(" lutetia_admin_chrome %}", " %}").replace(
            "{% cached_sidebar_props %}", "{% sidebar_props %}"
        )
        == wagtails.read_text()
    )


def test_the_cached_sidebar_is_wagtails(client, agent):
    client.force_login(agent)
    built, cached = client.get(TRIAGE_URL), client.get(TRIAGE_URL)

    wagtails = sidebar_props({"request": request_for(agent)})
    assert SIDEBAR.search(built.content.decode()).group(0) == wagtails
    assert sidebar_of(cached) == sidebar_of(built)


def test_a_hit_runs_no_query(agent, django_assert_num_queries):
    request = request_for(agent)
    built = cached_sidebar_props({"request": request})

    with django_assert_num_queries(0):
        assert cached_sidebar_props({"request": request}) == built


def test_each_user_gets_their_own_sidebar(client, agent, administrator):
    client.force_login(administrator)
    services_url = reverse("lutetia_services")
    assert services_url in menu_urls(client.get(TRIAGE_URL))

    client.force_login(agent)
    urls = menu_urls(client.get(TRIAGE_URL))
    assert TRIAGE_URL in urls
    assert services_url not in urls


def test_the_sidebar_follows_the_language(client, agent):
    client.force_login(agent)
    french = sidebar_of(client.get(TRIAGE_URL))
    profile = UserProfile.get_for_user(agent)
    profile.preferred_language = "en"
    profile.save()

    english = sidebar_of(client.get(TRIAGE_URL))

    assert "Signalements à traiter" in json.loads(french).__repr__()
    assert "Reports to triage" in json.loads(english).__repr__()


def test_a_role_changed_changes_the_sidebar_at_once(client, agent, administrator, department):
    client.force_login(agent)
    services_url = reverse("lutetia_services")
    assert services_url not in menu_urls(client.get(TRIAGE_URL))

    actions.add_membership(
        user=agent, department=department, role=Role.ADMINISTRATOR, acting_user=administrator
    )
    assert services_url in menu_urls(client.get(TRIAGE_URL))

    actions.add_membership(
        user=agent, department=department, role=Role.AGENT, acting_user=administrator
    )
    assert services_url not in menu_urls(client.get(TRIAGE_URL))


def test_a_permission_taken_from_a_group_leaves_the_sidebar(client, agent):
    client.force_login(agent)
    assert TRIAGE_URL in menu_urls(client.get(reverse("wagtailadmin_home")))

    Group.objects.get(name=GROUP_NAMES[Role.AGENT]).permissions.remove(
        Permission.objects.get(codename="triage_report")
    )

    assert TRIAGE_URL not in menu_urls(client.get(reverse("wagtailadmin_home")))


def test_page_permissions_given_rebuild_the_sidebar(
    client, agent, django_capture_on_commit_callbacks
):
    client.force_login(agent)
    explorer = reverse("wagtailadmin_explore_root")
    group = Group.objects.get(name=GROUP_NAMES[Role.AGENT])
    GroupPagePermission.objects.filter(group=group).delete()
    assert explorer not in menu_urls(client.get(reverse("wagtailadmin_home")))

    with django_capture_on_commit_callbacks(execute=True):
        GroupPagePermission.objects.create(
            group=group, page=Page.get_first_root_node(), permission_type="change"
        )

    assert explorer in menu_urls(client.get(reverse("wagtailadmin_home")))


@pytest.fixture(autouse=True)
def _french():
    with translation.override("fr"):
        yield


def test_a_new_name_shows_at_once(client, agent):
    client.force_login(agent)
    client.get(TRIAGE_URL)
    agent.first_name = "Albertine"
    agent.save()

    assert "Albertine" in sidebar_of(client.get(TRIAGE_URL))
