"""API, calendar feed, personal data, open data, indicators and the demo loader."""

from datetime import timedelta

import pytest
from django.urls import reverse

from lutetia.core.demo import DemoContext
from lutetia.core.models import Role
from lutetia.core.registry import services
from lutetia.services.appointments import account, actions, ics, open_data, selectors
from lutetia.services.appointments.models import AppointmentService, Booking, Slot
from tests.factories import UserFactory, create_staff
from tests.services.appointments.conftest import question

pytestmark = pytest.mark.django_db


def test_availability_api_lists_free_slots(client, service, location, make_slot):
    free = make_slot(capacity=3, booked=1)
    make_slot(days=4, booked=1)  # full
    assert client.get("/api/appointments/services").json()[0]["slug"] == service.slug
    rows = client.get(f"/api/appointments/services/{service.slug}/availability").json()
    assert rows == [
        {
            "id": free.pk,
            "starts_at": rows[0]["starts_at"],
            "ends_at": rows[0]["ends_at"],
            "free": 2,
            "location": location.pk,
        }
    ]


def test_availability_api_errors_use_problem_details(client, service):
    response = client.get(
        f"/api/appointments/services/{service.slug}/availability?start=2026-01-10&end=2026-01-01"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert client.get("/api/appointments/services/nope/availability").status_code == 404


def test_location_feed_needs_its_token(client, resident, location, make_slot):
    booking = actions.book(slot=make_slot(), acting_user=resident)
    feed = client.get(reverse("appointments:feed", args=[location.feed_token]))
    assert feed.status_code == 200 and f"UID:{booking.uid}@" in feed.text
    assert "SEQUENCE:0" in feed.text and "METHOD" not in feed.text
    other = "00000000-0000-0000-0000-000000000000"
    assert client.get(f"/rendez-vous/agenda/{other}.ics").status_code == 404


def test_ics_lines_are_folded_and_escaped(resident, make_slot, location):
    location.address = "1, rue très longue; " * 10
    location.save()
    booking = actions.book(slot=make_slot(), acting_user=resident)
    text = ics.calendar([booking], method="REQUEST")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert "\\," in text and "\\;" in text and text.endswith("END:VCALENDAR\r\n")


def test_personal_data_export_and_erase(resident, make_slot, service):
    service.booking_fields = [question("phone", "phone", "Téléphone")]
    service.save()
    slot = make_slot(capacity=2)
    answers = {"phone": "0102030405", "removed": "kept under its code"}
    actions.book(slot=slot, acting_user=resident, answers=answers)
    exported = account.export(resident)["appointments"]
    assert exported[0]["answers"] == [
        {"question": "Téléphone", "answer": "0102030405"},
        {"question": "removed", "answer": "kept under its code"},
    ]
    account.erase(resident)
    booking = Booking.objects.get()
    slot.refresh_from_db()
    assert booking.answers == {} and booking.status == Booking.Status.CANCELLED
    assert slot.booked == 0


def test_open_data_and_indicators_are_anonymous(resident, make_slot):
    actions.book(slot=make_slot(capacity=2), acting_user=resident)
    text = "".join(open_data.monthly_bookings("csv"))
    assert text.splitlines()[0].startswith("month,service,bookings")
    assert resident.email not in text and ",1," in text
    assert open_data.lead_time_to_next_slot()[0][1] is not None
    assert open_data.no_show_rate() is None


def test_demo_loader_is_idempotent(department):
    administrator = create_staff(department, role=Role.ADMINISTRATOR)
    context = DemoContext(
        administrator=administrator,
        departments={"proprete": department},
        staff={},
        residents=[UserFactory()],
    )
    manifest = services.get("appointments")
    load = manifest.resolve(manifest.demo_loader)
    load(context)
    counts = (AppointmentService.objects.count(), Slot.objects.count())
    assert counts[0] == 2 and counts[1] > 100
    block = AppointmentService._meta.get_field("booking_fields").stream_block
    codes = {}
    for service in AppointmentService.objects.all():
        block.clean(service.booking_fields)  # what the back-office editor would accept
        codes[service.slug] = [spec["code"] for spec in service.booking_specs]
    assert codes == {
        "cartes-identite-passeports": ["telephone", "passeports", "predemande"],
        "courts-de-tennis": ["niveau", "reglement"],
    }
    titles = AppointmentService.objects.get(slug="cartes-identite-passeports")
    family = titles.types.get(duration_minutes=45)  # three 15-minute slots
    opening = selectors.next_free_starts(titles, appointment_type=family, count=1)[0]
    assert opening.ends_at - opening.starts_at == timedelta(minutes=45)
    load(context)
    assert (AppointmentService.objects.count(), Slot.objects.count()) == counts
