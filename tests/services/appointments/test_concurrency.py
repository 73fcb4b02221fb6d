"""Many app servers booking the same slot at once: the database keeps the count exact."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from lutetia.services.appointments import actions
from lutetia.services.appointments.models import Booking, Slot
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
