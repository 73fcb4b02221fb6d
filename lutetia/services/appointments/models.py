"""Appointments: services, their locations and opening rules, materialised slots, bookings.

Opening rules (weekly templates, closing days, one-off overrides) are turned into
concrete ``Slot`` rows (``slots.materialise``); a slot's ``booked <= capacity`` is a
database CHECK constraint and every booking increments ``booked`` with one conditional
UPDATE, so no number of app servers can book past capacity.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from wagtail.fields import StreamField

from lutetia.accounts.models import VerificationLevel
from lutetia.core.formbuilder.blocks import FieldListBlock, field_blocks
from lutetia.core.formbuilder.definition import fields_snapshot
from lutetia.core.formbuilder.fields import display
from lutetia.core.registry import localized

# The form builder's types that fit a one-page booking form: no file (nowhere to keep it
# safely with a booking, and documents are shown at the counter) and no address and map.
BOOKING_FIELD_TYPES = (
    "text",
    "long_text",
    "number",
    "date",
    "email",
    "phone",
    "single_choice",
    "multiple_choice",
    "checkbox",
    "terms",
)


class BookingFieldsBlock(FieldListBlock):
    reserved_codes = frozenset({"appointment_type", "persons"})  # the booking form's own


class AppointmentService(models.Model):
    """What residents book (e.g. "ID card and passport"), run by one department."""

    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    department = models.ForeignKey(
        "core.Department",
        on_delete=models.PROTECT,
        related_name="appointment_services",
        verbose_name=_("department"),
    )
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    min_notice_hours = models.PositiveIntegerField(
        _("minimum notice (hours)"),
        default=2,
        help_text=_("Slots starting sooner than this cannot be booked online."),
    )
    horizon_days = models.PositiveIntegerField(
        _("maximum horizon (days)"), default=60, help_text=_("How far ahead residents may book.")
    )
    limit_count = models.PositiveIntegerField(
        _("appointments per resident"),
        null=True,
        blank=True,
        help_text=_("At most this many active appointments per period; empty for no limit."),
    )
    limit_period_days = models.PositiveIntegerField(_("limit period (days)"), default=30)
    max_persons = models.PositiveIntegerField(
        _("persons per booking"), default=1, help_text=_("Places one booking may take.")
    )
    required_level = models.PositiveSmallIntegerField(
        _("required verification level"),
        choices=VerificationLevel.choices,
        default=VerificationLevel.EMAIL,
    )
    booking_fields = StreamField(
        BookingFieldsBlock(field_blocks(BOOKING_FIELD_TYPES, conditions=False)),
        blank=True,
        verbose_name=_("questions asked at booking"),
        help_text=_("Answers are kept with each appointment; staff see them on its page."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name_fr"]
        verbose_name = _("appointment service")
        verbose_name_plural = _("appointment services")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized({"fr": self.name_fr, "en": self.name_en})

    @property
    def description(self) -> str:
        return localized({"fr": self.description_fr, "en": self.description_en})

    @property
    def booking_specs(self) -> list[dict]:
        """The booking questions as the form builder's JSON field definitions."""
        return fields_snapshot(self.booking_fields)


