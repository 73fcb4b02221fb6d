"""Demands through their workflow: start on sending, information requests, decisions, closing."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.utils.translation import gettext

from lutetia.core.notifications.models import Notification
from lutetia.core.workflow import actions as engine
from lutetia.core.workflow import selectors
from lutetia.core.workflow.models import Action
from lutetia.services.procedures import actions
from lutetia.services.procedures.models import DemandFile, InformationRequest
from lutetia.services.procedures.workflow_tasks import DECISION_FIELD
from tests.services.procedures.workflow_fixtures import ANSWERS

pytestmark = pytest.mark.django_db


def run(demand, code, user, comment=""):
    action = Action.objects.get(code=code)
    return engine.run_action(resource=demand, action=action, acting_user=user, comment=comment)


def state_of(demand) -> str:
    return selectors.instance_for(demand).state.code


def test_a_sent_demand_starts_in_the_initial_state(send, resident):
    demand = send(resident)
    assert state_of(demand) == "recue"
    demand.workflow_instance = selectors.instance_for(demand)
    assert demand.status_label == "Recue"


def test_a_demand_of_a_form_without_workflow_has_none(make_form, districts, resident):
    plain = make_form(slug="sans-workflow")
    draft = actions.start_draft(form=plain, acting_user=resident)
    draft.answers = ANSWERS
    draft.step = len(plain.published_version.definition["steps"])
    draft.save()
    demand = actions.submit_demand(draft=draft, acting_user=resident)
    assert selectors.instance_for(demand) is None
    assert demand.status_label == gettext("Submitted")


def test_asking_information_then_the_answer_moves_the_demand_on(
    send, resident, agent, django_capture_on_commit_callbacks
):
    demand = send(resident)
    run(demand, "instruire", agent)
    with pytest.raises(ValidationError):
        run(demand, "demander", agent)  # the question is the comment
    with django_capture_on_commit_callbacks(execute=True):
        run(demand, "demander", agent, comment="Merci d'envoyer un justificatif de domicile.")
    assert state_of(demand) == "attente"
    question = InformationRequest.objects.get(demand=demand)
    assert question.requested_documents == "Justificatif"
    assert Notification.objects.filter(
        recipient=resident, kind="procedure_information_request"
    ).exists()
    actions.answer_information_request(
        information_request=question, answer="Voici.", uploads=[], acting_user=resident
    )
    assert state_of(demand) == "instruction"
    last = selectors.history_of(selectors.instance_for(demand)).last()
    assert (last.action.code, last.user) == ("complete", resident)


def test_granting_generates_a_decision_the_resident_downloads(
    client, send, resident, agent, django_capture_on_commit_callbacks
):
    demand = send(resident)
    run(demand, "instruire", agent)
    with django_capture_on_commit_callbacks(execute=True):
        run(demand, "accorder", agent)
    demand.refresh_from_db()
    assert demand.closed_at is not None
    decision = DemandFile.objects.get(demand=demand, field_code=DECISION_FIELD)
    with decision.file.open("rb") as stored:
        assert stored.read(5) == b"%PDF-"
    assert Notification.objects.get(recipient=resident, kind="message").body == (
        f"Votre demande {demand.reference} : Accordee"
    )
    client.force_login(resident)
    url = f"/demarches/mes-demarches/{demand.reference}/fichiers/{decision.pk}/"
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_a_failing_decision_leaves_no_file(send, resident, agent, monkeypatch):
    """The notification after the decision fails: the PDF already stored is deleted."""
    demand = send(resident)
    run(demand, "instruire", agent)

    def broken(*args, **kwargs):
        raise ValidationError("Modèle de message invalide.")

    monkeypatch.setattr("lutetia.core.workflow.core_tasks.notify", broken)
    with pytest.raises(ValidationError):
        run(demand, "accorder", agent)
    assert state_of(demand) == "instruction"
    assert not DemandFile.objects.filter(demand=demand).exists()
    assert default_storage.listdir(f"procedures/{demand.pk}")[1] == []


def test_a_refused_demand_is_closed(send, resident, agent):
    demand = send(resident)
    run(demand, "refuser", agent, comment="Hors périmètre.")
    demand.refresh_from_db()
    assert demand.closed_at is not None
    assert state_of(demand) == "refusee"


def test_the_resident_sees_the_workflow_state_as_status(client, send, resident, agent):
    demand = send(resident)
    run(demand, "instruire", agent)
    client.force_login(resident)
    assert "Instruction" in client.get("/demarches/mes-demarches/").content.decode()
    detail = client.get(f"/demarches/mes-demarches/{demand.reference}/").content.decode()
    assert "Instruction" in detail
