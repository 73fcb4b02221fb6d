"""Back office of the appointments service: calendars, slots, bookings and configuration.

Every screen is scoped to the staff member's departments; every form calls an action.
"""

import csv
from datetime import date, timedelta
from urllib.parse import urljoin

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.viewsets.model import ModelViewSet

from lutetia.accounts.models import User
from lutetia.core.backoffice import ActionErrorsMixin, ObjectActionsView
from lutetia.core.formbuilder.fields import display
from lutetia.core.models import Department
from lutetia.core.permissions import (
    department_ids,
    is_city_administrator,
    may_manage,
    scope_to_departments,
)
from lutetia.services.appointments import actions, schedule, selectors
from lutetia.services.appointments.forms import TypeChoiceField
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

CALENDAR = "appointments_calendar"
EXPORT_COLUMNS = [
    "reference",
    "starts_at",
    "ends_at",
    "type",
    "resident",
    "email",
    "persons",
    "status",
]


# --- calendar --------------------------------------------------------------------------------


class CalendarForm(forms.Form):
    location = forms.ModelChoiceField(label=gettext_lazy("Location"), queryset=Location.objects)
    day = forms.DateField(
        label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    week = forms.BooleanField(label=gettext_lazy("Whole week"), required=False)

    def __init__(self, data, *, user):
        super().__init__(data)
        self.fields["location"].queryset = selectors.locations_for_staff(user)

    def span(self) -> tuple[date, date]:
        day = self.cleaned_data["day"]
        if self.cleaned_data["week"]:
            monday = day - timedelta(days=day.weekday())
            return monday, monday + timedelta(days=6)
        return day, day


class CalendarMixin:
    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("appointments.view_booking"):
            raise PermissionDenied
        data = request.GET.copy()
        data.setdefault("day", timezone.localdate().isoformat())
        self.form = CalendarForm(data, user=request.user)
        return super().dispatch(request, *args, **kwargs)


class CalendarView(CalendarMixin, WagtailAdminTemplateMixin, TemplateView):
    """A location's slots for a day or a week, with who booked them."""

    template_name = "appointments/admin/calendar.html"
    page_title = gettext_lazy("Appointment calendar")
    header_icon = "date"

    def get_breadcrumbs_items(self):
        return [*super().get_breadcrumbs_items(), {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = self.form
        if self.form.is_valid():
            first, last = self.form.span()
            slots = selectors.calendar(self.form.cleaned_data["location"], first, last)
            tz = schedule.zone()
            days: dict[date, list[Slot]] = {}
            for slot in slots:
                days.setdefault(slot.starts_at.astimezone(tz).date(), []).append(slot)
            feed = reverse(
                "appointments:feed", args=[self.form.cleaned_data["location"].feed_token]
            )
            context.update(
                days=days,
                export_query=self.request.GET.urlencode(),
                feed_url=urljoin(settings.WAGTAILADMIN_BASE_URL, feed),
            )
        return context


class ExportView(CalendarMixin, View):
    """The calendar's bookings as CSV, for the counter's printed list or a spreadsheet.

    After the fixed columns, one per question of the service (headed by its code).
    """

    def get(self, request):
        if not self.form.is_valid():
            return redirect(reverse(f"{CALENDAR}:index"))
        location = self.form.cleaned_data["location"]
        first, last = self.form.span()
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="rendez-vous-{location.pk}-{first}-{last}.csv"'
        )
        writer = csv.writer(response)
        specs = location.service.booking_specs
        writer.writerow([*EXPORT_COLUMNS, *(spec["code"] for spec in specs)])
        tz = schedule.zone()
        for booking in selectors.bookings_for_export(request.user, location, first, last):
            writer.writerow(
                [
                    booking.reference,
                    booking.slot.starts_at.astimezone(tz).isoformat(),
                    booking.ends_at.astimezone(tz).isoformat(),
                    booking.appointment_type.name if booking.appointment_type else "",
                    booking.user.get_full_name(),
                    booking.user.email,
                    booking.persons,
                    booking.status,
                    *(display(spec, booking.answers.get(spec["code"])) for spec in specs),
                ]
            )
        return response


class BookOnBehalfForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Resident's e-mail address"),
        help_text=gettext_lazy("The resident must have an account."),
    )
    appointment_type = TypeChoiceField(
        label=gettext_lazy("Type of appointment"),
        queryset=AppointmentType.objects.none(),
        help_text=gettext_lazy("A type longer than the slot also takes the slots after it."),
    )
    persons = forms.IntegerField(label=gettext_lazy("Persons"), min_value=1, initial=1)
    overbook = forms.BooleanField(
        label=gettext_lazy("Overbook"),
        required=False,
        help_text=gettext_lazy("If the slot is full, add places to it (recorded in its history)."),
    )

    def __init__(self, *args, service, **kwargs):
        super().__init__(*args, **kwargs)
        types = service.types.order_by("duration_minutes", "name_fr")
        if types:
            self.fields["appointment_type"].queryset = types
        else:
            del self.fields["appointment_type"]

    def clean_email(self):
        user = User.objects.filter(
            email__iexact=self.cleaned_data["email"], deleted_at__isnull=True
        ).first()
        if user is None:
            raise ValidationError(_("No account has this e-mail address."))
        return user


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(label=gettext_lazy("I confirm"))


class AttendanceForm(forms.Form):
    attended = forms.TypedChoiceField(
        label=gettext_lazy("Attendance"),
        choices=[("1", gettext_lazy("Attended")), ("0", gettext_lazy("No-show"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )


class SlotView(ObjectActionsView):
    """One slot: its bookings, booking on behalf of a resident, closing it."""

    template_name = "appointments/admin/slot.html"
    header_icon = "date"
    queryset = Slot.objects.select_related("location__service")
    view_permission = "appointments.view_slot"
    index_url_name = f"{CALENDAR}:index"
    FORMS = {"book": BookOnBehalfForm, "close": ConfirmForm}

    def get_page_title(self):
        return _("Slot")

    def get_page_subtitle(self):
        local = timezone.localtime(self.object.starts_at)
        return f"{self.object.location} — {local:%d/%m/%Y %H:%M}"

    def get_breadcrumbs_items(self):
        return [
            *super().get_breadcrumbs_items(),
            {"url": _calendar_url(self.object), "label": _("Appointment calendar")},
            {"url": "", "label": self.get_page_subtitle()},
        ]

    @cached_property
    def allowed_forms(self) -> set[str]:
        user, allowed = self.request.user, set()
        if user.has_perm("appointments.add_booking") and not self.object.closed:
            allowed.add("book")
        if user.has_perm("appointments.change_slot") and not self.object.closed:
            allowed.add("close")
        return allowed

    def form_kwargs(self, name: str) -> dict:
        return {"service": self.object.location.service} if name == "book" else {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["slot"] = self.object
        context["bookings"] = selectors.bookings_covering(self.object).order_by(
            "slot__starts_at", "pk"
        )
        context["may_overbook"] = self.request.user.has_perm("appointments.overbook")
        return context

    def _book(self, data):
        actions.book(
            slot=self.object,
            acting_user=self.request.user,
            for_user=data["email"],
            appointment_type=data.get("appointment_type"),
            persons=data["persons"],
            overbook=data["overbook"],
        )

    def _close(self, data):
        actions.close_slot(slot=self.object, acting_user=self.request.user)


class BookingView(ObjectActionsView):
    """One appointment: attendance once it has started, cancellation before."""

    template_name = "appointments/admin/booking.html"
    header_icon = "date"
    queryset = Booking.objects.select_related("slot__location", "service", "user")
    view_permission = "appointments.view_booking"
    index_url_name = f"{CALENDAR}:index"
    FORMS = {"attendance": AttendanceForm, "cancel": ConfirmForm}

    def get_page_title(self):
        return self.object.reference

    def get_breadcrumbs_items(self):
        return [
            *super().get_breadcrumbs_items(),
            {"url": _calendar_url(self.object.slot), "label": _("Appointment calendar")},
            {"url": "", "label": self.object.reference},
        ]

    @cached_property
    def allowed_forms(self) -> set[str]:
        if not self.request.user.has_perm("appointments.change_booking"):
            return set()
        if self.object.status == Booking.Status.CANCELLED:
            return set()
        started = self.object.slot.starts_at <= timezone.now()
        return {"attendance"} if started else {"cancel"}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["booking"] = self.object
        return context

    def _attendance(self, data):
        actions.mark_attendance(
            booking=self.object, attended=data["attended"], acting_user=self.request.user
        )

    def _cancel(self, data):
        actions.cancel(booking=self.object, acting_user=self.request.user)


def _calendar_url(slot: Slot) -> str:
    day = timezone.localtime(slot.starts_at).date()
    query = urlencode({"location": slot.location_id, "day": day.isoformat()})
    return f"{reverse(f'{CALENDAR}:index')}?{query}"


class CalendarViewSet(ViewSet):
    name = CALENDAR
    url_prefix = "appointments/calendar"
    icon = "date"

    def get_urlpatterns(self):
        return [
            path("", CalendarView.as_view(), name="index"),
            path("export/", ExportView.as_view(), name="export"),
            path("slot/<int:pk>/", SlotView.as_view(), name="slot"),
            path("booking/<int:pk>/", BookingView.as_view(), name="booking"),
        ]


# --- configuration ---------------------------------------------------------------------------


class ConfigForm(WagtailAdminModelForm):
    """Departments, services and locations offered are only those the staff member manages."""

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        if for_user is None or is_city_administrator(for_user):
            return
        if "department" in self.fields:
            self.fields["department"].queryset = Department.objects.filter(
                pk__in=department_ids(for_user)
            )
        if "service" in self.fields:
            self.fields["service"].queryset = selectors.services_for_staff(for_user)
        if "location" in self.fields:
            self.fields["location"].queryset = selectors.locations_for_staff(for_user)


class ManagedObjectMixin:
    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if not may_manage(self.request.user, obj):
            raise PermissionDenied
        return obj


class ConfigIndexView(generic.IndexView):
    scope_field = "department"

    def get_base_queryset(self):
        return scope_to_departments(
            self.request.user, super().get_base_queryset(), self.scope_field
        )


class ConfigCreateView(ActionErrorsMixin, generic.CreateView):
    def save_instance(self):
        return actions.save_config(obj=self.form.instance, acting_user=self.request.user)


class ConfigEditView(ActionErrorsMixin, ManagedObjectMixin, generic.EditView):
    def save_instance(self):
        return actions.save_config(obj=self.form.instance, acting_user=self.request.user)


class ConfigDeleteView(ManagedObjectMixin, generic.DeleteView):
    def delete_action(self):
        actions.delete_config(obj=self.object, acting_user=self.request.user)

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            messages.error(self.request, " ".join(error.messages))
            return redirect(self.edit_url_name, self.object.pk)


class ConfigViewSet(ModelViewSet):
    """A setting of the appointment services, listed within the staff member's departments."""

    scope_field = "department"
    index_view_class = ConfigIndexView
    add_view_class = ConfigCreateView
    edit_view_class = ConfigEditView
    delete_view_class = ConfigDeleteView
    copy_view_enabled = False
    inspect_view_enabled = False
    add_to_reference_index = False
    icon = "date"

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(scope_field=self.scope_field, **kwargs)

    def get_form_class(self, for_update=False):
        return forms.modelform_factory(self.model, form=ConfigForm, fields=self.form_fields)


class ServiceViewSet(ConfigViewSet):
    model = AppointmentService
    name = "appointment_services"
    url_prefix = "appointments/services"
    menu_label = gettext_lazy("Appointment services")
    form_fields = [
        "name_fr",
        "name_en",
        "slug",
        "department",
        "description_fr",
        "description_en",
        "min_notice_hours",
        "horizon_days",
        "limit_count",
        "limit_period_days",
        "max_persons",
        "required_level",
        "booking_fields",
        "is_active",
    ]
    list_display = ["name_fr", "department", "is_active"]
    list_filter = ["department", "is_active"]


class LocationViewSet(ConfigViewSet):
    model = Location
    name = "appointment_locations"
    url_prefix = "appointments/locations"
    menu_label = gettext_lazy("Appointment locations")
    scope_field = "service__department"
    # The district follows from the coordinates (core district lookup).
    form_fields = ["service", "name", "address", "latitude", "longitude", "is_active"]
    list_display = ["name", "service", "district", "is_active"]
    list_filter = ["service", "is_active"]


class TypeViewSet(ConfigViewSet):
    model = AppointmentType
    name = "appointment_types"
    url_prefix = "appointments/types"
    menu_label = gettext_lazy("Appointment types")
    scope_field = "service__department"
    form_fields = ["service", "name_fr", "name_en", "duration_minutes"]
    list_display = ["name_fr", "service", "duration_minutes"]
    list_filter = ["service"]


class TemplateViewSet(ConfigViewSet):
    model = WeeklyTemplate
    name = "appointment_templates"
    url_prefix = "appointments/opening-hours"
    menu_label = gettext_lazy("Opening hours")
    scope_field = "location__service__department"
    form_fields = [
        "location",
        "weekday",
        "opens_at",
        "closes_at",
        "slot_minutes",
        "capacity",
        "valid_from",
        "valid_until",
    ]
    list_display = ["location", "weekday", "opens_at", "closes_at", "slot_minutes", "capacity"]
    list_filter = ["location", "weekday"]


class ClosingDayViewSet(ConfigViewSet):
    model = ClosingDay
    name = "appointment_closing_days"
    url_prefix = "appointments/closing-days"
    menu_label = gettext_lazy("Closing days")
    scope_field = "service__department"
    form_fields = ["service", "location", "date", "reason"]
    list_display = ["date", "service", "location", "reason"]
    list_filter = ["service"]


class OverrideViewSet(ConfigViewSet):
    model = SlotOverride
    name = "appointment_overrides"
    url_prefix = "appointments/overrides"
    menu_label = gettext_lazy("One-off changes")
    scope_field = "location__service__department"
    form_fields = ["location", "date", "kind", "starts_at", "ends_at", "capacity", "slot_minutes"]
    list_display = ["date", "location", "kind", "starts_at", "ends_at", "capacity"]
    list_filter = ["location", "kind"]


calendar_viewset = CalendarViewSet()
service_viewset = ServiceViewSet()
location_viewset = LocationViewSet()
type_viewset = TypeViewSet()
template_viewset = TemplateViewSet()
closing_day_viewset = ClosingDayViewSet()
override_viewset = OverrideViewSet()
