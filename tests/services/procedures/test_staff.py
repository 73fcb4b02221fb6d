"""The staff screens: a form's demands (filters, columns, pages, bulk actions) and a demand."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from lutetia.core.districts.models import District
from lutetia.core.workflow import selectors
from lutetia.core.workflow.actions import run_action
from lutetia.core.workflow.models import Action, ListPreference
from lutetia.services.procedures.models import Message
from tests.factories import DepartmentFactory, create_staff

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def list_url(procedure_form):
    return reverse("procedure_demands:list", args=[procedure_form.pk])


def refused(response) -> bool:
    """Wagtail turns PermissionDenied into a redirect to the dashboard."""
    return response.status_code == 302 and response.url == reverse("wagtailadmin_home")


def listed(client, procedure_form, **query) -> str:
    response = client.get(list_url(procedure_form), query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_index_lists_the_forms_of_my_departments(client, agent, procedure_form, many):
    many(2)
    client.force_login(agent)
    page = client.get(reverse("procedure_demands:index")).content.decode()
    assert procedure_form.title in page
    other = create_staff(DepartmentFactory(code="voirie"))
    client.force_login(other)
    assert (
        procedure_form.title not in client.get(reverse("procedure_demands:index")).content.decode()
    )
    assert refused(client.get(list_url(procedure_form)))


def test_residents_cannot_open_the_lists(client, resident, procedure_form):
    client.force_login(resident)
    assert client.get(list_url(procedure_form)).status_code in (302, 403)


def test_filters_by_state_date_district_assignee_and_answer(client, agent, procedure_form, many):
    first, second, third = many(3)
    run_action(resource=second, action=Action.objects.get(code="instruire"), acting_user=agent)
    old = timezone.now() - datetime.timedelta(days=30)
    type(third).objects.filter(pk=third.pk).update(submitted_at=old)
    district = District.objects.get(code="4")
    type(first).objects.filter(pk=first.pk).update(
        district=district, answers={**first.answers, "name": "Zoé Lefèvre"}
    )
    client.force_login(agent)
    instruction = str(procedure_form.workflow.states.get(code="instruction").pk)

    def refs(**query):
        page = listed(client, procedure_form, **query)
        return {d.reference for d in (first, second, third) if d.reference in page}

    assert refs() == {first.reference, second.reference, third.reference}
    assert refs(state=instruction) == {second.reference}
    assert refs(sent_until=(old + datetime.timedelta(days=1)).date().isoformat()) == {
        third.reference
    }
    assert refs(sent_from=timezone.localdate().isoformat()) == {first.reference, second.reference}
    assert refs(district=district.pk) == {first.reference}
    assert refs(assignee="me") == {second.reference}
    assert refs(assignee="none") == {first.reference, third.reference}
    assert refs(question="name", answer="zoé") == {first.reference}


def test_an_answer_search_without_its_question_is_explained(client, agent, procedure_form):
    client.force_login(agent)
    page = listed(client, procedure_form, answer="Zoé")
    assert "Choose the question whose answer to search." in page


def test_columns_are_saved_per_staff_member(client, agent, department, procedure_form, many):
    many(1)
    client.force_login(agent)
    response = client.post(
        list_url(procedure_form),
        {"form": "columns", "columns": ["reference", "answer:name", "applicant"]},
    )
    assert response.status_code == 302
    page = listed(client, procedure_form)
    assert "Demandeur 0" in page
    assert ListPreference.objects.get(user=agent).columns == [
        "reference",
        "answer:name",
        "applicant",
    ]
    colleague = create_staff(department)
    client.force_login(colleague)
    assert "Demandeur 0" not in listed(client, procedure_form)


def test_unknown_columns_are_refused(client, agent, procedure_form):
    client.force_login(agent)
    response = client.post(
        list_url(procedure_form), {"form": "columns", "columns": ["answers__secret"]}
    )
    assert response.status_code == 200
    assert not ListPreference.objects.exists()


def test_the_list_pages_with_a_bounded_number_of_queries(
    client, agent, procedure_form, many, django_assert_max_num_queries
):
    many(120)
    client.force_login(agent)
    client.post(
        list_url(procedure_form),
        {"form": "columns", "columns": ["reference", "state", "assignee", "answer:place"]},
    )
    listed(client, procedure_form)  # warm the caches (content types, site settings)
    for size in ("25", "100"):
        with django_assert_max_num_queries(20):
            page = listed(client, procedure_form, per_page=size, state=[], assignee="", p="2")
        assert page.count('name="demands"') == (25 if size == "25" else 20)


def test_bulk_action_reports_each_demand(client, agent, procedure_form, many):
    first, second = many(2)
    run_action(resource=second, action=Action.objects.get(code="instruire"), acting_user=agent)
    client.force_login(agent)
    instruire = Action.objects.get(code="instruire")
    response = client.post(
        list_url(procedure_form),
        {"form": "bulk", "action": instruire.pk, "demands": [first.pk, second.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "1 demand processed." in page
    assert second.reference in page  # named with its reason
    assert selectors.instance_for(first).state.code == "instruction"


def test_bulk_needs_ticked_demands_of_this_form(client, agent, procedure_form):
    client.force_login(agent)
    instruire = Action.objects.get(code="instruire")
    response = client.post(list_url(procedure_form), {"form": "bulk", "action": instruire.pk})
    assert "Tick the demands to act on." in response.content.decode()


def test_demand_page_shows_answers_history_and_runs_actions(client, agent, send, resident):
    demand = send(resident)
    url = reverse("procedure_demands:detail", args=[demand.pk])
    client.force_login(agent)
    page = client.get(url).content.decode()
    assert "Claire" in page and "Parvis Notre-Dame" in page
    assert "Instruire" in page  # the action available
    instruire = Action.objects.get(code="instruire")
    response = client.post(url, {"form": "run", "run-action": instruire.pk, "run-comment": "Vu"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Vu" in page
    assert selectors.instance_for(demand).assignee == agent


def test_a_refused_action_shows_its_message_on_the_form(client, agent, send, resident):
    demand = send(resident)
    url = reverse("procedure_demands:detail", args=[demand.pk])
    client.force_login(agent)
    refuser = Action.objects.get(code="refuser")
    response = client.post(url, {"form": "run", "run-action": refuser.pk, "run-comment": ""})
    assert response.status_code == 200
    assert "This action needs a comment." in response.content.decode()
    assert selectors.instance_for(demand).state.code == "recue"


def test_staff_write_to_the_applicant_and_add_internal_notes(client, agent, send, resident):
    demand = send(resident)
    url = reverse("procedure_demands:detail", args=[demand.pk])
    client.force_login(agent)
    client.post(url, {"form": "message", "message-body": "Note", "message-internal": "on"})
    assert Message.objects.get(demand=demand).is_internal


def test_staff_of_another_department_cannot_open_a_demand_or_its_files(client, send, resident):
    demand = send(resident)
    other = create_staff(DepartmentFactory(code="voirie"))
    client.force_login(other)
    assert refused(client.get(reverse("procedure_demands:detail", args=[demand.pk])))
    response = client.post(
        reverse("procedure_demands:detail", args=[demand.pk]),
        {"form": "run", "run-action": Action.objects.get(code="instruire").pk},
    )
    assert refused(response)
    assert selectors.instance_for(demand).state.code == "recue"


def test_a_long_list_is_counted_up_to_a_cap(client, agent, procedure_form, many, monkeypatch):
    monkeypatch.setattr("lutetia.services.procedures.staff_views.COUNT_CAP", 2)
    many(3)
    client.force_login(agent)
    page = listed(client, procedure_form)
    assert "More than 2 demands" in page
    assert page.count('name="demands"') == 3
