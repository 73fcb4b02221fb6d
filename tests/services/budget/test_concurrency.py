"""Concurrent ballots through ``actions.cast_ballot``, as the issue demands: 100 submissions
of one voter at once leave exactly one ballot, and 100 voters at once are all counted.

Each submission runs in its own thread; a barrier releases the 100 together. As behind an
app server's connection pool, a bounded number of them hold a database connection at once
(opened for the submission, closed after): PostgreSQL here allows 100 connections in all,
shared with other test runs, so 40 race inside the database while the rest queue for a
connection, as requests do in production. SQLite has one writer at a time and its
in-memory test database refuses a second one instead of waiting: there the submissions
take the database in turn, which still checks that interleaved threads leave one ballot
per voter and lose none.
"""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from lutetia.services.budget import actions
from lutetia.services.budget.models import Ballot, BallotChoice
from tests.factories import UserFactory
from tests.services.budget.conftest import make_campaign, make_envelope

SUBMISSIONS = 100
POSTGRESQL_CONNECTIONS = 40

pytestmark = pytest.mark.django_db(transaction=True)


class Gate:
    """At most ``size`` callers inside at once; remembers the most that were."""

    def __init__(self, size: int):
        self._slots = threading.BoundedSemaphore(size)
        self._lock = threading.Lock()
        self.inside = 0
        self.peak = 0

    def __enter__(self):
        self._slots.acquire()
        with self._lock:
            self.inside += 1
            self.peak = max(self.peak, self.inside)

    def __exit__(self, *exc_info):
        with self._lock:
            self.inside -= 1
        self._slots.release()


def run_concurrently(calls) -> tuple[list, float, int]:
    """Release every call at once, each in its own thread and connection.

    Returns the outcomes (value or exception), the seconds taken and the most calls that
    held a database connection at the same time.
    """
    size = POSTGRESQL_CONNECTIONS if connection.vendor == "postgresql" else 1
    barrier = threading.Barrier(len(calls))
    gate = Gate(size)

    def call(function):
        barrier.wait()
        with gate:
            try:
                return function()
            except Exception as error:  # reported by the test
                return error
            finally:
                connections.close_all()

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        outcomes = list(pool.map(call, calls))
    return outcomes, time.perf_counter() - started, gate.peak


@pytest.fixture
def envelope():
    return make_envelope(make_campaign(), costs=(100, 200, 300, 400))


def test_racing_submissions_of_one_voter_leave_one_ballot(envelope):
    voter = UserFactory(verification_level=2)
    projects = list(envelope.projects.order_by("pk"))

    def submit(index):
        return lambda: actions.cast_ballot(
            envelope=envelope, acting_user=voter, choices=[projects[index % 4]]
        )

    outcomes, seconds, peak = run_concurrently([submit(i) for i in range(SUBMISSIONS)])
    print(f"\n{SUBMISSIONS} submissions of one voter, {peak} at once: {seconds:.2f} s")
    assert [o for o in outcomes if isinstance(o, Exception)] == []
    assert Ballot.objects.count() == 1
    assert {o.pk for o in outcomes} == {Ballot.objects.get().pk}
    assert BallotChoice.objects.count() == 1  # the last change replaced the others
    if connection.vendor == "postgresql":
        assert peak > 1  # they did race inside the database


def test_concurrent_voters_are_all_counted(envelope):
    voters = [UserFactory(verification_level=2) for _ in range(SUBMISSIONS)]
    first = envelope.projects.order_by("pk").first()

    def submit(voter):
        return lambda: actions.cast_ballot(envelope=envelope, acting_user=voter, choices=[first])

    outcomes, seconds, peak = run_concurrently([submit(voter) for voter in voters])
    print(f"\n{SUBMISSIONS} voters, {peak} at once: {seconds:.2f} s")
    assert [o for o in outcomes if isinstance(o, Exception)] == []
    assert Ballot.objects.count() == SUBMISSIONS
    assert set(Ballot.objects.values_list("voter", flat=True)) == {v.pk for v in voters}
    result = actions.compute_results(envelope=envelope)
    assert result.ballots == SUBMISSIONS
    assert result.explanations[str(first.pk)]["score"] == SUBMISSIONS
    if connection.vendor == "postgresql":
        assert peak > 1
