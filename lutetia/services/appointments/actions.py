"""Every write of the appointments service: one transaction and one audit entry each.

A booking takes places in the consecutive slots its type's duration needs (one slot when
it is no longer than the slot): their rows are read and locked in start order, then one
conditional UPDATE (``booked + n <= capacity``) takes the places in all of them, and
the booking stands only if it changed every one. The database serialises concurrent
bookings on those rows (always locked in the same order, so overlapping spans queue
rather than deadlock), and the CHECK constraint ``booked <= capacity`` backs it, so
capacity holds on any number of app servers. Overbooking (with ``appointments.overbook``)
raises the capacity of the span's full slots first, explicitly and audited. E-mails and
reminders leave only once the transaction commits.
"""

from datetime import time, timedelta
from functools import partial

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lutetia.accounts.decorators import user_has_level
from lutetia.core import audit
from lutetia.core.districts.lookup import district_at
from lutetia.core.notifications.actions import notify
from lutetia.core.permissions import may_act_on, may_manage
from lutetia.services.appointments import schedule, selectors
from lutetia.services.appointments.models import (
    AppointmentService,
    AppointmentType,
    Booking,
    ClosingDay,
    Location,
    Slot,
    SlotOverride,
    WeeklyTemplate,
)
from lutetia.services.appointments.tasks import schedule_reminder, send_booking_email

ERASED = "[deleted]"


class SlotUnavailable(ValidationError):
    """The slot (or a slot the type's span needs) is full, closed or missing;
    ``alternatives`` are the next free starts for the same type and persons."""

    def __init__(self, alternatives):
        super().__init__(
            _("This slot is no longer available. Please choose another one."), code="unavailable"
        )
        self.alternatives = alternatives


# --- booking ---------------------------------------------------------------------------------


@transaction.atomic
def book(
    *,
    slot: Slot,
    acting_user,
    persons: int = 1,
    appointment_type: AppointmentType | None = None,
    answers: dict | None = None,
    for_user=None,
    overbook: bool = False,
) -> Booking:
    """Take ``persons`` places from ``slot`` for the acting resident, or for ``for_user``
    (staff): in ``slot`` and the consecutive slots after it that the type's duration needs.

    Residents are held to the service's level, notice, horizon and per-resident limit;
    staff booking on behalf of a resident are not, and may overbook with permission.
    """
    service = slot.location.service
    resident = for_user or acting_user
    _check_type(service, appointment_type)
    if for_user is not None:
        if not may_act_on(acting_user, service, permission="appointments.add_booking"):
            raise PermissionDenied
        if overbook and not acting_user.has_perm("appointments.overbook"):
            raise PermissionDenied
    else:
        _check_resident(service, slot, resident, persons, appointment_type)
    until = slot.starts_at + selectors.duration(appointment_type)
    slots = _span(slot, until)
    if not _take_places(slots, until, persons):
        if not overbook or not selectors.covers(slots, until):
            raise _unavailable(service, appointment_type, persons)
        _raise_capacity(slots, persons, acting_user)
    booking = Booking.objects.create(
        service=service,
        department_id=service.department_id,
        slot=slot,
        ends_at=slots[-1].ends_at,
        appointment_type=appointment_type,
        user=resident,
        booked_by=acting_user if for_user is not None else None,
        persons=persons,
        answers=answers or {},
    )
    audit.log(
        booking,
        "lutetia.appointments.booked",
        user=acting_user,
        data={
            "slot": slot.pk,
            "slots": len(slots),
            "persons": persons,
            "on_behalf": for_user is not None,
        },
    )
    _after_commit(booking, "confirmation")
    return booking


@transaction.atomic
def cancel(*, booking: Booking, acting_user) -> Booking:
    """Cancel an active booking; its places are free again as soon as this commits."""
    _check_may_change(booking, acting_user)
    if not booking.is_active:
        raise ValidationError(_("This appointment is not active."), code="not_active")
    if acting_user.pk == booking.user_id and booking.slot.starts_at <= timezone.now():
        raise ValidationError(_("This appointment has already started."), code="started")
    _release(booking)
    booking.status = Booking.Status.CANCELLED
    booking.cancelled_at = timezone.now()
    booking.sequence += 1
    booking.save(update_fields=["status", "cancelled_at", "sequence"])
    audit.log(booking, "lutetia.appointments.cancelled", user=acting_user)
    _after_commit(booking, "cancellation")
    return booking


