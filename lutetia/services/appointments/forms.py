"""Input forms of the appointments service; validation only, the writes are in actions.py."""

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from lutetia.core.formbuilder.definition import is_answered
from lutetia.core.formbuilder.fields import FieldsForm
from lutetia.services.appointments.models import AppointmentType, Slot


class TypeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class BookingForm(FieldsForm):
    """Type and number of persons (if the service has them), then the service's questions.

    The questions are the form builder's fields; their inputs are named by their codes
    (the service refuses the codes of this form's own inputs).
    """

    appointment_type = TypeChoiceField(
        label=_("Type of appointment"), queryset=AppointmentType.objects.none()
    )
    persons = forms.IntegerField(label=_("Number of persons"), min_value=1, initial=1)

    def __init__(self, data=None, *, service, **kwargs):
        super().__init__(service.booking_specs, {}, data=data, **kwargs)
        self.service = service
        types = service.types.all()
        if types:
            self.fields["appointment_type"].queryset = types
        else:
            del self.fields["appointment_type"]
        if service.max_persons > 1:
            self.fields["persons"] = forms.IntegerField(
                label=_("Number of persons"), min_value=1, max_value=service.max_persons, initial=1
            )
        else:
            del self.fields["persons"]

    def booking(self) -> dict:
        """Keyword arguments for ``actions.book``: only the questions answered are kept."""
        data = self.cleaned_data
        return {
            "appointment_type": data.get("appointment_type"),
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
