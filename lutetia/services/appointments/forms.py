"""Input forms of the appointments service; validation only, the writes are in actions.py."""

from django import forms
from django.core.validators import RegexValidator
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from lutetia.services.appointments.models import AppointmentType, Slot

PHONE = RegexValidator(r"^\+?[0-9 .()-]{6,20}$", _("Enter a phone number."))


class TypeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


def question_field(question: dict) -> forms.Field:
    """A form field for one of the service's booking questions."""
    kind = question.get("type", "text")
    common = {"label": question["label"], "required": bool(question.get("required"))}
    if kind == "email":
        return forms.EmailField(max_length=254, **common)
    if kind == "number":
        return forms.IntegerField(min_value=0, max_value=1_000_000, **common)
    if kind == "phone":
        return forms.CharField(
            max_length=20,
            validators=[PHONE],
            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            **common,
        )
    return forms.CharField(max_length=500, **common)


class BookingForm(forms.Form):
    """Type, number of persons and the service's questions (only those the service has)."""

    appointment_type = TypeChoiceField(
        label=_("Type of appointment"), queryset=AppointmentType.objects.none()
    )
    persons = forms.IntegerField(label=_("Number of persons"), min_value=1, initial=1)

    def __init__(self, *args, service, **kwargs):
        super().__init__(*args, **kwargs)
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
        for question in service.questions:
            self.fields[f"q_{question['name']}"] = question_field(question)

    def booking(self) -> dict:
        """Keyword arguments for ``actions.book``."""
        data = self.cleaned_data
        return {
            "appointment_type": data.get("appointment_type"),
            "persons": data.get("persons") or 1,
            "answers": {
                question["name"]: data.get(f"q_{question['name']}")
                for question in self.service.questions
                if data.get(f"q_{question['name']}") not in (None, "")
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
