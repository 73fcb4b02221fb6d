import pytest
from django.urls import reverse

from lutetia.core.models import Role
from lutetia.services.contact.models import ContactRequest, Topic
from tests.factories import UserFactory, create_staff

pytestmark = pytest.mark.django_db

INDEX = "/admin/contact/requests/"


def assert_refused(response):
    """Wagtail turns PermissionDenied into a redirect to the dashboard with an error."""
    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_home")


def test_staff_list_shows_only_their_departments(client, agent, submit, other_topic):
    mine = submit(subject="Chez nous")
    theirs = submit(topic=other_topic, subject="Chez les autres")
    client.force_login(agent)
    content = client.get(INDEX).content.decode()
    assert mine.reference in content
    assert theirs.reference not in content


def test_staff_list_filters_and_searches(client, agent, submit):
    first = submit(subject="Premier")
    second = submit(subject="Second")
    client.force_login(agent)
    found = client.get(INDEX, {"q": first.reference}).content.decode()
    assert first.reference in found
    assert second.reference not in found
    second.status = ContactRequest.Status.CLOSED
    second.save()
    closed = client.get(INDEX, {"status": "closed"}).content.decode()
    assert second.reference in closed
    assert first.reference not in closed


def test_staff_list_query_count_does_not_grow(client, agent, submit, django_assert_max_num_queries):
    submit()
    client.force_login(agent)
    client.get(INDEX)  # warm the caches (content types, site settings)
    with django_assert_max_num_queries(30) as few:
        client.get(INDEX)
    for index in range(10):
        submit(subject=f"Demande {index}", contact_email=f"r{index}@example.org")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(INDEX).status_code == 200


def test_agent_of_another_department_is_refused(client, other_agent, submit):
    request = submit()
    client.force_login(other_agent)
    assert_refused(client.get(reverse("contact_requests:edit", args=[request.pk])))
    response = client.post(
        reverse("contact_requests:edit", args=[request.pk]),
        {"form": "reply", "reply-body": "Intrusion"},
    )
    assert_refused(response)
    assert not request.messages.exists()


def test_resident_cannot_open_the_inbox(client, resident):
    client.force_login(resident)
    response = client.get(INDEX)
    assert response.status_code in (302, 403)


def test_agent_replies_and_changes_status_from_the_detail_page(client, agent, submit):
    request = submit()
    url = reverse("contact_requests:edit", args=[request.pk])
    client.force_login(agent)
    page = client.get(url).content.decode()
    assert request.message in page
    assert 'name="reassign-department"' not in page  # agents do not re-route
    response = client.post(url, {"form": "reply", "reply-body": "C'est fait."})
    assert response.status_code == 302
    assert request.messages.get().body == "C'est fait."
    client.post(url, {"form": "reply", "reply-body": "Vu sur place.", "reply-internal": "on"})
    assert request.messages.get(is_internal=True).body == "Vu sur place."
    assert "Vu sur place." in client.get(url).content.decode()
    client.post(url, {"form": "status", "status-status": "closed"})
    request.refresh_from_db()
    assert request.status == ContactRequest.Status.CLOSED
    response = client.post(url, {"form": "reassign", "reassign-department": request.department_id})
    assert_refused(response)


def test_bad_reply_reshows_the_page(client, agent, submit):
    request = submit()
    client.force_login(agent)
    response = client.post(
        reverse("contact_requests:edit", args=[request.pk]), {"form": "reply", "reply-body": ""}
    )
    assert response.status_code == 200
    assert not request.messages.exists()


def test_manager_reassigns(client, manager, submit, other_department):
    request = submit()
    client.force_login(manager)
    url = reverse("contact_requests:edit", args=[request.pk])
    client.post(url, {"form": "reassign", "reassign-department": other_department.pk})
    request.refresh_from_db()
    assert request.department == other_department


def test_manager_manages_topics_of_their_department_only(
    client, manager, department, other_department, other_topic
):
    client.force_login(manager)
    other_edit_url = f"/admin/contact/topics/edit/{other_topic.pk}/"
    assert other_edit_url not in client.get("/admin/contact/topics/").content.decode()
    fields = {"name_fr": "Graffitis", "name_en": "Graffiti", "is_active": "on", "order": 1}
    response = client.post(
        "/admin/contact/topics/new/", {**fields, "department": other_department.pk}
    )
    assert response.status_code == 200  # not a choice for this manager
    assert not Topic.objects.filter(name_fr="Graffitis").exists()
    client.post("/admin/contact/topics/new/", {**fields, "department": department.pk})
    assert Topic.objects.get(name_fr="Graffitis").department == department
    assert_refused(client.get(other_edit_url))


def test_agents_do_not_manage_topics(client, agent, topic):
    client.force_login(agent)
    assert client.get("/admin/contact/topics/new/").status_code in (302, 403)


def test_administrator_deletes_an_unused_topic(client, department, topic):
    administrator = create_staff(department, Role.ADMINISTRATOR)
    client.force_login(administrator)
    client.post(f"/admin/contact/topics/delete/{topic.pk}/")
    assert not Topic.objects.exists()


def test_used_topic_is_kept(client, department, topic, submit):
    submit()
    administrator = create_staff(department, Role.ADMINISTRATOR)
    client.force_login(administrator)
    client.post(f"/admin/contact/topics/delete/{topic.pk}/")
    assert Topic.objects.filter(pk=topic.pk).exists()


def test_menu_entries_follow_permissions(client, agent):
    client.force_login(agent)
    home = client.get("/admin/").content.decode()
    assert INDEX in home
    client.force_login(UserFactory(is_staff=True))
    assert client.get("/admin/").status_code in (302, 403)
