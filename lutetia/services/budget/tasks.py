"""Background work of the participatory budget."""

from django_tasks import task

from lutetia.services.budget import actions
from lutetia.services.budget.models import Envelope


@task()
def compute_envelope_results(envelope_id: int) -> None:
    """Count an envelope (100,000 ballots take seconds: not in a web request)."""
    envelope = Envelope.objects.select_related("campaign").get(pk=envelope_id)
    actions.compute_results(envelope=envelope, acting_user=None)
