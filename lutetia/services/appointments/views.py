"""Residents' pages: services, availability (next slots and a month), booking, managing.

Every page works without JavaScript. A booking is managed from the signed link of its
e-mail (no sign-in needed) or from Mon Compte, which links to the same page.
"""

import calendar
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from lutetia.accounts.decorators import level_required
from lutetia.core.api.errors import RateLimited
from lutetia.core.api.ratelimit import check_rate_limit, count_event
from lutetia.services.appointments import actions, ics, links, selectors
from lutetia.services.appointments.forms import BookingForm, ChoiceForm, RescheduleForm
from lutetia.services.appointments.models import Booking, Location, Slot

# A resident books a handful of times an hour at most; the per-IP limit stays the API's
# (whole neighbourhoods share one mobile carrier address).
BOOKINGS_PER_USER_PER_HOUR = 10
RESCHEDULE_CHOICES = 10


def index(request):
    return render(request, "appointments/index.html", {"services": selectors.active_services()})


def service_detail(request, slug):
    """The next free starts first, then one month of them (``?mois=YYYY-MM``), for the type
    and persons chosen first (``?type=…&personnes=…``) when that changes what is free."""
    service = get_object_or_404(selectors.active_services(), slug=slug)
    choice = ChoiceForm(request.GET, service=service)
    appointment_type, persons = choice.chosen()
    month = _month(request.GET.get("mois"))
    last = date(month.year, month.month, calendar.monthrange(month.year, month.month)[1])
    wanted = {"appointment_type": appointment_type, "persons": persons}
    context = {
        "service": service,
        "choice": choice,
        "query": choice.query(appointment_type, persons),
        "next_slots": selectors.next_free_starts(service, **wanted),
        "several_locations": service.locations.filter(is_active=True).count() > 1,
        "month": month,
        "days": selectors.slots_by_day(selectors.availability(service, month, last, **wanted)),
        "previous_month": _shift(month, -1),
        "next_month": _shift(month, 1),
        "show_previous": month > timezone.localdate().replace(day=1),
    }
    return render(request, "appointments/service.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def book(request, slug, slot_id):
    service = get_object_or_404(selectors.active_services(), slug=slug)
    slot = get_object_or_404(
        Slot.objects.select_related("location__service"), pk=slot_id, location__service=service
    )
    return level_required(service.required_level)(_book)(request, service, slot)


def _book(request, service, slot):
    choice = ChoiceForm(request.GET, service=service)
    appointment_type, persons = choice.chosen()
    form = BookingForm(
        request.POST or None,
        service=service,
        appointment_type=appointment_type if choice.chooses_type else None,
        persons=persons,
    )
    context = {
        "service": service,
        "slot": slot,
        "form": form,
        "choice": choice,
        "query": choice.query(appointment_type, persons),
        "ends_at": selectors.span_end(slot, appointment_type),
    }
    status = 200
    if request.method == "POST" and form.is_valid():
        if _rate_limited(request):
            form.add_error(
                None, _("You have made many bookings in a short time. Please try again later.")
            )
            return render(request, "appointments/book.html", context, status=429)
        wanted = form.booking()
        try:
            booking = actions.book(slot=slot, acting_user=request.user, **wanted)
        except actions.SlotUnavailable as error:
            form.add_error(None, error)
            context["alternatives"] = error.alternatives
            context["query"] = choice.query(wanted["appointment_type"], wanted["persons"])
            status = 409
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your appointment is booked. A confirmation was e-mailed."))
            return redirect(links.manage_path(booking))
    return render(request, "appointments/book.html", context, status=status)


@require_http_methods(["GET", "POST"])
def manage(request, token):
    """The booking named by a signed token: details, cancel, move to another slot."""
    booking = _booking_from(token)
    upcoming = booking.is_active and booking.slot.starts_at > timezone.now()
    alternatives = (
        selectors.next_free_starts(
            booking.service,
            appointment_type=booking.appointment_type,
            persons=booking.persons,
            count=RESCHEDULE_CHOICES,
        )
        if upcoming
        else []
    )
    form = RescheduleForm(
        request.POST if request.POST.get("action") == "reschedule" else None, slots=alternatives
    )
    status = 200
    if request.method == "POST" and upcoming:
        try:
            if request.POST.get("action") == "cancel":
                # The signed link stands for the resident who booked.
                actions.cancel(booking=booking, acting_user=booking.user)
                messages.success(request, _("Your appointment is cancelled."))
                return redirect(request.path)
            if form.is_valid():
                actions.reschedule(
                    booking=booking, slot=form.cleaned_data["slot"], acting_user=booking.user
                )
                messages.success(request, _("Your appointment was moved."))
                return redirect(links.manage_path(booking))
        except ValidationError as error:
            form.add_error(None, error)
            status = 409
    context = {
        "booking": booking,
        "form": form,
        "token": token,
        "alternatives": alternatives,
        "upcoming": upcoming,
    }
    return render(request, "appointments/manage.html", context, status=status)


def manage_ics(request, token):
    """The booking as an .ics file, to add it to a calendar by hand."""
    booking = _booking_from(token)
    response = HttpResponse(ics.calendar([booking]), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{booking.reference}.ics"'
    return response


def location_feed(request, token):
    """A location's appointments for staff calendars; the unguessable token is the access."""
    location = get_object_or_404(Location.objects.select_related("service"), feed_token=token)
    body = ics.calendar(
        selectors.feed_bookings(location),
        name=f"{location.service.name} — {location.name}",
        staff=True,
    )
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


def _booking_from(token) -> Booking:
    uid = links.booking_uid(token)
    booking = selectors.booking_by_uid(uid) if uid else None
    if booking is None:
        raise Http404
    return booking


def _rate_limited(request) -> bool:
    """Count a booking attempt against the client's address and the account."""
    try:
        check_rate_limit(request, "appointments-booking")
        count_event(
            f"appointments-booking:user:{request.user.pk}",
            limit=BOOKINGS_PER_USER_PER_HOUR,
            window_seconds=3600,
        )
    except RateLimited:
        return True
    return False


def _month(value: str | None) -> date:
    today = timezone.localdate()
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        chosen = date(year, month, 1)
    except ValueError:
        return today.replace(day=1)
    return max(chosen, today.replace(day=1))


def _shift(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
