"""Types longer than a slot: a booking takes the consecutive slots covering its duration."""

from datetime import UTC, datetime, time, timedelta
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.timezone import localtime

from lutetia.core.models import Role
from lutetia.services.appointments import actions, ics, selectors
from lutetia.services.appointments.models import (
    AppointmentType,
    Booking,
    Slot,
    SlotOverride,
)
from tests.factories import UserFactory, create_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(service):
    """45 minutes: three of the fixture's 15-minute slots."""
    return AppointmentType.objects.create(
        service=service, name_fr="Famille", name_en="Family", duration_minutes=45
    )


@pytest.fixture
def morning(make_slot):
    """Six consecutive 15-minute slots, 10:00 to 11:30 UTC three days ahead, 2 places each."""
    return [make_slot(minutes=15 * index, capacity=2) for index in range(6)]


def booked(slots) -> list[int]:
    return [Slot.objects.get(pk=slot.pk).booked for slot in slots]


def test_a_long_type_takes_the_slots_covering_it_and_cancelling_frees_them(
    resident, morning, family
):
    booking = actions.book(
        slot=morning[1], acting_user=resident, appointment_type=family, persons=2
    )
    assert booked(morning) == [0, 2, 2, 2, 0, 0]
    assert booking.ends_at == morning[3].ends_at
    actions.cancel(booking=booking, acting_user=resident)
    assert booked(morning) == [0] * 6


def test_no_type_or_a_short_type_takes_one_slot(resident, morning, appointment_type):
    actions.book(slot=morning[0], acting_user=resident)
    short = actions.book(slot=morning[2], acting_user=resident, appointment_type=appointment_type)
    assert booked(morning) == [1, 0, 1, 0, 0, 0]
    assert short.ends_at == morning[2].ends_at


@pytest.mark.parametrize("obstacle", ["full", "closed", "missing"])
def test_a_span_through_a_full_closed_or_missing_slot_is_refused(
    resident, morning, family, obstacle
):
    if obstacle == "missing":
        Slot.objects.filter(pk=morning[2].pk).delete()  # a gap: 10:30 is not a slot
    else:
        Slot.objects.filter(pk=morning[2].pk).update(
            **({"booked": 2} if obstacle == "full" else {"closed": True})
        )
    with pytest.raises(actions.SlotUnavailable) as caught:
        actions.book(slot=morning[0], acting_user=resident, appointment_type=family)
    # The next start whose whole span is free, for the same type.
    assert [opening.pk for opening in caught.value.alternatives] == [morning[3].pk]
    assert caught.value.alternatives[0].ends_at == morning[5].ends_at
    assert not Booking.objects.exists()
    assert Slot.objects.filter(pk__in=[morning[0].pk, morning[1].pk], booked__gt=0).count() == 0


def test_a_span_running_past_the_last_slot_is_refused(resident, morning, family):
    with pytest.raises(actions.SlotUnavailable):
        actions.book(slot=morning[4], acting_user=resident, appointment_type=family)
    assert booked(morning) == [0] * 6


def test_reschedule_takes_the_new_span_then_frees_the_old(resident, morning, family, make_slot):
    later = [make_slot(days=5, minutes=15 * index) for index in range(3)]
    booking = actions.book(slot=morning[0], acting_user=resident, appointment_type=family)
    actions.reschedule(booking=booking, slot=later[0], acting_user=resident)
    assert booked(morning) == [0] * 6 and booked(later) == [1, 1, 1]
    booking.refresh_from_db()
    assert booking.ends_at == later[2].ends_at
    with pytest.raises(actions.SlotUnavailable):  # two slots only: the span does not fit
        actions.reschedule(booking=booking, slot=morning[4], acting_user=resident)
    assert booked(later) == [1, 1, 1]


def test_closing_a_slot_cancels_the_bookings_running_through_it(
    agent, resident, morning, family, django_capture_on_commit_callbacks
):
    spanning = actions.book(slot=morning[0], acting_user=resident, appointment_type=family)
    other = actions.book(slot=morning[3], acting_user=UserFactory(), appointment_type=family)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.close_slot(slot=morning[1], acting_user=agent) == 1
    spanning.refresh_from_db()
    other.refresh_from_db()
    assert spanning.status == Booking.Status.CANCELLED and other.is_active
    assert booked(morning) == [0, 0, 0, 1, 1, 1]
    assert Slot.objects.get(pk=morning[1].pk).closed
    assert resident.notifications.filter(kind="appointment_cancelled").exists()
    assert [m.to for m in mail.outbox] == [[resident.email]]


