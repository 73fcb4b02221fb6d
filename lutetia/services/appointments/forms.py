"""Input forms of the appointments service; validation only, the writes are in actions.py."""

from urllib.parse import urlencode

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from lutetia.core.formbuilder.definition import is_answered
from lutetia.core.formbuilder.fields import FieldsForm
from lutetia.services.appointments.models import AppointmentType, Slot


class TypeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _("%(name)s (%(minutes)d min)") % {
            "name": obj.name,
            "minutes": obj.duration_minutes,
        }


def persons_field(service, **options) -> forms.IntegerField:
    """How many people a booking is for: from one to the service's maximum."""
    return forms.IntegerField(
        label=_("Number of persons"), min_value=1, max_value=service.max_persons, **options
    )


class ChoiceForm(forms.Form):
    """What residents choose before the time (GET, no JavaScript): the type when the
    service's types last differently, since each takes its own span of slots, and the
    number of persons when a booking may take several places.

    Invalid or missing values fall back to the shortest type and one person.
    """

    type = TypeChoiceField(
        label=_("Type of appointment"),
        queryset=AppointmentType.objects.none(),
        required=False,
        empty_label=None,
    )

    def __init__(self, data, *, service):
        super().__init__(data)
        types = service.types.order_by("duration_minutes", "name_fr")
        listed = list(types)
        self.default_type = listed[0] if listed else None
        if len({t.duration_minutes for t in listed}) > 1:
            self.fields["type"].queryset = types
        else:
            del self.fields["type"]
        if service.max_persons > 1:
            self.fields["personnes"] = persons_field(service, required=False)

    @property
    def chooses_type(self) -> bool:
        return "type" in self.fields

    def chosen(self) -> tuple[AppointmentType | None, int]:
        """The type whose span availability is read for, and the number of persons."""
        data = self.cleaned_data if self.is_valid() else {}
        return data.get("type") or self.default_type, data.get("personnes") or 1

    def query(self, appointment_type: AppointmentType | None, persons: int) -> str:
        """A choice as a query string for the links to the booking page."""
        values = {}
        if self.chooses_type and appointment_type is not None:
            values["type"] = appointment_type.pk
        if persons > 1:
            values["personnes"] = persons
        return urlencode(values)


class BookingForm(FieldsForm):
    """Type and number of persons (if the service has them), then the service's questions.

    When the type was chosen before the time (``appointment_type``), it is not asked
    again. The questions are the form builder's fields; their inputs are named by their
    codes (the service refuses the codes of this form's own inputs).
    """

    appointment_type = TypeChoiceField(
        label=_("Type of appointment"), queryset=AppointmentType.objects.none()
    )
    persons = forms.IntegerField(label=_("Number of persons"), min_value=1, initial=1)

    def __init__(self, data=None, *, service, appointment_type=None, persons=1, **kwargs):
        super().__init__(service.booking_specs, {}, data=data, **kwargs)
        self.service = service
        self.fixed_type = appointment_type
        types = service.types.all()
        if types and appointment_type is None:
            self.fields["appointment_type"].queryset = types
        else:
            del self.fields["appointment_type"]
        if service.max_persons > 1:
            self.fields["persons"] = persons_field(service, initial=persons)
        else:
            del self.fields["persons"]

    def booking(self) -> dict:
        """Keyword arguments for ``actions.book``: only the questions answered are kept."""
        data = self.cleaned_data
        return {
            "appointment_type": self.fixed_type or data.get("appointment_type"),
            "persons": data.get("persons") or 1,
            "answers": {
                code: value for code, value in self.answers().items() if is_answered(value)
            },
        }


class RescheduleForm(forms.Form):
    slot = forms.ModelChoiceField(
        label=_("New time"), queryset=Slot.objects.none(), widget=forms.RadioSelect
    )

    def __init__(self, *args, slots, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].queryset = Slot.objects.filter(pk__in=[s.pk for s in slots])
        self.fields["slot"].choices = [(s.pk, slot_label(s)) for s in slots]


def slot_label(slot) -> str:
    local = timezone.localtime(slot.starts_at)
    return f"{formats.date_format(local, 'l j F Y, H:i')} — {slot.location.name}"