@transaction.atomic
def reschedule(*, booking: Booking, slot: Slot, acting_user) -> Booking:
    """Move an active booking to another start of the same service, for the same type and
    persons: the new places first, then the old ones are released."""
    _check_may_change(booking, acting_user)
    if not booking.is_active:
        raise ValidationError(_("This appointment is not active."), code="not_active")
    if slot.location.service_id != booking.service_id or slot.pk == booking.slot_id:
        raise ValidationError(_("Choose another slot of the same service."), code="invalid_slot")
    if acting_user == booking.user:
        _check_timing(booking.service, slot, booking.appointment_type, booking.persons)
    until = slot.starts_at + selectors.duration(booking.appointment_type)
    slots = _span(slot, until)
    if not _take_places(slots, until, booking.persons):
        raise _unavailable(booking.service, booking.appointment_type, booking.persons)
    _release(booking)
    before = booking.slot_id
    booking.slot = slot
    booking.ends_at = slots[-1].ends_at
    booking.sequence += 1
    booking.reminded_at = None
    booking.save(update_fields=["slot", "ends_at", "sequence", "reminded_at"])
    audit.log(
        booking,
        "lutetia.appointments.rescheduled",
        user=acting_user,
        data={"before": {"slot": before}, "after": {"slot": slot.pk}},
    )
    _after_commit(booking, "reschedule")
    return booking


@transaction.atomic
def mark_attendance(*, booking: Booking, attended: bool, acting_user) -> Booking:
    if not may_act_on(acting_user, booking, permission="appointments.change_booking"):
        raise PermissionDenied
    if booking.status == Booking.Status.CANCELLED:
        raise ValidationError(_("This appointment was cancelled."), code="cancelled")
    if booking.slot.starts_at > timezone.now():
        raise ValidationError(_("This appointment has not started yet."), code="future")
    before = audit.snapshot(booking, ["status"])
    booking.status = Booking.Status.ATTENDED if attended else Booking.Status.NO_SHOW
    booking.save(update_fields=["status"])
    audit.log(
        booking,
        "lutetia.appointments.attendance_marked",
        user=acting_user,
        data=audit.changes(before, {"status": booking.status}),
    )
    return booking


@transaction.atomic
def close_slot(*, slot: Slot, acting_user) -> int:
    """Close a slot to bookings, cancel the appointments that take it and tell the bookers.

    An appointment started in an earlier slot and running through this one is cancelled
    too, and all its places freed. The closing is recorded as a one-off override, so
    recomputing the slots keeps it. Returns the number of appointments cancelled.
    """
    if not may_act_on(acting_user, slot, permission="appointments.change_slot"):
        raise PermissionDenied
    slot = Slot.objects.select_related("location__service").get(pk=slot.pk)
    covering = selectors.bookings_covering(slot).filter(status=Booking.Status.BOOKED)
    earliest = covering.aggregate(start=Min("slot__starts_at"))["start"] or slot.starts_at
    # Lock from the earliest span's start, in start order as bookings do, before reading.
    _lock(slot.location_id, earliest, slot.starts_at)
    tz = schedule.zone()
    start, end = slot.starts_at.astimezone(tz), slot.ends_at.astimezone(tz)
    SlotOverride.objects.create(
        location=slot.location,
        date=start.date(),
        starts_at=start.time(),
        ends_at=end.time() if end.date() == start.date() else time(23, 59),
        kind=SlotOverride.Kind.CLOSED,
    )
    bookings = list(covering)
    now = timezone.now()
    for booking in bookings:
        _release(booking)
        booking.status = Booking.Status.CANCELLED
        booking.cancelled_at = now
        booking.sequence += 1
    Booking.objects.bulk_update(bookings, ["status", "cancelled_at", "sequence"])
    slot.closed = True
    slot.booked = 0
    slot.save(update_fields=["closed", "booked"])
    audit.log(
        slot,
        "lutetia.appointments.slot_closed",
        user=acting_user,
        data={"cancelled": [booking.pk for booking in bookings]},
    )
    for booking in bookings:
        notify(
            recipient=booking.user,
            kind="appointment_cancelled",
            context={"booking": booking, "slot": slot, "service": slot.location.service},
            email=False,  # the e-mail below carries the calendar cancellation
        )
        _after_commit(booking, "closed")
    return len(bookings)


