"""The day-before reminder: deferred with run_after, sent once, stale after a change."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks import default_task_backend

from lutetia.services.appointments import actions, tasks

pytestmark = pytest.mark.django_db


@pytest.fixture
def deferring_backend(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    default_task_backend.clear()
    yield default_task_backend
    default_task_backend.clear()


def reminders(backend):
    return [r for r in backend.results if r.task.name == "send_reminder"]


def test_booking_schedules_the_reminder_the_day_before(
    deferring_backend, resident, make_slot, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        booking = actions.book(slot=make_slot(days=3), acting_user=resident)
    (scheduled,) = reminders(deferring_backend)
    assert scheduled.task.run_after == booking.slot.starts_at - tasks.REMINDER_BEFORE
    assert scheduled.args == [booking.pk, 0]


def test_reminder_is_sent_once(deferring_backend, resident, make_slot):
    booking = actions.book(slot=make_slot(days=3), acting_user=resident)
    assert tasks.send_reminder.call(booking.pk, 0) is True
    assert tasks.send_reminder.call(booking.pk, 0) is False
    assert len(mail.outbox) == 1 and "METHOD:REQUEST" in mail.outbox[0].attachments[0][1]
    booking.refresh_from_db()
    assert booking.reminded_at is not None


def test_a_moved_or_cancelled_booking_makes_the_reminder_stale(
    deferring_backend, resident, make_slot
):
    booking = actions.book(slot=make_slot(days=3), acting_user=resident)
    actions.reschedule(booking=booking, slot=make_slot(days=5), acting_user=resident)
    assert tasks.send_reminder.call(booking.pk, 0) is False  # the old time's reminder
    actions.cancel(booking=booking, acting_user=resident)
    assert tasks.send_reminder.call(booking.pk, booking.sequence) is False
    assert mail.outbox == []


def test_no_reminder_when_the_appointment_is_within_a_day(
    deferring_backend, resident, make_slot, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        actions.book(
            slot=make_slot(at=timezone.now() + timedelta(hours=5)),
            acting_user=resident,
        )
    assert reminders(deferring_backend) == []
