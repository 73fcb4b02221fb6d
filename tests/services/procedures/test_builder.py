"""The form builder: saving, checking and publishing definitions; versions stay immutable."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from wagtail.models import ModelLogEntry

from lutetia.services.procedures import actions
from lutetia.services.procedures.models import Demand, Draft, FormVersion
from tests.factories import DepartmentFactory, create_staff
from tests.services.procedures.conftest import TREE_STEPS, field, step, when

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_publishing_freezes_the_definition_into_a_version(tree_form, manager):
    version = tree_form.published_version
    assert version.number == 1
    assert version.published_by == manager
    steps = version.definition["steps"]
    assert [s["title"] for s in steps] == ["Vous", "Le lieu", "Copropriété", "Conditions"]
    assert steps[0]["fields"][0] == {
        "type": "text",
        "code": "name",
        "label": "Your name",
        "help_text": "",
        "required": True,
        "condition": None,
        "max_length": 50,
    }
    assert steps[2]["condition"] == {"field": "kind", "operator": "equals", "value": "building"}
    assert steps[3]["fields"][0]["terms"] == "Le terrain reste public."
    actions_logged = set(ModelLogEntry.objects.values_list("action", flat=True))
    assert {
        "lutetia.procedures.form_created",
        "lutetia.procedures.form_published",
    } <= actions_logged


def test_publishing_again_creates_the_next_version(tree_form, manager):
    tree_form.steps = [step("Unique", field("text", "name"))]
    actions.save_form(form=tree_form, acting_user=manager)
    version = actions.publish_form(form=tree_form, acting_user=manager)
    assert version.number == 2
    tree_form.refresh_from_db()
    assert tree_form.published_version == version
    assert FormVersion.objects.get(number=1).definition["steps"][0]["title"] == "Vous"


def test_editing_after_publishing_leaves_answers_and_drafts_on_their_version(
    tree_form, manager, resident
):
    draft = actions.start_draft(form=tree_form, acting_user=resident)
    demand = Demand.objects.create(
        form=tree_form,
        form_version=tree_form.published_version,
        department=tree_form.department,
        applicant=resident,
        answers={"name": "Claire"},
    )
    tree_form.steps = [step("Autre", field("number", "count", min_value="1"))]
    actions.save_form(form=tree_form, acting_user=manager)
    assert tree_form.published_version.number == 1  # saving alone publishes nothing
    actions.publish_form(form=tree_form, acting_user=manager)
    demand.refresh_from_db()
    draft.refresh_from_db()
    assert demand.form_version.number == 1
    assert demand.form_version.definition["steps"][0]["title"] == "Vous"
    assert draft.form_version.number == 1
    assert Draft.objects.get().form_version.definition["steps"][0]["fields"][0]["code"] == "name"


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ([], "at least one step"),
        ([step("A", field("text", "name")), step("B", field("text", "name"))], "name"),
        ([step("A", field("text", "a", condition=when("b", "x")), field("text", "b"))], "b"),
        ([step("A", field("text", "a"), condition=when("a", "x"))], "a"),
    ],
)
def test_inconsistent_definitions_are_not_published(make_form, manager, steps, message):
    form = make_form(steps=steps, publish=False)
    with pytest.raises(ValidationError) as error:
        actions.publish_form(form=form, acting_user=manager)
    assert message in " ".join(error.value.messages)
    assert not FormVersion.objects.exists()


def test_only_managers_of_the_department_build_its_forms(tree_form, agent):
    other_manager = create_staff(DepartmentFactory(code="voirie"), role="manager")
    for user in (agent, other_manager):
        with pytest.raises(PermissionDenied):
            actions.publish_form(form=tree_form, acting_user=user)
        with pytest.raises(PermissionDenied):
            actions.save_form(form=tree_form, acting_user=user)


def test_answered_forms_cannot_be_deleted(tree_form, resident, department):
    admin = create_staff(department, role="administrator")
    Demand.objects.create(
        form=tree_form,
        form_version=tree_form.published_version,
        department=department,
        applicant=resident,
    )
    with pytest.raises(ValidationError):
        actions.delete_form(form=tree_form, acting_user=admin)


def test_unanswered_forms_can_be_deleted(tree_form, department):
    admin = create_staff(department, role="administrator")
    actions.delete_form(form=tree_form, acting_user=admin)
    assert not FormVersion.objects.exists()


class TestBackOffice:
    def test_list_is_scoped_to_departments(self, client, tree_form, make_form):
        other = create_staff(DepartmentFactory(code="voirie"), role="manager")
        client.force_login(other)
        response = client.get("/admin/procedures/forms/")
        assert response.status_code == 200
        assert "Planter un arbre" not in response.content.decode()

    def test_edit_page_shows_the_builder(self, client, tree_form, manager):
        client.force_login(manager)
        response = client.get(f"/admin/procedures/forms/edit/{tree_form.pk}/")
        assert response.status_code == 200
        assert f"/admin/procedures/forms/{tree_form.pk}/preview/" in response.content.decode()

    def test_preview_renders_every_field_and_publishes(self, client, tree_form, manager):
        tree_form.steps = [*TREE_STEPS, step("Contact", field("phone", "phone"))]
        actions.save_form(form=tree_form, acting_user=manager)
        client.force_login(manager)
        url = f"/admin/procedures/forms/{tree_form.pk}/preview/"
        page = client.get(url).content.decode()
        for name in ("0-name", "0-kind", "1-place_latitude", "2-consent", "3-terms", "4-phone"):
            assert f'name="preview-{name}"' in page
        response = client.post(url, {"form": "publish"})
        assert response.status_code == 302
        tree_form.refresh_from_db()
        assert tree_form.published_version.number == 2

    def test_agents_see_the_preview_without_the_publish_button(self, client, tree_form, agent):
        client.force_login(agent)
        url = f"/admin/procedures/forms/{tree_form.pk}/preview/"
        assert 'value="publish"' not in client.get(url).content.decode()
        client.post(url, {"form": "publish"})  # refused: Wagtail redirects with a message
        assert FormVersion.objects.count() == 1
