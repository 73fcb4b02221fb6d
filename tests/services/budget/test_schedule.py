"""Results counted when the vote closes: the task scheduled by saving a campaign, the
worker's check for closes without results, stale or repeated runs, and no recount once
the results are published.

The scheduling tests use the database task backend and run ``lutetia worker --batch``
as production does; the clock is moved past the close by patching ``timezone.now``.
"""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult
from wagtail.models import ModelLogEntry

from lutetia.core.management.commands import worker
from lutetia.services.budget import actions, tasks
from lutetia.services.budget.models import Campaign, Result
from tests.services.budget.conftest import make_campaign, make_envelope

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

COUNT_TASK = "lutetia.services.budget.tasks.count_closed_vote"


@pytest.fixture
def database_tasks(settings, monkeypatch):
    """Tasks queued in the database and run by the worker, as in production."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    # The worker drops connections left inside a transaction, as the test's one is: keep it.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)


@pytest.fixture
def clock(monkeypatch):
    """``clock(moment)``: from now on, ``timezone.now()`` answers ``moment``."""

    def set_to(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return set_to


def run_worker() -> None:
    call_command("worker", batch=True, startup_delay=False, reload=False, verbosity=0)


def new_campaign(django_capture_on_commit_callbacks, **dates) -> Campaign:
    """A campaign created through the action (voting ahead), its callbacks run."""
    now = timezone.now()
    fields = {
        "name": "Budget 2027",
        "slug": "bp-2027",
        "ideas_start": now - timedelta(days=60),
        "ideas_end": now - timedelta(days=40),
        "review_end": now - timedelta(days=20),
        "voting_start": now + timedelta(days=1),
        "voting_end": now + timedelta(days=15),
        **dates,
    }
    with django_capture_on_commit_callbacks(execute=True):
        return actions.save_campaign(campaign=Campaign(**fields), acting_user=None)


def open_vote_with_a_ballot(campaign, voter):
    """Open the vote (stored directly: the close stays as scheduled) and cast one ballot."""
    Campaign.objects.filter(pk=campaign.pk).update(voting_start=timezone.now() - timedelta(hours=1))
    campaign.refresh_from_db()
    envelope = make_envelope(campaign)
    actions.cast_ballot(envelope=envelope, acting_user=voter, choices=[envelope.projects.first()])
    return envelope


def counted() -> int:
    return ModelLogEntry.objects.filter(action="lutetia.budget.results_computed").count()


def close(campaign, *, published=False) -> Campaign:
    """The vote closed a minute ago (stored directly)."""
    now = timezone.now()
    Campaign.objects.filter(pk=campaign.pk).update(
        voting_start=now - timedelta(days=14),
        voting_end=now - timedelta(minutes=1),
        results_published_at=now if published else None,
    )
    campaign.refresh_from_db()
    return campaign


# --- the task scheduled for the close ---------------------------------------------------------


def test_a_new_campaign_schedules_its_count_at_the_close(
    database_tasks, django_capture_on_commit_callbacks
):
    campaign = new_campaign(django_capture_on_commit_callbacks)
    task = DBTaskResult.objects.get(task_path=COUNT_TASK)
    assert task.run_after == campaign.voting_end
    assert task.args_kwargs["args"] == [campaign.pk, campaign.voting_end.isoformat()]


def test_the_worker_counts_the_vote_once_it_has_closed(
    database_tasks, clock, voter, django_capture_on_commit_callbacks
):
    campaign = new_campaign(django_capture_on_commit_callbacks)
    envelope = open_vote_with_a_ballot(campaign, voter)
    run_worker()
    assert not Result.objects.exists()  # not due yet: the task waits

    clock(campaign.voting_end + timedelta(seconds=1))
    run_worker()  # its start-up check enqueues the same count again: counted once
    result = Result.objects.get(envelope=envelope)
    assert result.ballots == 1 and result.computed_at > campaign.voting_end
    assert counted() == 1
    statuses = set(DBTaskResult.objects.values_list("status", flat=True))
    assert statuses == {"SUCCESSFUL"}


def test_a_moved_close_leaves_the_first_task_harmless(
    database_tasks, clock, voter, django_capture_on_commit_callbacks
):
    campaign = new_campaign(django_capture_on_commit_callbacks)
    first_end = campaign.voting_end
    campaign.voting_end = first_end + timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        actions.save_campaign(campaign=campaign, acting_user=None)
    assert DBTaskResult.objects.filter(task_path=COUNT_TASK).count() == 2
    envelope = open_vote_with_a_ballot(campaign, voter)

    clock(first_end + timedelta(seconds=1))  # the old close: voting is still open
    run_worker()
    assert not Result.objects.exists()
    assert DBTaskResult.objects.get(run_after=first_end).status == "SUCCESSFUL"

    clock(campaign.voting_end + timedelta(seconds=1))
    run_worker()
    assert Result.objects.get(envelope=envelope).ballots == 1


def test_saving_without_moving_the_close_schedules_nothing_more(
    database_tasks, django_capture_on_commit_callbacks
):
    campaign = new_campaign(django_capture_on_commit_callbacks)
    campaign.name = "Budget 2027, renamed"
    with django_capture_on_commit_callbacks(execute=True):
        actions.save_campaign(campaign=campaign, acting_user=None)
    assert DBTaskResult.objects.filter(task_path=COUNT_TASK).count() == 1


def test_a_backend_that_cannot_defer_is_left_to_the_worker_check(
    django_capture_on_commit_callbacks,
):
    # The immediate backend of the tests would run the count at once, before the close.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        campaign = new_campaign(django_capture_on_commit_callbacks)
        make_envelope(campaign)
    assert len(callbacks) == 1  # the scheduling ran, and did not fail
    assert not Result.objects.exists()


# --- stale and repeated runs ----------------------------------------------------------------


def test_stale_runs_count_nothing(voter):
    campaign = make_campaign()
    envelope = make_envelope(campaign)
    end = campaign.voting_end

    assert actions.count_closed_vote(campaign_id=campaign.pk, voting_end=end) == []  # open
    campaign = close(campaign)
    end = campaign.voting_end
    assert actions.count_closed_vote(campaign_id=campaign.pk, voting_end=end - timedelta(1)) == []
    assert actions.count_closed_vote(campaign_id=0, voting_end=end) == []

    [result] = actions.count_closed_vote(campaign_id=campaign.pk, voting_end=end)
    assert result.envelope == envelope
    assert actions.count_closed_vote(campaign_id=campaign.pk, voting_end=end) == []  # counted
    assert counted() == 1


def test_only_envelopes_without_a_count_after_the_close_are_counted():
    campaign = close(make_campaign())
    counted_early = make_envelope(campaign, name="Counted during the vote")
    actions.compute_results(envelope=counted_early)
    Result.objects.update(computed_at=campaign.voting_end - timedelta(hours=1))
    counted_after = make_envelope(campaign, name="Counted after the close")
    kept = actions.compute_results(envelope=counted_after)

    results = actions.count_closed_vote(campaign_id=campaign.pk, voting_end=campaign.voting_end)
    assert [r.envelope for r in results] == [counted_early]
    assert Result.objects.get(envelope=counted_after).computed_at == kept.computed_at


# --- the worker's check -----------------------------------------------------------------------


def test_the_worker_check_counts_closes_without_results(database_tasks):
    forgotten = make_envelope(close(make_campaign(slug="forgotten"))).campaign
    published = close(make_campaign(slug="published"), published=True)
    make_envelope(published)
    still_open = make_campaign(slug="open")
    make_envelope(still_open)

    run_worker()

    assert list(Result.objects.values_list("envelope__campaign", flat=True)) == [forgotten.pk]
    assert tasks.catch_up() == 0  # nothing left to count: no task enqueued
    assert DBTaskResult.objects.filter(task_path=COUNT_TASK).count() == 1


def test_a_failing_check_does_not_stop_the_others(monkeypatch, caplog):
    ran = []

    def failing():
        raise RuntimeError("broken")

    checks = [(type("Manifest", (), {"slug": "broken"}), failing), (None, lambda: ran.append(1))]
    monkeypatch.setattr(worker.services, "callables", lambda attribute: checks)
    worker.run_checks()
    assert ran == [1]
    assert "The worker check of broken failed." in caplog.text


# --- no recount once published --------------------------------------------------------------


@pytest.fixture
def published(voter):
    """A closed campaign whose counted results are published."""
    envelope = make_envelope(make_campaign())
    actions.cast_ballot(envelope=envelope, acting_user=voter, choices=[envelope.projects.first()])
    campaign = close(envelope.campaign)
    actions.compute_results(envelope=envelope)
    actions.publish_results(campaign=campaign, acting_user=None)
    envelope.refresh_from_db()
    return envelope


REFUSED = "The results of this campaign are published: they are final"


def test_a_recount_after_publication_is_refused(published):
    before = Result.objects.get(envelope=published)
    with pytest.raises(ValidationError, match=REFUSED) as refused:
        actions.compute_results(envelope=published)
    assert refused.value.code == "published"
    assert Result.objects.get(envelope=published).computed_at == before.computed_at
    with pytest.raises(ValidationError) as refused:
        actions.request_results(campaign=published.campaign, acting_user=None)
    assert refused.value.code == "published"
    assert not ModelLogEntry.objects.filter(action="lutetia.budget.results_requested").exists()


def test_the_back_office_says_why_it_does_not_recount(client, administrator, published):
    client.force_login(administrator)
    campaign = published.campaign
    edit = client.get(reverse("budget_campaigns:edit", args=[campaign.pk])).content.decode()
    assert reverse("budget_campaigns:compute", args=[campaign.pk]) not in edit
    response = client.post(reverse("budget_campaigns:compute", args=[campaign.pk]), follow=True)
    assert REFUSED in response.content.decode()


def test_the_command_refuses_a_recount(published):
    with pytest.raises(CommandError, match=REFUSED):
        call_command("pb", "results", published.campaign.slug, stdout=StringIO())
