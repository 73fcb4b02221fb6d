"""Input forms of Dans ma rue's public pages; validation only, the writes are in actions.py.

Reporting takes two steps so that it works without JavaScript: where and what (category
and point, sent by GET), then the nearby open reports and the details (POST). Each step
re-checks what the previous one sent.
"""

from datetime import datetime, time, timedelta

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lutetia.core.districts.lookup import district_at
from lutetia.core.districts.models import District
from lutetia.core.uploads import ImageUploadField
from lutetia.services.reports.actions import ALERT_RADII, Reporter
from lutetia.services.reports.models import Category, CategoryAttribute, Report
from lutetia.services.reports.selectors import report_categories

OUTSIDE_CITY = _("This point is outside the city: place the marker on a street of the city.")


class CategoryField(forms.ChoiceField):
    """A problem type chosen by its code, offered grouped by family (``<optgroup>``).

    With ``families=True`` a family can be chosen too (filters: all its sub-types).
    """

    def __init__(self, *, families: bool = False, **kwargs):
        self.families = families
        super().__init__(**kwargs)
        self.choices = self._grouped

    def _grouped(self):
        groups = [("", _("Choose…") if self.required else _("All"))]
        for family in report_categories():
            options = [(sub.code, sub.name) for sub in family.subtypes]
            if self.families:
                options.insert(0, (family.code, _("All: %(family)s") % {"family": family.name}))
            groups.append((family.name, options))
        return groups

    def clean(self, value):
        code = super().clean(value)
        if not code:
            return None
        category = Category.objects.filter(code=code, active=True).select_related("parent").first()
        if category is None or (category.is_family and not self.families):
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return category


def coordinate_fields(required: bool = True) -> tuple[forms.FloatField, forms.FloatField]:
    """Latitude and longitude fields (filled by the map, typed by hand without JavaScript)."""
    latitude = forms.FloatField(
        label=_("Latitude"),
        required=required,
        min_value=-90,
        max_value=90,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        help_text=_("Click the map or use your location; without a map, e.g. 48.8530."),
    )
    longitude = forms.FloatField(
        label=_("Longitude"),
        required=required,
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        help_text=_("For example 2.3499."),
    )
    return latitude, longitude


class WhereForm(forms.Form):
    """Step 1: the problem type and its place (GET, so the step can be bookmarked)."""

    category = CategoryField(label=_("Type of problem"))
    latitude, longitude = coordinate_fields()
    address = forms.CharField(
        label=_("Address or landmark"),
        required=False,
        max_length=300,
        help_text=_("Optional: helps the teams find the place (e.g. in front of number 12)."),
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )

    def clean(self):
        cleaned = super().clean()
        longitude, latitude = cleaned.get("longitude"), cleaned.get("latitude")
        if longitude is not None and latitude is not None:
            cleaned["district"] = district_at(longitude, latitude)
            if cleaned["district"] is None:
                self.add_error("latitude", OUTSIDE_CITY)
        return cleaned


class AddressSearchForm(forms.Form):
    """The address search box, shown only when a geocoder is configured."""

    q = forms.CharField(label=_("Search an address"), max_length=200, required=False)


