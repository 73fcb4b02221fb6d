"""A demand-processing workflow and sent demands, for the staff, workflow and export tests."""

import pytest

from lutetia.core.workflow.models import Action
from lutetia.services.procedures import actions
from tests.factories import add_action, make_workflow

ANSWERS = {
    "name": "Claire",
    "kind": "resident",
    "place": {
        "address": "Parvis Notre-Dame",
        "latitude": 48.853,
        "longitude": 2.3499,
        "district": "4",
        "district_name": "Hôtel-de-Ville",
    },
    "terms": True,
}
STATES = [  # code, initial, final
    ("recue", True, False),
    ("instruction", False, False),
    ("attente", False, False),
    ("accordee", False, True),
    ("refusee", False, True),
]


@pytest.fixture
def workflow(db):
    workflow = make_workflow("Instruction", STATES)
    add_action(
        workflow,
        "instruire",
        ["recue"],
        "instruction",
        tasks=[("assign", {"agent": "acting_user"})],
    )
    add_action(
        workflow,
        "demander",
        ["instruction"],
        "attente",
        tasks=[("ask_information", {"documents": "Justificatif"})],
        asks_comment=True,
    )
    add_action(
        workflow,
        "complete",
        ["attente"],
        "instruction",
        trigger=Action.Trigger.EVENT,
        event="information_received",
    )
    add_action(
        workflow,
        "accorder",
        ["instruction"],
        "accordee",
        tasks=[
            (
                "decision_pdf",
                {"title_fr": "Accord", "body_fr": "La demande {reference} est accordée."},
            ),
            ("notify", {"body_fr": "Votre demande {reference} : {state}"}),
        ],
    )
    add_action(workflow, "refuser", ["recue", "instruction"], "refusee", asks_comment=True)
    return workflow


@pytest.fixture
def procedure_form(make_form, districts, workflow):
    return make_form(workflow=workflow, max_answers_per_user=None)


@pytest.fixture
def send(procedure_form, django_capture_on_commit_callbacks):
    """Send a demand on the form as ``user`` with the usual answers (some overridden)."""

    def _send(user, **answers):
        draft = actions.start_draft(form=procedure_form, acting_user=user)
        draft.answers = {**ANSWERS, **answers}
        draft.step = len(procedure_form.published_version.definition["steps"])
        draft.save()
        with django_capture_on_commit_callbacks(execute=True):
            return actions.submit_demand(draft=draft, acting_user=user)

    return _send


@pytest.fixture
def many(procedure_form, resident):
    """``count`` demands written directly (fast), each started in the workflow."""
    from lutetia.core.workflow.actions import start_workflow
    from lutetia.services.procedures.models import Demand

    def _many(count, **fields):
        made = []
        for index in range(count):
            demand = Demand.objects.create(
                form=procedure_form,
                form_version=procedure_form.published_version,
                department=procedure_form.department,
                applicant=resident,
                contact_email=resident.email,
                answers={**ANSWERS, "name": f"Demandeur {index}"},
                reference=f"DEM-T-{Demand.objects.count() + 1:06d}",
                **fields,
            )
            start_workflow(resource=demand, workflow=procedure_form.workflow, acting_user=resident)
            made.append(demand)
        return made

    return _many
