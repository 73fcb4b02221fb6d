"""Concurrent ballots on PostgreSQL: one voter's racing submissions leave one ballot,
and concurrent voters are all counted. Each thread has its own database connection."""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from lutetia.services.budget import actions
from lutetia.services.budget.models import Ballot, BallotChoice
from tests.factories import UserFactory
from tests.services.budget.conftest import make_campaign, make_envelope

THREADS = 50  # PostgreSQL allows 100 connections by default; leave room for others

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        "connection.vendor == 'sqlite'",
        reason="SQLite locks the whole file: concurrent writers get 'database is locked' "
        "instead of racing, so the race cannot happen there; run on PostgreSQL.",
    ),
]


def run_concurrently(calls) -> tuple[list, float]:
    """Run every call at once in its own thread (and connection); outcomes and seconds."""

    def call(function):
        try:
            return function()
        except Exception as error:  # reported by the test
            return error
        finally:
            connections.close_all()

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        outcomes = list(pool.map(call, calls))
    return outcomes, time.perf_counter() - started


@pytest.fixture
def envelope():
    return make_envelope(make_campaign(), costs=(100, 200, 300, 400))


def test_racing_submissions_of_one_voter_leave_one_ballot(envelope):
    assert connection.vendor == "postgresql"
    voter = UserFactory(verification_level=2)
    projects = list(envelope.projects.order_by("pk"))

    def submit(index):
        return lambda: actions.cast_ballot(
            envelope=envelope, acting_user=voter, choices=[projects[index % 4]]
        )

    outcomes, seconds = run_concurrently([submit(i) for i in range(THREADS)])
    print(f"\n{THREADS} submissions of one voter: {seconds:.2f} s")
    assert [o for o in outcomes if isinstance(o, Exception)] == []
    assert Ballot.objects.count() == 1
    assert {o.pk for o in outcomes} == {Ballot.objects.get().pk}
    assert BallotChoice.objects.count() == 1  # the last change replaced the others


def test_concurrent_voters_are_all_counted(envelope):
    voters = [UserFactory(verification_level=2) for _ in range(THREADS)]
    first = envelope.projects.order_by("pk").first()

    def submit(voter):
        return lambda: actions.cast_ballot(envelope=envelope, acting_user=voter, choices=[first])

    outcomes, seconds = run_concurrently([submit(voter) for voter in voters])
    print(f"\n{THREADS} voters at once: {seconds:.2f} s")
    assert [o for o in outcomes if isinstance(o, Exception)] == []
    assert Ballot.objects.count() == THREADS
    assert set(Ballot.objects.values_list("voter", flat=True)) == {v.pk for v in voters}
    result = actions.compute_results(envelope=envelope)
    assert result.ballots == THREADS
    assert result.explanations[str(first.pk)]["score"] == THREADS
