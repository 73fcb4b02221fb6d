"""Form fields for a point on the city's map, shared by the forms that ask for one."""

from django import forms
from django.utils.translation import gettext_lazy as _


def coordinate_fields(*, latitude_help, required: bool = False):
    """Latitude and longitude fields: a map's script fills them in, or they are typed by hand."""
    latitude = forms.FloatField(
        label=_("Latitude"),
        required=required,
        min_value=-90,
        max_value=90,
        help_text=latitude_help,
        widget=forms.NumberInput(attrs={"step": "any"}),
    )
    longitude = forms.FloatField(
        label=_("Longitude"),
        required=required,
        min_value=-180,
        max_value=180,
        help_text=_("For example 2.3522."),
        widget=forms.NumberInput(attrs={"step": "any"}),
    )
    return latitude, longitude