class Location(models.Model):
    """Where a service receives residents: a town hall, a tennis court."""

    service = models.ForeignKey(
        AppointmentService,
        on_delete=models.CASCADE,
        related_name="locations",
        verbose_name=_("service"),
    )
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=255, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    district = models.ForeignKey(
        "districts.District",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )
    feed_token = models.UUIDField(_("calendar feed token"), default=uuid.uuid4, editable=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["service", "name"]
        verbose_name = _("location")
        verbose_name_plural = _("locations")

    def __str__(self) -> str:
        return self.name

    @property
    def department_id(self):
        return self.service.department_id


class AppointmentType(models.Model):
    """A kind of appointment of a service and how long it lasts.

    A booking of the type takes the consecutive slots that cover its duration (one slot
    when it is no longer than the slot).
    """

    service = models.ForeignKey(
        AppointmentService,
        on_delete=models.CASCADE,
        related_name="types",
        verbose_name=_("service"),
    )
    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    duration_minutes = models.PositiveIntegerField(
        _("duration (minutes)"),
        default=15,
        help_text=_(
            "A booking takes as many consecutive slots as this needs (one if it is no longer "
            "than a slot)."
        ),
    )

    class Meta:
        ordering = ["service", "name_fr"]
        verbose_name = _("appointment type")
        verbose_name_plural = _("appointment types")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized({"fr": self.name_fr, "en": self.name_en})

    @property
    def department_id(self):
        return self.service.department_id


class WeeklyTemplate(models.Model):
    """Opening hours of a location on one weekday, cut into slots, over a date range."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="templates", verbose_name=_("location")
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens_at = models.TimeField(_("opens at"), help_text=_("Local time (Europe/Paris)."))
    closes_at = models.TimeField(_("closes at"))
    slot_minutes = models.PositiveIntegerField(_("slot length (minutes)"), default=15)
    capacity = models.PositiveIntegerField(_("places per slot"), default=1)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        ordering = ["location", "weekday", "opens_at"]
        verbose_name = _("weekly opening hours")
        verbose_name_plural = _("weekly opening hours")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="appointments_template_hours"
            ),
            models.CheckConstraint(
                condition=Q(slot_minutes__gt=0), name="appointments_template_slot_length"
            ),
        ]

    def __str__(self) -> str:
        hours = f"{self.opens_at:%H:%M}–{self.closes_at:%H:%M}"
        return f"{self.location} — {self.get_weekday_display()} {hours}"

    @property
    def department_id(self):
        return self.location.service.department_id

    def clean(self):
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("Closing time must be after opening time.")})
        if self.valid_until and self.valid_from and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("The end date is before the start date.")})


class ClosingDay(models.Model):
    """A day a service closes (public holiday), at one location or all of them."""

    service = models.ForeignKey(
        AppointmentService,
        on_delete=models.CASCADE,
        related_name="closing_days",
        verbose_name=_("service"),
    )
    location = models.ForeignKey(
        Location,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="closing_days",
        verbose_name=_("location"),
        help_text=_("Empty: every location of the service."),
    )
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("closing day")
        verbose_name_plural = _("closing days")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.reason}".strip()

    @property
    def department_id(self):
        return self.service.department_id


class SlotOverride(models.Model):
    """A one-off change on one day at a location: extra opening, closing, or capacity."""

    class Kind(models.TextChoices):
        EXTRA = "extra", _("Extra opening")
        CLOSED = "closed", _("Closed")
        CAPACITY = "capacity", _("Capacity change")

    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="overrides", verbose_name=_("location")
    )
    date = models.DateField(_("date"))
    starts_at = models.TimeField(_("from"), help_text=_("Local time (Europe/Paris)."))
    ends_at = models.TimeField(_("until"))
    kind = models.CharField(_("change"), max_length=10, choices=Kind.choices)
    capacity = models.PositiveIntegerField(
        _("places per slot"), null=True, blank=True, help_text=_("Extra openings and changes.")
    )
    slot_minutes = models.PositiveIntegerField(
        _("slot length (minutes)"), default=15, help_text=_("Extra openings only.")
    )

    class Meta:
        ordering = ["date", "starts_at"]
        verbose_name = _("slot override")
        verbose_name_plural = _("slot overrides")

    def __str__(self) -> str:
        return f"{self.location} {self.date:%Y-%m-%d} {self.get_kind_display()}"

    @property
    def department_id(self):
        return self.location.service.department_id

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The end is before the start.")})
        if self.kind in (self.Kind.EXTRA, self.Kind.CAPACITY) and not self.capacity:
            raise ValidationError({"capacity": _("Give the number of places per slot.")})


class Slot(models.Model):
    """One bookable time at a location; ``booked`` never exceeds ``capacity`` (CHECK)."""

    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="slots", verbose_name=_("location")
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(_("places"))
    booked = models.PositiveIntegerField(_("booked"), default=0)
    closed = models.BooleanField(_("closed"), default=False)

    class Meta:
        ordering = ["starts_at", "location"]
        verbose_name = _("slot")
        verbose_name_plural = _("slots")
        constraints = [
            models.UniqueConstraint(
                fields=["location", "starts_at"], name="appointments_slot_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(booked__lte=F("capacity")), name="appointments_slot_not_overbooked"
            ),
        ]
        indexes = [models.Index(fields=["starts_at", "location"], name="appointments_slot_start")]

    def __str__(self) -> str:
        return f"{self.location} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def department_id(self):
        return self.location.service.department_id

    @property
    def free(self) -> int:
        return 0 if self.closed else max(0, self.capacity - self.booked)


class Booking(models.Model):
    """A resident's appointment: ``persons`` places in each slot from ``slot`` to ``ends_at``.

    ``slot`` is the first slot taken; a type longer than a slot also takes the consecutive
    slots after it, up to ``ends_at`` (the end of the last one), which release, moves,
    calendars and the .ics read.
    """

    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        CANCELLED = "cancelled", _("Cancelled")
        ATTENDED = "attended", _("Attended")
        NO_SHOW = "no_show", _("No-show")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    service = models.ForeignKey(
        AppointmentService,
        on_delete=models.PROTECT,
        related_name="bookings",
        verbose_name=_("service"),
    )
    department = models.ForeignKey(
        "core.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("department")
    )
    slot = models.ForeignKey(
        Slot, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("slot")
    )
    ends_at = models.DateTimeField(
        _("ends at"), help_text=_("The end of the last slot the appointment takes.")
    )
    appointment_type = models.ForeignKey(
        AppointmentType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bookings",
        verbose_name=_("appointment type"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name=_("resident"),
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("booked by"),
    )
    persons = models.PositiveIntegerField(_("persons"), default=1)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.BOOKED, db_index=True
    )
    sequence = models.PositiveIntegerField(_("revision"), default=0)
    created_at = models.DateTimeField(_("booked at"), auto_now_add=True, db_index=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)

    class Meta:
        ordering = ["slot__starts_at", "pk"]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        indexes = [models.Index(fields=["user", "status"], name="appointments_booking_user")]
        permissions = [("overbook", "Can book past a slot's capacity")]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"RDV-{self.pk:06d}"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.BOOKED

    def answer_rows(self) -> list[tuple[str, str]]:
        """(question, answer) as people read them, labelled with the service's questions;
        the answer to a question removed since is labelled with its code."""
        specs = {spec["code"]: spec for spec in self.service.booking_specs}
        return [
            (specs[code]["label"], display(specs[code], value))
            if code in specs
            else (code, display({"type": "text"}, value))
            for code, value in self.answers.items()
        ]