# --- configuration ---------------------------------------------------------------------------

CONFIG_MODELS = {
    AppointmentService: "appointmentservice",
    Location: "location",
    AppointmentType: "appointmenttype",
    WeeklyTemplate: "weeklytemplate",
    ClosingDay: "closingday",
    SlotOverride: "slotoverride",
}


@transaction.atomic
def save_config(*, obj, acting_user):
    """Create or change a service's setting, then recompute the slots it affects."""
    model_name = CONFIG_MODELS[type(obj)]
    permission = f"appointments.{'change' if obj.pk else 'add'}_{model_name}"
    if not acting_user.has_perm(permission) or not may_manage(acting_user, obj):
        raise PermissionDenied
    created = obj.pk is None
    if isinstance(obj, Location) and obj.latitude is not None and obj.longitude is not None:
        obj.district = district_at(obj.longitude, obj.latitude)
    obj.full_clean()
    obj.save()
    audit.log(
        obj,
        f"lutetia.appointments.config_{'created' if created else 'changed'}",
        user=acting_user,
        data={"model": model_name, "object": str(obj)},
    )
    for location in _affected_locations(obj):
        materialise(location)
    return obj


@transaction.atomic
def delete_config(*, obj, acting_user) -> None:
    """Delete a setting; a service or location with appointments is deactivated instead."""
    model_name = CONFIG_MODELS[type(obj)]
    if not acting_user.has_perm(f"appointments.delete_{model_name}") or not may_manage(
        acting_user, obj
    ):
        raise PermissionDenied
    if isinstance(obj, AppointmentService | Location) and _has_bookings(obj):
        raise ValidationError(
            _("Appointments were booked here: deactivate it instead."), code="in_use"
        )
    locations = list(_affected_locations(obj))
    audit.log(
        obj,
        "lutetia.appointments.config_deleted",
        user=acting_user,
        data={"model": model_name, "object": str(obj)},
    )
    obj.delete()
    for location in locations:
        if Location.objects.filter(pk=location.pk).exists():
            materialise(location)


@transaction.atomic
def materialise(location: Location) -> dict[str, int]:
    """Bring a location's future slots in line with its rules, up to the service's horizon.

    Existing slots keep their bookings: a slot the rules no longer have is deleted when
    empty and closed otherwise; a capacity never drops below what is booked. Slot rows
    are locked meanwhile, so a concurrent booking waits rather than breaking the CHECK.
    Housekeeping, not a staff decision: the action that changed the rules is audited.
    """
    service = location.service
    tz = schedule.zone()
    now = timezone.now()
    today = timezone.localdate(now, tz)
    last = today + timedelta(days=service.horizon_days)
    planned = _plan(location, today, last, tz)
    planned = {start: slot for start, slot in planned.items() if start >= now}
    existing = {
        slot.starts_at: slot
        for slot in Slot.objects.select_for_update().filter(
            location=location,
            starts_at__gte=now,
            starts_at__lt=schedule.local_instant(last + timedelta(days=1), time(0), tz),
        )
    }
    to_create = [
        Slot(
            location=location,
            starts_at=start,
            ends_at=plan.ends_at,
            capacity=plan.capacity,
            closed=plan.closed,
        )
        for start, plan in planned.items()
        if start not in existing
    ]
    to_update, to_delete = [], []
    for start, slot in existing.items():
        plan = planned.get(start)
        if plan is None:
            if slot.booked:
                slot.closed = True
                to_update.append(slot)
            else:
                to_delete.append(slot.pk)
            continue
        capacity = max(plan.capacity, slot.booked)
        if (slot.capacity, slot.closed, slot.ends_at) != (capacity, plan.closed, plan.ends_at):
            slot.capacity, slot.closed, slot.ends_at = capacity, plan.closed, plan.ends_at
            to_update.append(slot)
    Slot.objects.bulk_create(to_create, batch_size=500)
    Slot.objects.bulk_update(to_update, ["capacity", "closed", "ends_at"], batch_size=500)
    Slot.objects.filter(pk__in=to_delete, booked=0).delete()
    return {"created": len(to_create), "updated": len(to_update), "deleted": len(to_delete)}


