"""The worker's daily check moves the slots forward once a day, whatever the number of workers."""

from lutetia.core.management.commands.worker import run_checks
from lutetia.services.appointments import actions


def test_slots_are_extended_once_a_day(db, monkeypatch):
    calls = []
    monkeypatch.setattr(actions, "extend_all", lambda: calls.append(1) or 3)
    assert actions.extend_slots_daily() == 3
    assert actions.extend_slots_daily() == 0
    run_checks()  # the manifest's worker_check: already done today
    assert calls == [1]
