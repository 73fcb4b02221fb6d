"""The form builder shared by services: blocks by type, their JSON snapshot, code checks."""

import pytest
from django import forms
from wagtail.blocks import StreamBlockValidationError

from lutetia.core.formbuilder.blocks import FIELD_TYPES, FieldListBlock, field_blocks
from lutetia.core.formbuilder.definition import code_errors, fields_snapshot
from lutetia.core.formbuilder.fields import FieldsForm


def block_data(kind, code, **options):
    value = {"label": code, "code": code, "help_text": "", "required": True, **options}
    return {"type": kind, "value": value}


class ReservingBlock(FieldListBlock):
    reserved_codes = frozenset({"persons"})


def test_field_blocks_keep_the_builders_order_and_may_leave_conditions_out():
    assert [name for name, _block in field_blocks()] == list(FIELD_TYPES)
    with_conditions = dict(field_blocks(["text", "terms"]))
    without = dict(field_blocks(["text", "terms"], conditions=False))
    assert "condition" in with_conditions["text"].child_blocks
    assert list(without["text"].child_blocks) == [
        name for name in with_conditions["text"].child_blocks if name != "condition"
    ]
    assert "terms" in without["terms"].child_blocks


def test_a_snapshot_is_plain_json_without_conditions_on_one_page():
    block = FieldListBlock(field_blocks(["number", "single_choice"], conditions=False))
    value = block.to_python(
        [
            block_data("number", "count", min_value="1", max_value=None),
            block_data("single_choice", "size", choices=["S", "M"]),
        ]
    )
    assert fields_snapshot(value) == [
        {
            "type": "number",
            "code": "count",
            "label": "count",
            "help_text": "",
            "required": True,
            "condition": None,
            "min_value": "1",
        },
        {
            "type": "single_choice",
            "code": "size",
            "label": "size",
            "help_text": "",
            "required": True,
            "condition": None,
            "choices": ["S", "M"],
        },
    ]


def test_code_errors_name_repeated_and_reserved_codes_by_position():
    fields = [{"code": "a"}, {"code": "persons"}, {"code": "a"}]
    assert list(code_errors(fields, {"persons"})) == [1, 2]
    assert code_errors(fields[:1]) == {}


def test_a_field_list_block_refuses_them_on_the_code():
    block = ReservingBlock(field_blocks(["text"], conditions=False))
    value = block.to_python([block_data("text", "persons"), block_data("text", "ok")])
    with pytest.raises(StreamBlockValidationError) as raised:
        block.clean(value)
    assert list(raised.value.block_errors) == [0]
    assert list(raised.value.block_errors[0].block_errors) == ["code"]


def test_a_fields_form_puts_its_questions_after_its_own_fields():
    class Form(FieldsForm):
        own = forms.CharField(required=False)

    spec = {"type": "email", "code": "mail", "label": "Mail", "help_text": "Work address"}
    form = Form([{**spec, "required": True, "condition": None}], {}, data={"mail": "a@b.fr"})
    assert list(form.fields) == ["own", "mail"]
    assert form.is_valid() and form.answers() == {"mail": "a@b.fr"}
    assert form.fields["mail"].help_text == "Work address"