def extend_all() -> int:
    """Recompute every active location's slots (run daily so the horizon moves forward)."""
    locations = Location.objects.filter(is_active=True, service__is_active=True).select_related(
        "service"
    )
    for location in locations:
        materialise(location)
    return len(locations)


def extend_slots_daily() -> int:
    """The worker's check: once a day, move every location's slots up to its horizon.

    The shared cache remembers the day, so several workers (or restarts) extend only once.
    """
    if not cache.add(
        f"lutetia:appointments:slots-extended:{timezone.localdate()}", True, 86400 * 2
    ):
        return 0
    return extend_all()


# --- personal data ---------------------------------------------------------------------------


@transaction.atomic
def erase_resident(*, user, acting_user) -> int:
    """Account deletion: free the resident's future places and clear their answers.

    Past bookings stay (statistics: attendance, no-shows) without anything personal.
    Returns the number of future appointments cancelled.
    """
    future = list(
        Booking.objects.select_for_update()
        .filter(user=user, status=Booking.Status.BOOKED, slot__starts_at__gte=timezone.now())
        .select_related("slot")
    )
    for booking in future:
        _release(booking)
    Booking.objects.filter(pk__in=[b.pk for b in future]).update(
        status=Booking.Status.CANCELLED, cancelled_at=timezone.now()
    )
    Booking.objects.filter(user=user).update(answers={})
    audit.log(user, "lutetia.appointments.resident_erased", user=acting_user)
    return len(future)


# --- helpers ---------------------------------------------------------------------------------


def _span(slot: Slot, until) -> list:
    """The consecutive slots (pk, starts_at, ends_at, closed) of ``slot``'s location from
    ``slot`` up to ``until`` or the first gap, locked in start order."""
    rows = _lock(slot.location_id, slot.starts_at, max(until, slot.ends_at), inclusive=False)
    return selectors.span(rows, 0, until) if rows and rows[0].pk == slot.pk else []


def _lock(location_id: int, start, end, *, inclusive: bool = True) -> list:
    """Lock a location's slots starting from ``start`` to ``end``, in start order: every
    writer locks slots in this order, so two overlapping writers wait for one another
    instead of deadlocking."""
    bound = {"starts_at__lte" if inclusive else "starts_at__lt": end}
    return list(
        Slot.objects.select_for_update()
        .filter(location_id=location_id, starts_at__gte=start, **bound)
        .order_by("starts_at")
        .values_list("pk", "starts_at", "ends_at", "closed", named=True)
    )


def _take_places(slots: list, until, persons: int) -> bool:
    """One conditional UPDATE over the span: True if every slot of it had the places and
    they are now ours. A span that does not reach ``until`` takes nothing; a partial take
    (a full or closed slot) is undone at once (savepoint), so overbooking can follow."""
    if not selectors.covers(slots, until):
        return False
    try:
        with transaction.atomic():
            taken = Slot.objects.filter(
                pk__in=[slot.pk for slot in slots],
                closed=False,
                booked__lte=F("capacity") - persons,
            ).update(booked=F("booked") + persons)
            if taken != len(slots):
                raise _SpanTaken
    except _SpanTaken:
        return False
    return True


class _SpanTaken(Exception):
    """Some slot of the span had no room: undo the places taken in the others."""


def _raise_capacity(slots: list, persons: int, acting_user) -> None:
    """Overbooking: add the places missing in each slot of the span (audited per slot)."""
    if any(slot.closed for slot in slots):
        raise ValidationError(_("This slot is closed."), code="closed")
    for locked in Slot.objects.filter(pk__in=[slot.pk for slot in slots]):
        before = locked.capacity
        locked.capacity = max(locked.capacity, locked.booked + persons)
        locked.booked += persons
        locked.save(update_fields=["capacity", "booked"])
        if locked.capacity != before:
            audit.log(
                locked,
                "lutetia.appointments.overbooked",
                user=acting_user,
                data=audit.changes({"capacity": before}, {"capacity": locked.capacity}),
            )