class ReportForm(forms.Form):
    """Step 2: the details. The step-1 answers travel as hidden fields and are re-checked."""

    category = CategoryField(label=_("Type of problem"), widget=forms.HiddenInput)
    latitude, longitude = coordinate_fields()
    address = forms.CharField(required=False, max_length=300, widget=forms.HiddenInput)
    description = forms.CharField(
        label=_("Description"),
        max_length=settings.LUTETIA_REPORTS_DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What is the problem? Do not write anyone's name or contact details."),
    )
    photo_1 = ImageUploadField(
        label=_("Photo 1"),
        required=False,
        help_text=_(
            "Up to three photos: JPEG, PNG or WebP, 10 MB each. Their location and camera "
            "details are removed."
        ),
    )
    photo_2 = ImageUploadField(label=_("Photo 2"), required=False)
    photo_3 = ImageUploadField(label=_("Photo 3"), required=False)
    email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_("We send you a link to confirm the report, then its news. Never shown."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    first_name = forms.CharField(
        label=_("First name"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        required=False,
        max_length=150,
        help_text=_("Never shown: only the city's teams see it."),
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=40,
        help_text=_("Optional, never shown: the teams may call you about the place."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    public = forms.BooleanField(
        label=_("Show my first name publicly"),
        required=False,
        help_text=_("Otherwise the report says it comes from an anonymous resident."),
    )

    def __init__(self, *args, category: Category, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.category = category
        self.fields["latitude"].widget = forms.HiddenInput()
        self.fields["longitude"].widget = forms.HiddenInput()
        if user is not None and user.is_authenticated:
            for name in ("email", "first_name", "last_name", "phone"):
                del self.fields[name]
        self.attribute_names = []
        for attribute in category.attributes.filter(variable=True):
            name = f"attribute_{attribute.code}"
            self.fields[name] = attribute_field(attribute)
            self.attribute_names.append((name, attribute.code))
        self.order_fields([*(name for name, _code in self.attribute_names), "description"])

    def clean_category(self):
        category = self.cleaned_data["category"]
        if category != self.category:
            raise ValidationError(_("The type of problem changed: choose it again."))
        return category

    def clean(self):
        cleaned = super().clean()
        longitude, latitude = cleaned.get("longitude"), cleaned.get("latitude")
        if longitude is not None and latitude is not None and not district_at(longitude, latitude):
            raise ValidationError(OUTSIDE_CITY)
        return cleaned

    def photo_fields(self):
        return [self[name] for name in ("photo_1", "photo_2", "photo_3")]

    def submission(self) -> dict:
        """Keyword arguments for ``actions.submit_report``."""
        data = self.cleaned_data
        return {
            "category": data["category"],
            "longitude": data["longitude"],
            "latitude": data["latitude"],
            "address": data["address"],
            "description": data["description"],
            "photos": [data[name] for name in ("photo_1", "photo_2", "photo_3") if data[name]],
            "attributes": self.answers(),
            "reporter": Reporter(
                email=data.get("email", ""),
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
                phone=data.get("phone", ""),
                public=data["public"],
            ),
        }

    def answers(self) -> dict:
        """The answers to the category's questions, keyed by attribute code, JSON-ready."""
        answers = {}
        for name, code in self.attribute_names:
            value = self.cleaned_data.get(name)
            if value in (None, "", []):
                continue
            answers[code] = value.isoformat() if isinstance(value, datetime) else value
        return answers


def attribute_field(attribute: CategoryAttribute) -> forms.Field:
    """The form field asking one of the category's extra questions."""
    options = {
        "label": attribute.description,
        "required": attribute.required,
        "help_text": attribute.datatype_description,
    }
    choices = [(value["key"], value["name"]) for value in attribute.values]
    Datatype = CategoryAttribute.Datatype
    if attribute.datatype == Datatype.NUMBER:
        return forms.FloatField(**options, widget=forms.NumberInput(attrs={"step": "any"}))
    if attribute.datatype == Datatype.DATETIME:
        return forms.DateTimeField(
            **options, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
        )
    if attribute.datatype == Datatype.TEXT:
        return forms.CharField(**options, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    if attribute.datatype == Datatype.SINGLE:
        return forms.ChoiceField(**options, choices=choices, widget=forms.RadioSelect)
    if attribute.datatype == Datatype.MULTI:
        return forms.MultipleChoiceField(
            **options, choices=choices, widget=forms.CheckboxSelectMultiple
        )
    return forms.CharField(**options, max_length=300)


class FollowForm(forms.Form):
    """Following a report: signed-in residents just press the button."""

    email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_("We e-mail you each change of this report."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None and user.is_authenticated:
            del self.fields["email"]


STATUS_FILTERS = [
    ("", _("All")),
    ("open", _("Open")),
    ("closed", _("Closed")),
    *Report.Status.choices,
]


class MapFilterForm(forms.Form):
    """The filters shared by the map, its list and the GeoJSON endpoint (all optional)."""

    category = CategoryField(label=_("Type of problem"), required=False, families=True)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_FILTERS)
    district = forms.ModelChoiceField(
        label=_("District"), required=False, queryset=District.objects.all(), empty_label=_("All")
    )
    since = forms.DateField(
        label=_("Reported from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Reported until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end of the period comes before its start."))
        return cleaned

    def filters(self) -> dict:
        """Keyword arguments for ``selectors.filtered_reports`` (none when the form is invalid)."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "category": data["category"],
            "status": data["status"],
            "district": data["district"],
            "since": _day_start(data["since"]),
            "until": _day_start(data["until"] + timedelta(days=1)) if data["until"] else None,
        }


def _day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min)) if day else None


class AlertForm(forms.Form):
    """A new alert: a district, or a point and a distance; optionally one problem type."""

    district = forms.ModelChoiceField(
        label=_("District"),
        required=False,
        queryset=District.objects.all(),
        empty_label=_("None: around the point below"),
    )
    latitude, longitude = coordinate_fields(required=False)
    radius_m = forms.TypedChoiceField(
        label=_("Distance around the point"),
        required=False,
        coerce=int,
        empty_value=None,
        initial=250,
        choices=[(radius, f"{radius} m") for radius in ALERT_RADII],
    )
    category = CategoryField(label=_("Type of problem"), required=False, families=True)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("district") is not None:
            return cleaned
        longitude, latitude = cleaned.get("longitude"), cleaned.get("latitude")
        if longitude is None or latitude is None:
            raise ValidationError(_("Choose a district, or place a point on the map."))
        if district_at(longitude, latitude) is None:
            self.add_error("latitude", OUTSIDE_CITY)
        return cleaned

    def alert(self) -> dict:
        """Keyword arguments for ``actions.create_alert``."""
        data = self.cleaned_data
        if data["district"] is not None:
            return {"district": data["district"], "category": data["category"]}
        return {
            "longitude": data["longitude"],
            "latitude": data["latitude"],
            "radius_m": data["radius_m"],
            "category": data["category"],
        }
