"""Django form fields built from the builder's JSON field definitions, validated server-side.

Each field type maps to a Django field with the builder's rules (length, range, pattern,
choices); answers are stored as JSON (``to_json``) and shown back (``display``).
"""

import datetime
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lutetia.core.districts.lookup import district_at
from lutetia.core.uploads import CleanDocument, DocumentUploadField

TEXT_MAX_LENGTH = 1000
LONG_TEXT_MAX_LENGTH = 10_000
PHONE_VALIDATOR = RegexValidator(
    r"^\+?[0-9][0-9 .()-]{5,24}$",
    gettext_lazy("Enter a phone number, for example 01 42 76 40 40 or +33 1 42 76 40 40."),
)


class AddressWidget(forms.MultiWidget):
    """An address, and the point on the map (typed, or set by clicking the map with JS)."""

    template_name = "formbuilder/widgets/address.html"

    def __init__(self, attrs=None):
        number = {"step": "any", "inputmode": "decimal"}
        super().__init__(
            {
                "address": forms.TextInput(attrs={"autocomplete": "street-address"}),
                "latitude": forms.NumberInput(attrs=number),
                "longitude": forms.NumberInput(attrs=number),
            },
            attrs,
        )

    def decompress(self, value):
        if not value:
            return [None, None, None]
        return [value.get("address"), value.get("latitude"), value.get("longitude")]


class AddressField(forms.MultiValueField):
    """An address with a point inside the city; its value says in which district."""

    widget = AddressWidget

    def __init__(self, **kwargs):
        super().__init__(
            fields=(  # each part optional: ``compress`` says what is missing
                forms.CharField(max_length=300, required=False),
                forms.FloatField(min_value=-90, max_value=90, required=False),
                forms.FloatField(min_value=-180, max_value=180, required=False),
            ),
            require_all_fields=False,
            **kwargs,
        )

    def compress(self, data_list):
        if not data_list or all(value in (None, "") for value in data_list):
            return None
        address, latitude, longitude = data_list
        if not address or latitude is None or longitude is None:
            raise ValidationError(
                _("Give the address and place the point (latitude and longitude)."),
                code="incomplete",
            )
        district = district_at(longitude, latitude)
        if district is None:
            raise ValidationError(_("This point is outside the city."), code="outside_city")
        return {
            "address": address,
            "latitude": latitude,
            "longitude": longitude,
            "district": district.code,
            "district_name": district.name,
        }


def _text(spec, max_length, widget=None):
    validators = []
    if spec.get("pattern"):
        message = spec.get("pattern_message") or _("The answer does not have the expected form.")
        validators.append(RegexValidator(spec["pattern"], message))
    return forms.CharField(
        min_length=spec.get("min_length"),
        max_length=min(spec.get("max_length") or max_length, max_length),
        validators=validators,
        widget=widget,
    )


def _number(spec):
    bound = {key: Decimal(spec[key]) for key in ("min_value", "max_value") if key in spec}
    return forms.DecimalField(
        max_digits=20, decimal_places=6, widget=forms.NumberInput(attrs={"step": "any"}), **bound
    )


def _choices(spec):
    return [(choice, choice) for choice in spec["choices"]]


FIELD_FACTORIES = {
    "text": lambda spec: _text(spec, TEXT_MAX_LENGTH),
    "long_text": lambda spec: _text(spec, LONG_TEXT_MAX_LENGTH, forms.Textarea),
    "number": _number,
    "date": lambda spec: forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    ),
    "email": lambda spec: forms.EmailField(
        max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    ),
    "phone": lambda spec: forms.CharField(
        max_length=30,
        validators=[PHONE_VALIDATOR],
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    ),
    "single_choice": lambda spec: forms.ChoiceField(
        choices=_choices(spec), widget=forms.RadioSelect
    ),
    "multiple_choice": lambda spec: forms.MultipleChoiceField(
        choices=_choices(spec), widget=forms.CheckboxSelectMultiple
    ),
    "checkbox": lambda spec: forms.BooleanField(),
    "file": lambda spec: DocumentUploadField(),
    "address": lambda spec: AddressField(),
    "terms": lambda spec: forms.BooleanField(),
}


def form_field(spec: dict, *, has_file: bool = False) -> forms.Field:
    """The Django field asking ``spec``'s question; a file field that has a file is optional."""
    field = FIELD_FACTORIES[spec["type"]](spec)
    field.label = spec["label"]
    field.required = spec["required"] and not (spec["type"] == "file" and has_file)
    field.help_text = _help_text(spec, has_file)
    return field


class FieldsForm(forms.Form):
    """A form asking the given fields (after any declared ones), initially ``answers``.

    ``stored_files`` are the codes of file fields that already have a file: sending
    another file replaces it.
    """

    def __init__(self, specs: list[dict], answers: dict, *, stored_files=(), **kwargs):
        self.specs = {spec["code"]: spec for spec in specs}
        initial = {code: answers[code] for code in self.specs if code in answers}
        super().__init__(initial=initial, **kwargs)
        for code, spec in self.specs.items():
            self.fields[code] = form_field(spec, has_file=code in stored_files)

    def answers(self) -> dict:
        """The answers as JSON values (files are returned by ``uploads``)."""
        return {
            code: to_json(self.cleaned_data[code])
            for code, spec in self.specs.items()
            if spec["type"] != "file" and code in self.cleaned_data
        }

    def uploads(self) -> dict[str, CleanDocument]:
        return {
            code: self.cleaned_data[code]
            for code, spec in self.specs.items()
            if spec["type"] == "file" and isinstance(self.cleaned_data.get(code), CleanDocument)
        }


def _help_text(spec: dict, has_file: bool) -> str:
    parts = [spec.get("terms", ""), spec["help_text"]]
    if has_file:
        parts.append(_("A file is already attached; send another one only to replace it."))
    return " ".join(part for part in parts if part)


def to_json(value):
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def display(spec: dict, value) -> str:
    """An answer as a resident or agent reads it."""
    if value in (None, "", []):
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return ", ".join(value)
    if spec["type"] == "address":
        return f"{value['address']} ({value['district_name']})"
    if spec["type"] == "date":
        return formats.date_format(datetime.date.fromisoformat(value), "DATE_FORMAT")
    return str(value)