def _release(booking: Booking) -> None:
    """Free the booking's places in every slot of its span."""
    slots = _span(booking.slot, booking.ends_at)
    Slot.objects.filter(pk__in=[slot.pk for slot in slots], booked__gte=booking.persons).update(
        booked=F("booked") - booking.persons
    )


def _check_resident(
    service: AppointmentService, slot: Slot, resident, persons: int, appointment_type
) -> None:
    if not user_has_level(resident, service.required_level):
        raise PermissionDenied
    if not service.is_active or not slot.location.is_active:
        raise ValidationError(_("This service is not open to bookings."), code="inactive")
    if not 1 <= persons <= service.max_persons:
        raise ValidationError(
            {
                "persons": _("Between 1 and %(max)d persons per booking.")
                % {"max": service.max_persons}
            }
        )
    _check_timing(service, slot, appointment_type, persons)
    if service.limit_count is not None:
        # Serialise one resident's bookings, so two at once cannot both pass the count.
        # ``_meta.model``, not ``type()``: a view passes request.user, a SimpleLazyObject.
        resident._meta.model.objects.select_for_update().filter(pk=resident.pk).first()
        if selectors.active_bookings_around(resident, service, slot) >= service.limit_count:
            raise ValidationError(
                ngettext(
                    "You already have %(count)d appointment for this service within %(days)d days.",
                    "You already have %(count)d appointments for this service "
                    "within %(days)d days.",
                    service.limit_count,
                )
                % {"count": service.limit_count, "days": service.limit_period_days},
                code="limit",
            )


def _check_timing(service: AppointmentService, slot: Slot, appointment_type, persons) -> None:
    start, end = selectors.bookable_window(service)
    if not start <= slot.starts_at < end:
        raise _unavailable(service, appointment_type, persons)


def _unavailable(service: AppointmentService, appointment_type, persons: int) -> SlotUnavailable:
    return SlotUnavailable(
        selectors.next_free_starts(service, appointment_type=appointment_type, persons=persons)
    )


def _check_type(service: AppointmentService, appointment_type) -> None:
    if appointment_type is not None and appointment_type.service_id != service.pk:
        raise ValidationError({"appointment_type": _("Choose a type of this service.")})


def _check_may_change(booking: Booking, acting_user) -> None:
    if acting_user is not None and acting_user.pk == booking.user_id:
        return
    if not may_act_on(acting_user, booking, permission="appointments.change_booking"):
        raise PermissionDenied


def _after_commit(booking: Booking, kind: str) -> None:
    transaction.on_commit(partial(send_booking_email.enqueue, booking.pk, kind))
    if kind in ("confirmation", "reschedule"):
        transaction.on_commit(partial(schedule_reminder, booking.pk, booking.sequence))


def _plan(location: Location, first, last, tz) -> dict:
    templates = list(location.templates.all())
    overrides = list(location.overrides.filter(date__gte=first, date__lte=last))
    closed_days = set(
        ClosingDay.objects.filter(service_id=location.service_id, date__gte=first, date__lte=last)
        .filter(Q(location__isnull=True) | Q(location=location))
        .values_list("date", flat=True)
    )
    planned = {}
    for day in schedule.days(first, last):
        planned.update(
            schedule.plan_day(
                day,
                templates=templates,
                closing=day in closed_days,
                overrides=overrides,
                tz=tz,
            )
        )
    return planned


def _affected_locations(obj):
    if isinstance(obj, AppointmentService):
        return obj.locations.filter(is_active=True)
    if isinstance(obj, Location):
        return [obj] if obj.is_active else []
    if isinstance(obj, ClosingDay):
        return [obj.location] if obj.location_id else obj.service.locations.filter(is_active=True)
    if isinstance(obj, WeeklyTemplate | SlotOverride):
        return [obj.location]
    return []


def _has_bookings(obj) -> bool:
    if isinstance(obj, AppointmentService):
        return obj.bookings.exists()
    return Booking.objects.filter(slot__location=obj).exists()
