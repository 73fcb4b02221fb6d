"""The demo procedures: three forms with their workflows, loaded twice without duplicates."""

import pytest

from lutetia.accounts.models import VerificationLevel
from lutetia.core.demo import DemoContext
from lutetia.core.models import Role
from lutetia.core.registry import services
from lutetia.core.workflow import actions as engine
from lutetia.core.workflow import selectors
from lutetia.core.workflow.models import Action, Workflow
from lutetia.services.procedures import actions
from lutetia.services.procedures.demo import INSPECTION, PROCEDURES
from lutetia.services.procedures.models import DemandFile, Form
from tests.factories import DepartmentFactory, UserFactory, create_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def context(districts):
    departments = {
        code: DepartmentFactory(code=code, name=code) for code in ("voirie", "espaces-verts")
    }
    return DemoContext(
        administrator=create_staff(departments["voirie"], Role.ADMINISTRATOR),
        departments=departments,
        staff={code: create_staff(department) for code, department in departments.items()},
        residents=[UserFactory(verification_level=VerificationLevel.RESIDENT)],
    )


def load(context):
    manifest = services.get("procedures")
    manifest.resolve(manifest.demo_loader)(context)


def send(form, user, answers, **kwargs):
    draft = actions.start_draft(form=form, acting_user=user)
    draft.answers = answers
    draft.step = len(form.published_version.definition["steps"])
    draft.save()
    return actions.submit_demand(draft=draft, acting_user=user, **kwargs)


PLACE = {
    "address": "12 rue de Rivoli",
    "latitude": 48.8557,
    "longitude": 2.3592,
    "district": "4",
    "district_name": "Hôtel-de-Ville",
}


def test_demo_loads_three_procedures_with_workflows_once(context):
    load(context)
    load(context)
    assert Form.objects.count() == len(PROCEDURES) == 3
    assert Workflow.objects.count() == 3
    for form in Form.objects.select_related("workflow"):
        assert form.published_version is not None
        assert form.workflow.initial_state is not None
    assert context.staff["voirie"].memberships.filter(department__code=INSPECTION[0]).exists()


def test_a_tree_request_goes_through_its_workflow(context):
    load(context)
    form = Form.objects.get(slug="planter-un-arbre-devant-chez-moi")
    resident = context.residents[0]
    demand = send(form, resident, {"place": PLACE, "spot": "Trottoir", "why": "De l'ombre"})
    agent = context.staff["espaces-verts"]
    for code, comment in (("etudier", ""), ("planifier", "en novembre"), ("planter", "")):
        action = Action.objects.get(workflow=form.workflow, code=code)
        engine.run_action(resource=demand, action=action, acting_user=agent, comment=comment)
    demand.refresh_from_db()
    assert demand.closed_at is not None and demand.is_archived


def test_an_unsafe_building_is_routed_on_entry_and_a_safety_order_is_issued(context):
    load(context)
    form = Form.objects.get(slug="signaler-un-immeuble-dangereux")
    anonymous_answers = {"building": PLACE, "dangers": ["Fissures"], "details": "Fissure"}
    from django.contrib.auth.models import AnonymousUser

    demand = send(form, AnonymousUser(), anonymous_answers, contact_email="voisin@example.org")
    instance = selectors.instance_for(demand)
    assert (instance.state.code, instance.department.code) == ("a-visiter", INSPECTION[0])
    agent = context.staff["voirie"]  # also an inspection agent in the demo
    engine.run_action(
        resource=demand,
        action=Action.objects.get(workflow=form.workflow, code="programmer"),
        acting_user=agent,
    )
    order = Action.objects.get(workflow=form.workflow, code="ordonner")
    assert order not in selectors.available_actions(agent, demand, selectors.instance_for(demand))
    engine.run_action(
        resource=demand, action=order, acting_user=context.administrator, comment="Étayer."
    )
    assert DemandFile.objects.filter(demand=demand, content_type="application/pdf").exists()