def test_erasing_a_resident_frees_the_whole_span(resident, morning, family):
    actions.book(slot=morning[0], acting_user=resident, appointment_type=family, persons=2)
    actions.erase_resident(user=resident, acting_user=resident)
    assert booked(morning) == [0] * 6


def test_overbooking_raises_only_the_full_slots_of_the_span(resident, morning, family, department):
    manager = create_staff(department, role=Role.MANAGER)
    Slot.objects.filter(pk=morning[1].pk).update(booked=2)
    with pytest.raises(actions.SlotUnavailable):
        actions.book(
            slot=morning[0], acting_user=manager, for_user=resident, appointment_type=family
        )
    actions.book(
        slot=morning[0],
        acting_user=manager,
        for_user=resident,
        appointment_type=family,
        overbook=True,
    )
    capacities = [Slot.objects.get(pk=slot.pk).capacity for slot in morning[:3]]
    assert capacities == [2, 3, 2] and booked(morning)[:3] == [1, 3, 1]


def test_attendance_is_marked_on_a_spanning_booking(agent, resident, morning, family):
    booking = actions.book(slot=morning[0], acting_user=resident, appointment_type=family)
    Slot.objects.filter(pk=morning[0].pk).update(starts_at=morning[0].starts_at - timedelta(days=4))
    booking.refresh_from_db()
    actions.mark_attendance(booking=booking, attended=True, acting_user=agent)
    assert booking.status == Booking.Status.ATTENDED


def test_the_ics_ends_where_the_span_ends(resident, morning, family):
    booking = actions.book(slot=morning[0], acting_user=resident, appointment_type=family)
    text = ics.calendar([booking], method="REQUEST")
    assert f"DTEND:{ics.utc(morning[2].ends_at)}" in text
    assert f"DTSTART:{ics.utc(morning[0].starts_at)}" in text


def test_availability_offers_the_starts_whose_whole_span_is_free(
    service, morning, family, django_assert_max_num_queries
):
    Slot.objects.filter(pk=morning[4].pk).update(booked=1)
    day = morning[0].starts_at.date()
    with django_assert_max_num_queries(2):  # the locations, then the slots: whatever the span
        openings = selectors.availability(service, day, day, appointment_type=family)
    assert [(o.pk, o.ends_at, o.free) for o in openings] == [
        (morning[0].pk, morning[2].ends_at, 2),
        (morning[1].pk, morning[3].ends_at, 2),
        (morning[2].pk, morning[4].ends_at, 1),
        (morning[3].pk, morning[5].ends_at, 1),
    ]
    two = selectors.availability(service, day, day, appointment_type=family, persons=2)
    assert [o.pk for o in two] == [morning[0].pk, morning[1].pk]
    assert len(selectors.availability(service, day, day)) == 6  # no type: one slot each


def test_availability_api_per_type_and_persons(client, service, morning, family):
    Slot.objects.filter(pk=morning[4].pk).update(booked=1)
    url = f"/api/appointments/services/{service.slug}/availability"
    rows = client.get(url, {"type": family.pk, "persons": 2}).json()
    assert [(row["id"], row["free"]) for row in rows] == [(morning[0].pk, 2), (morning[1].pk, 2)]
    assert rows[0]["ends_at"].startswith(morning[2].ends_at.strftime("%Y-%m-%dT%H:%M"))
    assert len(client.get(url).json()) == 6
    types = client.get("/api/appointments/services").json()[0]["types"]
    assert types == [{"id": family.pk, "name": family.name, "duration_minutes": 45}]
    assert client.get(url, {"type": 999999}).status_code == 400
    assert client.get(url, {"persons": 9}).status_code == 400


def test_the_type_is_chosen_before_the_time_when_durations_differ(
    client, resident, service, morning, family, appointment_type
):
    page = client.get(f"/rendez-vous/{service.slug}/")
    assert 'name="type"' in page.text  # 15 and 45 minutes: the chooser comes first
    # The shortest type by default: every slot is a start.
    assert reverse("appointments:book", args=[service.slug, morning[5].pk]) in page.text
    page = client.get(f"/rendez-vous/{service.slug}/", {"type": family.pk})
    book_url = reverse("appointments:book", args=[service.slug, morning[0].pk])
    assert f"{book_url}?type={family.pk}" in page.text
    assert reverse("appointments:book", args=[service.slug, morning[5].pk]) not in page.text
    client.force_login(resident)
    form = client.get(f"{book_url}?type={family.pk}")
    assert 'name="appointment_type"' not in form.text  # not asked again
    assert "Famille" in form.text and f"– {localtime(morning[2].ends_at):%H:%M}" in form.text
    response = client.post(f"{book_url}?type={family.pk}", {"persons": "1"})
    assert response.status_code == 302
    assert Booking.objects.get().appointment_type == family
    assert booked(morning) == [1, 1, 1, 0, 0, 0]


