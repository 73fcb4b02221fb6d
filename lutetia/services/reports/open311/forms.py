"""Validation of Open311 input: GET requests' filters, a POST service request, its attributes.

Error messages name the parameter they are about, since an application developer reads them.
"""

import re
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lutetia.services.reports.models import Category, CategoryAttribute, Report

# The spec's largest range for GET requests, and its default (the most recent 90 days).
MAX_RANGE = timedelta(days=90)
DEFAULT_PAGE_SIZE = 50
# The spec's "first 1000 requests returned" is the most one page holds.
MAX_PAGE_SIZE = 1000
MAX_STRING_ANSWER = 300
MAX_TEXT_ANSWER = 4000
MAX_NUMBER = 10**15
STATUSES = {"open": Report.OPEN, "closed": Report.CLOSED}
_ATTRIBUTE_KEY = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")

W3C_DATE_ERROR = gettext_lazy("Give a W3C date and time, e.g. 2026-01-31T00:00:00Z.")
# "…T08:00:00+01:00" sent unencoded in a query string arrives as "…T08:00:00 01:00".
_UNENCODED_PLUS = re.compile(r"(T[\d:.]+) (\d\d:?\d\d)$")


class W3CDateTimeField(forms.DateTimeField):
    """A W3C date and time; without an offset, the city's time."""

    default_error_messages = {"invalid": W3C_DATE_ERROR}

    def to_python(self, value):
        if isinstance(value, str):
            value = _UNENCODED_PLUS.sub(r"\1+\2", value.strip())
        return super().to_python(value)


def errors_of(form: forms.Form) -> list[str]:
    """A form's errors as Open311 descriptions: ``parameter: message``."""
    return [
        message if field == NON_FIELD_ERRORS else f"{field}: {message}"
        for field, messages in form.errors.items()
        for message in messages
    ]


def _comma_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


class RequestsQuery(forms.Form):
    """GET requests: which public reports, in which page (``page``/``page_size`` extension)."""

    service_request_id = forms.CharField(required=False)
    service_code = forms.CharField(required=False)
    start_date = W3CDateTimeField(required=False)
    end_date = W3CDateTimeField(required=False)
    status = forms.CharField(required=False)
    page = forms.IntegerField(required=False, min_value=1)
    page_size = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE_SIZE)

    def clean_service_request_id(self) -> list[str] | None:
        references = _comma_list(self.cleaned_data["service_request_id"])
        if len(references) > MAX_PAGE_SIZE:
            raise ValidationError(
                _("At most %(max)d ids at once.") % {"max": MAX_PAGE_SIZE}, code="too_many"
            )
        return references or None

    def clean_service_code(self) -> list[int] | None:
        """The ids of the categories asked for (an unknown code matches nothing)."""
        codes = _comma_list(self.cleaned_data["service_code"])
        if not codes:
            return None
        return list(Category.objects.filter(code__in=codes).order_by().values_list("pk", flat=True))

    def clean_status(self) -> tuple[str, ...]:
        names = _comma_list(self.cleaned_data["status"].lower())
        unknown = set(names) - STATUSES.keys()
        if unknown:
            raise ValidationError(
                _("Unknown status %(status)s: use open or closed.")
                % {"status": ", ".join(sorted(unknown))},
                code="status",
            )
        if set(names) == STATUSES.keys():
            return ()
        return tuple(status for name in names for status in STATUSES[name])

    def clean(self):
        data = super().clean()
        if "start_date" in data and "end_date" in data:
            data["start_date"], data["end_date"] = self._range(data["start_date"], data["end_date"])
        return data

    def _range(self, since, until):
        """The spec's rules: at most 90 days; a missing end is 90 days from the other one."""
        if since is None and until is None:
            until = timezone.now()
        if since is None:
            since = until - MAX_RANGE
        if until is None:
            until = since + MAX_RANGE
        if until < since:
            raise ValidationError(_("end_date is before start_date."), code="range")
        if until - since > MAX_RANGE:
            raise ValidationError(
                _("The range from start_date to end_date may not span more than 90 days."),
                code="range",
            )
        return since, until

    @property
    def offset_and_size(self) -> tuple[int, int]:
        """The page asked for; a list of ids overrides paging too (all of them, at once)."""
        if self.cleaned_data["service_request_id"]:
            return 0, len(self.cleaned_data["service_request_id"])
        size = self.cleaned_data["page_size"] or DEFAULT_PAGE_SIZE
        return ((self.cleaned_data["page"] or 1) - 1) * size, size


