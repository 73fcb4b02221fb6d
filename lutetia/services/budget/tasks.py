"""Background work of the participatory budget.

Results are counted when the vote closes: saving a campaign (created, or its close moved)
schedules ``count_closed_vote`` for its ``voting_end`` with django-tasks' ``run_after``,
so any worker picks it up then, whichever app server saved the campaign and across
restarts (the task is a database row). ``catch_up``, the manifest's ``worker_check``, is
run by ``lutetia worker`` at start and every few minutes: it enqueues the count again for
any campaign whose vote closed without results (the task failed, was lost with a
restored database, or the backend could not defer it). Stale or repeated runs are
harmless: ``actions.count_closed_vote`` checks the count is still due, under a lock.
"""

from datetime import datetime

from django.utils import timezone
from django_tasks import task

from lutetia.services.budget import actions, selectors
from lutetia.services.budget.models import Envelope


@task()
def compute_envelope_results(envelope_id: int) -> None:
    """Count an envelope (100,000 ballots take seconds: not in a web request)."""
    envelope = Envelope.objects.select_related("campaign").get(pk=envelope_id)
    actions.compute_results(envelope=envelope, acting_user=None)


@task()
def count_closed_vote(campaign_id: int, voting_end: str) -> int:
    """Count a campaign whose vote closed at ``voting_end`` (ISO 8601); how many envelopes."""
    closed = datetime.fromisoformat(voting_end)
    return len(actions.count_closed_vote(campaign_id=campaign_id, voting_end=closed))


def schedule_count(campaign_id: int, voting_end: datetime) -> None:
    """Enqueue the count to run once ``voting_end`` has passed.

    A backend that cannot defer a task (the immediate one used by the tests) would run it
    at once, too early to count anything: the worker's check covers those.
    """
    if count_closed_vote.get_backend().supports_defer:
        count_closed_vote.using(run_after=voting_end).enqueue(campaign_id, voting_end.isoformat())


def catch_up() -> int:
    """Enqueue the count of every campaign whose vote closed without results; how many."""
    due = list(selectors.campaigns_awaiting_results(timezone.now()).values_list("pk", "voting_end"))
    for campaign_id, voting_end in due:
        count_closed_vote.enqueue(campaign_id, voting_end.isoformat())
    return len(due)
