"""Two staff members run conflicting actions at the same moment: only one wins (PostgreSQL)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from lutetia.core.workflow import actions, selectors
from lutetia.core.workflow.models import History
from tests.factories import add_action

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_conflicting_actions_on_one_resource(workflow, resource, resident, agent, manager):
    actions.start_workflow(resource=resource, workflow=workflow, acting_user=resident)
    accept = add_action(workflow, "accept", ["new"], "accepted")
    refuse = add_action(workflow, "refuse", ["new"], "refused")
    barrier = threading.Barrier(2)
    outcomes = []

    def attempt(action, user):
        barrier.wait()
        try:
            actions.run_action(resource=resource, action=action, acting_user=user)
            outcomes.append(action.code)
        except ValidationError:
            outcomes.append("refused: unavailable")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=attempt, args=(accept, agent)),
        threading.Thread(target=attempt, args=(refuse, manager)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes)[-1] == "refused: unavailable"
    winner = next(code for code in outcomes if code != "refused: unavailable")
    targets = {"accept": "accepted", "refuse": "refused"}
    assert selectors.instance_for(resource).state.code == targets[winner]
    assert History.objects.exclude(action=None).count() == 1
