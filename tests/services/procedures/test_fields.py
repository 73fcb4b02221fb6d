"""Each field type's server-side validation, built from a version's JSON definition."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lutetia.core.formbuilder.definition import is_shown
from lutetia.core.formbuilder.fields import display
from lutetia.core.uploads import CleanDocument
from lutetia.services.procedures.definition import final_answers, visible_steps
from lutetia.services.procedures.fields import StepForm
from tests.conftest import INSIDE_PARIS, OUTSIDE_PARIS
from tests.services.procedures.conftest import PDF


def spec(field_type, code="answer", required=True, **options):
    return {
        "type": field_type,
        "code": code,
        "label": code,
        "help_text": "",
        "required": required,
        "condition": None,
        **options,
    }


def validate(field_spec, data, files=None):
    form = StepForm([field_spec], {}, data=data, files=files)
    valid = form.is_valid()
    return valid, form


@pytest.mark.parametrize(
    ("field_spec", "value", "expected"),
    [
        (spec("text", min_length=3, max_length=5), "abcd", "abcd"),
        (spec("text", pattern=r"^\d{5}$", pattern_message="Code postal"), "75004", "75004"),
        (spec("long_text", max_length=20), "deux\nlignes", "deux\nlignes"),
        (spec("number", min_value="1", max_value="10"), "2.50", "2.5"),
        (spec("date"), "2026-05-01", "2026-05-01"),
        (spec("email"), "claire@example.org", "claire@example.org"),
        (spec("phone"), "+33 1 42 76 40 40", "+33 1 42 76 40 40"),
        (spec("single_choice", choices=["a", "b"]), "b", "b"),
        (spec("checkbox", required=False), "on", True),
        (spec("terms", terms="…"), "on", True),
    ],
)
def test_valid_answers_are_stored_as_json(field_spec, value, expected):
    valid, form = validate(field_spec, {"answer": value})
    assert valid, form.errors
    assert form.answers() == {"answer": expected}


def test_multiple_choice_keeps_a_list():
    valid, form = validate(spec("multiple_choice", choices=["a", "b", "c"]), {"answer": ["a", "c"]})
    assert valid
    assert form.answers() == {"answer": ["a", "c"]}


@pytest.mark.parametrize(
    ("field_spec", "value", "message"),
    [
        (spec("text"), "", "requis"),
        (spec("text", min_length=3), "ab", "3"),
        (spec("text", max_length=5), "abcdef", "5"),
        (
            spec("text", pattern=r"^\d{5}$", pattern_message="Un code postal à 5 chiffres"),
            "7500",
            "Un code postal à 5 chiffres",
        ),
        (spec("number", min_value="1"), "0", "1"),
        (spec("number", max_value="10"), "11", "10"),
        (spec("number"), "douze", "nombre"),
        (spec("date"), "2026-02-30", "date"),
        (spec("email"), "claire@", "adresse"),
        (spec("phone"), "appelez-moi", "01 42 76 40 40"),
        (spec("single_choice", choices=["a", "b"]), "z", "z"),
        (spec("multiple_choice", choices=["a", "b"]), ["a", "z"], "z"),
        (spec("checkbox"), "", "requis"),
        (spec("terms", terms="…"), "", "requis"),
    ],
)
def test_invalid_answers_get_a_message_next_to_the_field(field_spec, value, message):
    valid, form = validate(field_spec, {"answer": value})
    assert not valid
    assert message in " ".join(form.errors["answer"])


def test_optional_fields_may_stay_empty():
    valid, form = validate(spec("number", required=False), {"answer": ""})
    assert valid
    assert form.answers() == {"answer": None}


@pytest.mark.django_db
def test_address_inside_the_city_gets_its_district(districts):
    data = {
        "answer_address": "Parvis Notre-Dame",
        **{f"answer_{k}": v for k, v in INSIDE_PARIS.items()},
    }
    valid, form = validate(spec("address"), data)
    assert valid, form.errors
    answer = form.answers()["answer"]
    assert answer["district"] == "4"
    assert display(spec("address"), answer).startswith("Parvis Notre-Dame (")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {
                "answer_address": "Versailles",
                **{f"answer_{k}": v for k, v in OUTSIDE_PARIS.items()},
            },
            "outside the city",
        ),
        ({"answer_address": "Sans point"}, "latitude"),
        ({"answer_latitude": "48.85", "answer_longitude": "2.35"}, "latitude"),
    ],
)
@pytest.mark.usefixtures("english")
def test_address_outside_the_city_or_incomplete_is_refused(districts, data, message):
    valid, form = validate(spec("address"), data)
    assert not valid
    assert message in " ".join(form.errors["answer"])


def test_file_goes_through_the_core_validator():
    good = SimpleUploadedFile("justificatif.pdf", PDF, content_type="application/pdf")
    valid, form = validate(spec("file"), {}, {"answer": good})
    assert valid
    assert isinstance(form.uploads()["answer"], CleanDocument)
    assert form.answers() == {}
    fake = SimpleUploadedFile("photo.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    valid, form = validate(spec("file"), {}, {"answer": fake})
    assert not valid
    assert "type" in " ".join(form.errors["answer"])


def test_a_stored_file_makes_the_field_optional():
    form = StepForm([spec("file")], {}, stored_files={"answer"}, data={}, files={})
    assert form.is_valid()
    assert form.uploads() == {}


def test_conditions_on_choices_text_and_checkboxes():
    assert is_shown(
        {"field": "kind", "operator": "equals", "value": "Building"}, {"kind": "building"}
    )
    assert not is_shown(
        {"field": "kind", "operator": "equals", "value": "building"}, {"kind": "flat"}
    )
    assert is_shown(
        {"field": "why", "operator": "contains", "value": "ombre"}, {"why": "Plus d'ombre"}
    )
    assert is_shown({"field": "tags", "operator": "contains", "value": "b"}, {"tags": ["a", "b"]})
    assert is_shown({"field": "owner", "operator": "equals", "value": "oui"}, {"owner": True})
    assert not is_shown({"field": "owner", "operator": "equals", "value": "yes"}, {"owner": False})
    assert not is_shown({"field": "missing", "operator": "equals", "value": "x"}, {})


def test_hidden_answers_are_dropped_and_shown_required_ones_demanded():
    definition = {
        "steps": [
            {"condition": None, "fields": [spec("single_choice", "kind", choices=["a", "b"])]},
            {
                "condition": {"field": "kind", "operator": "equals", "value": "b"},
                "fields": [spec("text", "detail"), spec("file", "proof")],
            },
        ]
    }
    assert visible_steps(definition, {"kind": "a"}) == [0]
    assert final_answers(definition, {"kind": "a", "detail": "stale"}, set()) == {"kind": "a"}
    with pytest.raises(Exception, match="detail"):
        final_answers(definition, {"kind": "b"}, {"proof"})
    assert final_answers(definition, {"kind": "b", "detail": "x"}, {"proof"}) == {
        "kind": "b",
        "detail": "x",
    }


def test_display_reads_like_the_answer():
    assert display(spec("checkbox"), False) == "Non"
    assert display(spec("multiple_choice"), ["a", "b"]) == "a, b"
    assert display(spec("date"), "2026-05-01") == datetime.date(2026, 5, 1).strftime("%-d mai %Y")
