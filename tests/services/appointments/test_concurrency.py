"""Many app servers booking the same slots at once: the database keeps the counts exact."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from lutetia.services.appointments import actions
from lutetia.services.appointments.models import AppointmentType, Booking, Slot
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="real concurrent writers need PostgreSQL"
    ),
]


def test_100_concurrent_bookings_on_20_places_give_exactly_20(settings, make_slot):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    slot = make_slot(capacity=20)
    residents = [UserFactory() for _ in range(100)]

    def attempt(resident):
        try:
            actions.book(slot=Slot.objects.get(pk=slot.pk), acting_user=resident)
            return "booked"
        except actions.SlotUnavailable:
            return "unavailable"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(attempt, residents))
    slot.refresh_from_db()
    assert outcomes.count("booked") == 20
    assert outcomes.count("unavailable") == 80
    assert slot.booked == 20
    assert Booking.objects.filter(slot=slot).count() == 20


def test_concurrent_overlapping_spans_never_exceed_capacity(settings, make_slot, service):
    """45-minute bookings from 10:00 or 10:15 on 15-minute slots of 5 places: every one
    needs 10:15 and 10:30, so exactly 5 succeed, each slot counts the spans covering it,
    and the rows locked in start order make writers queue rather than deadlock."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    family = AppointmentType.objects.create(service=service, name_fr="Famille", duration_minutes=45)
    slots = [make_slot(minutes=15 * index, capacity=5) for index in range(4)]
    residents = [UserFactory() for _ in range(60)]

    def attempt(index_and_resident):
        index, resident = index_and_resident
        try:
            actions.book(
                slot=Slot.objects.get(pk=slots[index % 2].pk),
                acting_user=resident,
                appointment_type=family,
            )
            return "booked"
        except actions.SlotUnavailable:
            return "unavailable"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(attempt, enumerate(residents)))
    assert outcomes.count("booked") == 5 and outcomes.count("unavailable") == 55
    bookings = list(Booking.objects.select_related("slot"))
    for slot in slots:
        slot.refresh_from_db()
        covering = [b for b in bookings if b.slot.starts_at <= slot.starts_at < b.ends_at]
        assert slot.booked == len(covering) <= slot.capacity
    assert slots[1].booked == slots[2].booked == 5