class ServiceRequestForm(forms.Form):
    """POST requests: the report and who sends it (never published)."""

    service_code = forms.CharField(max_length=60)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90)
    long = forms.FloatField(required=False, min_value=-180, max_value=180)
    address_string = forms.CharField(required=False, max_length=300)
    address_id = forms.CharField(required=False, max_length=100)
    email = forms.EmailField(required=False)
    device_id = forms.CharField(required=False, max_length=200)
    account_id = forms.CharField(required=False, max_length=200)
    first_name = forms.CharField(required=False, max_length=150)
    last_name = forms.CharField(required=False, max_length=150)
    phone = forms.CharField(required=False, max_length=40)
    # The length (4000 at most) is checked by actions.submit_report with the website's rule.
    description = forms.CharField(required=False)
    media_url = forms.URLField(required=False, max_length=1000, assume_scheme="https")

    def clean(self):
        data = super().clean()
        has_lat, has_long = data.get("lat") is not None, data.get("long") is not None
        if has_lat != has_long:
            raise ValidationError(_("Send both lat and long."), code="location")
        if not has_lat and not data.get("address_string") and not data.get("address_id"):
            raise ValidationError(
                _("Give the location: lat and long, or address_string."), code="location"
            )
        return data


def attribute_answers(post) -> dict[str, list[str]]:
    """``attribute[code]=v`` and ``attribute[code][]=v1&attribute[code][]=v2`` by code."""
    answers: dict[str, list[str]] = {}
    for key in post:
        match = _ATTRIBUTE_KEY.match(key)
        if match:
            answers.setdefault(match.group(1), []).extend(post.getlist(key))
    return answers


def clean_attributes(questions, answers: dict[str, list[str]]) -> dict:
    """The answers to a category's ``questions``, checked against their definition.

    Raises ValidationError listing every problem: an unknown or missing required
    attribute, a value of the wrong type, a choice not offered.
    """
    questions = {question.code: question for question in questions}
    problems = [
        _("attribute[%(code)s]: this service has no such attribute.") % {"code": code}
        for code in sorted(answers.keys() - questions.keys())
    ]
    cleaned = {}
    for code, question in questions.items():
        values = [value.strip() for value in answers.get(code, []) if value.strip()]
        try:
            if not values:
                if question.required and question.variable:
                    raise ValidationError(_("this attribute is required."))
                continue
            if not question.variable:
                raise ValidationError(_("this attribute is information, not a question."))
            cleaned[code] = _answer(question, values)
        except ValidationError as error:
            problems.extend(f"attribute[{code}]: {message}" for message in error.messages)
    if problems:
        raise ValidationError(problems)
    return cleaned


def _answer(question: CategoryAttribute, values: list[str]):
    Datatype = CategoryAttribute.Datatype
    if any("\x00" in value for value in values):
        raise ValidationError(_("this value holds a forbidden character."))
    if question.datatype == Datatype.MULTI:
        return [_choice(question, value) for value in values]
    if len(values) > 1:
        raise ValidationError(_("give one value only."))
    value = values[0]
    if question.datatype == Datatype.SINGLE:
        return _choice(question, value)
    if question.datatype == Datatype.NUMBER:
        return _number(value)
    if question.datatype == Datatype.DATETIME:
        moment = W3CDateTimeField().clean(value)
        return moment.isoformat()
    limit = MAX_STRING_ANSWER if question.datatype == Datatype.STRING else MAX_TEXT_ANSWER
    if question.datatype == Datatype.STRING and "\n" in value:
        raise ValidationError(_("this value must fit on one line."))
    if len(value) > limit:
        raise ValidationError(_("at most %(max)d characters.") % {"max": limit})
    return value


def _choice(question: CategoryAttribute, value: str) -> str:
    keys = {str(choice.get("key")) for choice in question.values or []}
    if value not in keys:
        raise ValidationError(
            _("%(value)s is not one of the values offered (%(keys)s).")
            % {"value": value, "keys": ", ".join(sorted(keys))}
        )
    return value


def _number(value: str) -> int | float:
    try:
        number = Decimal(value)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or abs(number) > MAX_NUMBER:
        raise ValidationError(_("give a number."))
    return int(number) if number == number.to_integral_value() else float(number)
