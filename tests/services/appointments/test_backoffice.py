"""Back office: department-scoped calendar, slots, bookings, export and configuration."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from lutetia.core.models import Role
from lutetia.services.appointments import actions
from lutetia.services.appointments.models import Booking, Location, Slot, WeeklyTemplate
from tests.factories import DepartmentFactory, create_staff

pytestmark = pytest.mark.django_db


def calendar_url(slot, **extra):
    day = timezone.localtime(slot.starts_at).date().isoformat()
    query = "&".join(
        f"{k}={v}" for k, v in {"location": slot.location_id, "day": day, **extra}.items()
    )
    return f"{reverse('appointments_calendar:index')}?{query}"


def refused(response) -> bool:
    """Wagtail answers a PermissionDenied with a redirect to the dashboard and a message."""
    return response.status_code == 403 or (
        response.status_code == 302 and response.url == "/admin/"
    )


def test_calendar_lists_the_day_and_its_bookings(client, agent, resident, make_slot):
    slot = make_slot(capacity=2)
    booking = actions.book(slot=slot, acting_user=resident)
    client.force_login(agent)
    page = client.get(calendar_url(slot, week="on"))
    assert page.status_code == 200
    assert reverse("appointments_calendar:slot", args=[slot.pk]) in page.text
    assert reverse("appointments_calendar:booking", args=[booking.pk]) in page.text


def test_other_departments_see_nothing(client, make_slot):
    slot = make_slot()
    stranger = create_staff(DepartmentFactory(code="voirie"))
    client.force_login(stranger)
    page = client.get(calendar_url(slot))
    assert reverse("appointments_calendar:slot", args=[slot.pk]) not in page.text
    assert refused(client.get(reverse("appointments_calendar:slot", args=[slot.pk])))


def test_residents_are_refused(client, resident, make_slot):
    client.force_login(resident)
    assert client.get(calendar_url(make_slot())).status_code == 302


@pytest.mark.usefixtures("english")  # its messages are checked in English
def test_book_on_behalf_then_overbook(client, agent, manager, resident, make_slot):
    slot = make_slot(capacity=1)
    url = reverse("appointments_calendar:slot", args=[slot.pk])
    client.force_login(agent)
    form = {"form": "book", "book-email": resident.email, "book-persons": "1"}
    assert client.post(url, form).status_code == 302
    page = client.post(url, form)
    assert page.status_code == 200 and "no longer available" in page.text
    client.force_login(manager)
    assert client.post(url, {**form, "book-overbook": "on"}).status_code == 302
    slot.refresh_from_db()
    assert (slot.booked, slot.capacity) == (2, 2)
    assert Booking.objects.filter(booked_by=manager).exists()


@pytest.mark.usefixtures("english")  # its messages are checked in English
def test_unknown_resident_is_shown_on_the_field(client, agent, make_slot):
    client.force_login(agent)
    url = reverse("appointments_calendar:slot", args=[make_slot().pk])
    page = client.post(
        url, {"form": "book", "book-email": "nobody@example.org", "book-persons": "1"}
    )
    assert page.status_code == 200 and "No account has this e-mail address." in page.text
    assert not Booking.objects.exists()


def test_close_a_slot(client, agent, resident, make_slot):
    slot = make_slot(capacity=2)
    booking = actions.book(slot=slot, acting_user=resident)
    client.force_login(agent)
    url = reverse("appointments_calendar:slot", args=[slot.pk])
    assert client.post(url, {"form": "close", "close-confirm": "on"}).status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED


def test_mark_a_no_show(client, agent, resident, make_slot):
    booking = actions.book(slot=make_slot(), acting_user=resident)
    Slot.objects.filter(pk=booking.slot_id).update(starts_at=timezone.now() - timedelta(hours=1))
    client.force_login(agent)
    url = reverse("appointments_calendar:booking", args=[booking.pk])
    assert client.post(url, {"form": "attendance", "attendance-attended": "0"}).status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.NO_SHOW


def test_csv_export(client, agent, resident, make_slot):
    booking = actions.book(slot=make_slot(), acting_user=resident)
    client.force_login(agent)
    url = calendar_url(booking.slot).replace("/calendar/?", "/calendar/export/?")
    response = client.get(url)
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("reference,") and booking.reference in lines[1]
    assert resident.email in lines[1]


def test_manager_adds_opening_hours_and_slots_appear(client, department, location):
    manager = create_staff(department, role=Role.MANAGER)
    client.force_login(manager)
    tomorrow = timezone.localdate() + timedelta(days=3)
    response = client.post(
        reverse("appointment_templates:add"),
        {
            "location": location.pk,
            "weekday": tomorrow.weekday(),
            "opens_at": "09:00",
            "closes_at": "10:00",
            "slot_minutes": "15",
            "capacity": "2",
            "valid_from": timezone.localdate().isoformat(),
            "valid_until": "",
        },
    )
    assert response.status_code == 302
    assert WeeklyTemplate.objects.count() == 1
    assert Slot.objects.filter(location=location).count() >= 4


def test_agents_cannot_configure_and_managers_only_their_departments(client, agent, location):
    client.force_login(agent)
    assert refused(client.get(reverse("appointment_templates:add")))
    other = create_staff(DepartmentFactory(code="voirie"), role=Role.MANAGER)
    client.force_login(other)
    edit = reverse("appointment_locations:edit", args=[location.pk])
    assert refused(client.get(edit))
    assert location.name not in client.get(reverse("appointment_locations:index")).text


def test_a_location_gets_its_district_from_its_point(service, manager, districts):
    location = actions.save_config(
        obj=Location(service=service, name="Mairie du 11e", latitude=48.8574, longitude=2.38),
        acting_user=manager,
    )
    assert location.district.code == "11"
