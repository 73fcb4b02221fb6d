from datetime import timedelta

import pytest
from django.utils import timezone

from lutetia.services.appointments.models import (
    AppointmentService,
    AppointmentType,
    Location,
    Slot,
)
from tests.factories import create_staff


def question(kind: str, code: str, label: str = "", required: bool = True, **options) -> dict:
    """A booking question as the form builder's block data (``booking_fields`` accepts it)."""
    value = {"label": label or code, "code": code, "help_text": options.pop("help_text", "")}
    return {"type": kind, "value": {**value, "required": required, **options}}


@pytest.fixture
def service(department):
    return AppointmentService.objects.create(
        name_fr="Carte d'identité et passeport",
        name_en="ID card and passport",
        slug="titres",
        department=department,
        min_notice_hours=2,
        horizon_days=60,
        max_persons=3,
    )


@pytest.fixture
def location(service):
    return Location.objects.create(
        service=service, name="Mairie du 11e", address="12 place Léon Blum, 75011 Paris"
    )


@pytest.fixture
def appointment_type(service):
    return AppointmentType.objects.create(
        service=service, name_fr="Passeport", name_en="Passport", duration_minutes=15
    )


@pytest.fixture
def make_slot(location):
    """A slot ``days`` ahead at 10:00 UTC (plus ``minutes``), with ``capacity`` places."""

    def make(days=3, minutes=0, capacity=1, at=None, **fields):
        day = timezone.now().replace(hour=10, minute=0, second=0, microsecond=0)
        starts = at or day + timedelta(days=days, minutes=minutes)
        return Slot.objects.create(
            location=fields.pop("location", location),
            starts_at=starts,
            ends_at=starts + timedelta(minutes=15),
            capacity=capacity,
            **fields,
        )

    return make


@pytest.fixture
def manager(department):
    from lutetia.core.models import Role

    return create_staff(department, role=Role.MANAGER)
