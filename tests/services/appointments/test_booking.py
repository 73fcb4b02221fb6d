"""Booking, cancelling, rescheduling: capacity enforced by the database, audit, e-mails."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from wagtail.models import ModelLogEntry

from lutetia.accounts.models import VerificationLevel
from lutetia.services.appointments import actions
from lutetia.services.appointments.models import Booking, Slot
from tests.factories import DepartmentFactory, UserFactory, create_staff

pytestmark = pytest.mark.django_db


def log_actions(instance):
    return list(
        ModelLogEntry.objects.filter(object_id=str(instance.pk)).values_list("action", flat=True)
    )


def test_booking_takes_places_and_is_audited(resident, make_slot, appointment_type):
    slot = make_slot(capacity=3)
    booking = actions.book(
        slot=slot, acting_user=resident, persons=2, appointment_type=appointment_type
    )
    slot.refresh_from_db()
    assert slot.booked == 2
    assert booking.user == resident and booking.department_id == slot.location.service.department_id
    assert booking.reference == f"RDV-{booking.pk:06d}"
    assert "lutetia.appointments.booked" in log_actions(booking)


def test_a_full_slot_answers_no_longer_available_with_next_slots(resident, make_slot):
    full = make_slot(capacity=1, booked=1)
    later = make_slot(days=4)
    with pytest.raises(actions.SlotUnavailable) as caught:
        actions.book(slot=full, acting_user=resident)
    assert [s.pk for s in caught.value.alternatives] == [later.pk]
    assert not Booking.objects.exists()


def test_persons_are_limited_by_places_and_the_service(resident, make_slot):
    with pytest.raises(actions.SlotUnavailable):
        actions.book(slot=make_slot(capacity=2), acting_user=resident, persons=3)
    with pytest.raises(ValidationError):
        actions.book(slot=make_slot(capacity=9, days=5), acting_user=resident, persons=4)
    assert Slot.objects.filter(booked__gt=0).count() == 0


def test_the_database_refuses_more_bookings_than_places(make_slot):
    slot = make_slot(capacity=1, booked=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Slot.objects.filter(pk=slot.pk).update(booked=F("booked") + 1)


def test_notice_and_horizon_are_enforced(resident, make_slot, service):
    too_soon = make_slot(at=timezone.now() + timedelta(hours=1))
    too_far = make_slot(days=service.horizon_days + 2)
    for slot in (too_soon, too_far):
        with pytest.raises(actions.SlotUnavailable):
            actions.book(slot=slot, acting_user=resident)


def test_closed_slots_cannot_be_booked(resident, make_slot):
    with pytest.raises(actions.SlotUnavailable):
        actions.book(slot=make_slot(closed=True), acting_user=resident)


def test_verification_level_is_required(make_slot, service):
    service.required_level = VerificationLevel.RESIDENT
    service.save()
    with pytest.raises(PermissionDenied):
        actions.book(slot=make_slot(), acting_user=UserFactory())


def test_per_resident_limit(resident, make_slot, service):
    service.limit_count, service.limit_period_days = 1, 30
    service.save()
    actions.book(slot=make_slot(days=3), acting_user=resident)
    with pytest.raises(ValidationError) as caught:
        actions.book(slot=make_slot(days=10), acting_user=resident)
    assert caught.value.code == "limit"
    actions.book(slot=make_slot(days=40), acting_user=resident)  # outside the period


def test_cancellation_frees_the_place_at_once(resident, make_slot):
    slot = make_slot(capacity=1)
    booking = actions.book(slot=slot, acting_user=resident)
    actions.cancel(booking=booking, acting_user=resident)
    slot.refresh_from_db()
    assert slot.booked == 0 and booking.status == Booking.Status.CANCELLED
    assert booking.sequence == 1
    actions.book(slot=slot, acting_user=UserFactory())
    with pytest.raises(ValidationError):
        actions.cancel(booking=booking, acting_user=resident)


def test_others_cannot_cancel(resident, make_slot):
    booking = actions.book(slot=make_slot(), acting_user=resident)
    with pytest.raises(PermissionDenied):
        actions.cancel(booking=booking, acting_user=UserFactory())


def test_reschedule_moves_the_place(resident, make_slot):
    first, second = make_slot(), make_slot(days=5)
    booking = actions.book(slot=first, acting_user=resident)
    actions.reschedule(booking=booking, slot=second, acting_user=resident)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.booked, second.booked, booking.sequence) == (0, 1, 1)
    assert "lutetia.appointments.rescheduled" in log_actions(booking)


def test_reschedule_to_a_full_slot_keeps_the_booking(resident, make_slot):
    first, full = make_slot(), make_slot(days=5, booked=1)
    booking = actions.book(slot=first, acting_user=resident)
    with pytest.raises(actions.SlotUnavailable):
        actions.reschedule(booking=booking, slot=full, acting_user=resident)
    booking.refresh_from_db()
    first.refresh_from_db()
    assert booking.slot == first and first.booked == 1


def test_staff_book_on_behalf_and_overbook_with_permission(agent, manager, resident, make_slot):
    slot = make_slot(capacity=1, booked=1)
    with pytest.raises(actions.SlotUnavailable):
        actions.book(slot=slot, acting_user=agent, for_user=resident)
    with pytest.raises(PermissionDenied):
        actions.book(slot=slot, acting_user=agent, for_user=resident, overbook=True)
    booking = actions.book(slot=slot, acting_user=manager, for_user=resident, overbook=True)
    slot.refresh_from_db()
    assert (slot.capacity, slot.booked) == (2, 2)
    assert booking.booked_by == manager and booking.user == resident
    assert "lutetia.appointments.overbooked" in log_actions(slot)


def test_staff_of_another_department_cannot_book(resident, make_slot):
    stranger = create_staff(DepartmentFactory(code="voirie"))
    with pytest.raises(PermissionDenied):
        actions.book(slot=make_slot(), acting_user=stranger, for_user=resident)


def test_confirmation_email_carries_the_ics_after_commit(
    resident, make_slot, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        booking = actions.book(slot=make_slot(), acting_user=resident)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [resident.email]
    name, content, mimetype = message.attachments[0]
    assert name.endswith(".ics") and "method=REQUEST" in mimetype
    assert f"UID:{booking.uid}@" in content and "METHOD:REQUEST" in content
    assert "/rendez-vous/" in message.body


def test_rollback_sends_nothing(resident, make_slot, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        actions.book(slot=make_slot(), acting_user=resident)
    assert mail.outbox == [] and callbacks


def test_attendance_only_after_start(agent, resident, make_slot):
    booking = actions.book(slot=make_slot(), acting_user=resident)
    with pytest.raises(ValidationError):
        actions.mark_attendance(booking=booking, attended=True, acting_user=agent)
    Slot.objects.filter(pk=booking.slot_id).update(starts_at=timezone.now() - timedelta(hours=1))
    booking.refresh_from_db()
    actions.mark_attendance(booking=booking, attended=False, acting_user=agent)
    assert booking.status == Booking.Status.NO_SHOW


def test_closing_a_slot_cancels_and_notifies(
    agent, resident, make_slot, django_capture_on_commit_callbacks
):
    slot = make_slot(capacity=2)
    booking = actions.book(slot=slot, acting_user=resident)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.close_slot(slot=slot, acting_user=agent) == 1
    slot.refresh_from_db()
    booking.refresh_from_db()
    assert slot.closed and slot.booked == 0 and booking.status == Booking.Status.CANCELLED
    assert resident.notifications.filter(kind="appointment_cancelled").exists()
    assert "METHOD:CANCEL" in mail.outbox[0].attachments[0][1]
    # The closing is kept when the slots are recomputed from the rules.
    assert slot.location.overrides.filter(kind="closed").exists()


def test_residents_cannot_cancel_once_started_but_staff_can(agent, resident, make_slot):
    booking = actions.book(slot=make_slot(), acting_user=resident)
    Slot.objects.filter(pk=booking.slot_id).update(starts_at=timezone.now() - timedelta(minutes=5))
    booking.refresh_from_db()
    with pytest.raises(ValidationError):
        actions.cancel(booking=booking, acting_user=resident)
    actions.cancel(booking=booking, acting_user=agent)
    assert booking.status == Booking.Status.CANCELLED