def test_types_of_one_length_are_asked_in_the_booking_form(
    client, resident, service, morning, appointment_type
):
    service.max_persons = 1
    service.save()
    page = client.get(f"/rendez-vous/{service.slug}/")
    assert 'name="type"' not in page.text and 'name="personnes"' not in page.text
    client.force_login(resident)
    url = reverse("appointments:book", args=[service.slug, morning[0].pk])
    assert 'name="appointment_type"' in client.get(url).text
    response = client.post(url, {"appointment_type": appointment_type.pk})
    assert response.status_code == 302 and booked(morning) == [1, 0, 0, 0, 0, 0]


@pytest.mark.usefixtures("english")
def test_staff_calendar_shows_a_span_once_and_its_continuation(
    client, agent, resident, morning, family, django_assert_max_num_queries
):
    booking = actions.book(slot=morning[0], acting_user=resident, appointment_type=family)
    first, last = morning[0].starts_at.date(), morning[0].starts_at.date()
    with django_assert_max_num_queries(2):
        slots = selectors.calendar(morning[0].location, first, last)
    assert [len(s.active_bookings) for s in slots] == [1, 0, 0, 0, 0, 0]
    assert [len(s.continuing) for s in slots] == [0, 1, 1, 0, 0, 0]
    client.force_login(agent)
    day = first.isoformat()
    page = client.get(
        reverse("appointments_calendar:index"), {"location": morning[0].location_id, "day": day}
    )
    assert page.text.count(reverse("appointments_calendar:booking", args=[booking.pk])) == 3
    assert "until" in page.text and "continued from" in page.text
    slot_page = client.get(reverse("appointments_calendar:slot", args=[morning[1].pk]))
    assert booking.reference in slot_page.text  # listed where it runs through


@pytest.mark.usefixtures("english")
def test_staff_book_on_behalf_with_a_type(client, agent, resident, morning, family):
    client.force_login(agent)
    url = reverse("appointments_calendar:slot", args=[morning[0].pk])
    assert 'name="book-appointment_type"' in client.get(url).text
    response = client.post(
        url,
        {
            "form": "book",
            "book-email": resident.email,
            "book-appointment_type": family.pk,
            "book-persons": "1",
        },
    )
    assert response.status_code == 302
    assert Booking.objects.get().ends_at == morning[2].ends_at
    assert booked(morning) == [1, 1, 1, 0, 0, 0]


@mock.patch("django.utils.timezone.now", return_value=datetime(2026, 3, 25, 6, tzinfo=UTC))
def test_a_span_on_the_night_clocks_go_forward(now, location, resident, family):
    """Open 1:00–4:00 local on 29 March 2026 in 30-minute slots: 1:30–2:00 ends at a time
    that does not exist and 2:00–3:00 is skipped, so 1:00 (0:00 UTC) has no slot after it,
    and 3:00 CEST (1:00 UTC) runs on to 4:00 (2:00 UTC)."""
    SlotOverride.objects.create(
        location=location,
        date=datetime(2026, 3, 29).date(),
        starts_at=time(1),
        ends_at=time(4),
        kind=SlotOverride.Kind.EXTRA,
        capacity=1,
        slot_minutes=30,
    )
    family.duration_minutes = 60
    family.save()
    actions.materialise(location)
    starts = list(Slot.objects.order_by("starts_at").values_list("starts_at", flat=True))
    assert [f"{s:%H:%M}" for s in starts] == ["00:00", "01:00", "01:30"]
    day = datetime(2026, 3, 29).date()
    openings = selectors.availability(location.service, day, day, appointment_type=family)
    assert [(o.starts_at, o.ends_at) for o in openings] == [
        (datetime(2026, 3, 29, 1, tzinfo=UTC), datetime(2026, 3, 29, 2, tzinfo=UTC))
    ]
    one_o_clock, three_o_clock = Slot.objects.order_by("starts_at")[:2]
    with pytest.raises(actions.SlotUnavailable):
        actions.book(slot=one_o_clock, acting_user=resident, appointment_type=family)
    booking = actions.book(slot=three_o_clock, acting_user=resident, appointment_type=family)
    assert booking.ends_at == datetime(2026, 3, 29, 2, tzinfo=UTC)
    assert "DTEND:20260329T020000Z" in ics.calendar([booking])
