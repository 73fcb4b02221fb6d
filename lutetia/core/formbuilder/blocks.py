"""The form builder's field blocks: the typed questions staff put in a StreamField.

Shared by the services that ask residents questions (online procedures' steps, appointment
bookings); ``definition.py`` turns a list of them into plain JSON, ``fields.py`` into Django
form fields. A service picks the types it offers with ``field_blocks``.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from lutetia.core.formbuilder.definition import code_errors, fields_snapshot

CODE_PATTERN = r"^[a-z][a-z0-9_]{0,49}$"


class ConditionBlock(blocks.StructBlock):
    """Show the step or field only when an earlier answer matches (empty: always shown)."""

    field = blocks.CharBlock(
        label=_("show only if the field with code"), required=False, max_length=50
    )
    operator = blocks.ChoiceBlock(
        label=_("operator"),
        choices=[("equals", _("equals")), ("contains", _("contains"))],
        default="equals",
    )
    value = blocks.CharBlock(label=_("value"), required=False, max_length=200)

    def clean(self, value):
        value = super().clean(value)
        if bool(value["field"]) != bool(value["value"]):
            raise blocks.StructBlockValidationError(
                block_errors={
                    "value" if value["field"] else "field": ValidationError(
                        _("Give both the field code and the value, or neither.")
                    )
                }
            )
        return value

    class Meta:
        label = _("condition")
        form_classname = "struct-block formbuilder-condition"


class FieldBlock(blocks.StructBlock):
    """What every field has; subclasses add their type's options."""

    label = blocks.CharBlock(label=_("question"), max_length=300)
    code = blocks.RegexBlock(
        regex=CODE_PATTERN,
        label=_("code"),
        help_text=_("Lower-case letters, digits and _; unique in the form; used in exports."),
        error_messages={"invalid": _("Lower-case letters, digits and _, starting with a letter.")},
    )
    help_text = blocks.CharBlock(label=_("help text"), required=False, max_length=500)
    required = blocks.BooleanBlock(label=_("required"), required=False, default=True)
    condition = ConditionBlock(required=False)


class LengthFieldBlock(FieldBlock):
    min_length = blocks.IntegerBlock(label=_("minimum length"), required=False, min_value=0)
    max_length = blocks.IntegerBlock(label=_("maximum length"), required=False, min_value=1)


class TextFieldBlock(LengthFieldBlock):
    pattern = blocks.CharBlock(
        label=_("pattern (regular expression)"), required=False, max_length=300
    )
    pattern_message = blocks.CharBlock(
        label=_("message when the pattern does not match"), required=False, max_length=300
    )

    def clean(self, value):
        value = super().clean(value)
        if value["pattern"]:
            try:
                re.compile(value["pattern"])
            except re.error as error:
                raise blocks.StructBlockValidationError(
                    block_errors={"pattern": ValidationError(str(error))}
                ) from error
        return value

    class Meta:
        label = _("text")
        icon = "pilcrow"


class LongTextFieldBlock(LengthFieldBlock):
    class Meta:
        label = _("long text")
        icon = "doc-full"


class NumberFieldBlock(FieldBlock):
    min_value = blocks.DecimalBlock(label=_("minimum value"), required=False)
    max_value = blocks.DecimalBlock(label=_("maximum value"), required=False)

    class Meta:
        label = _("number")
        icon = "order"


class SimpleFieldBlock(FieldBlock):
    class Meta:
        label = _("field")


class ChoiceFieldBlock(FieldBlock):
    choices = blocks.ListBlock(blocks.CharBlock(max_length=200), label=_("choices"), min_num=1)

    class Meta:
        icon = "list-ul"


class FileFieldBlock(FieldBlock):
    class Meta:
        label = _("file")
        icon = "doc-full-inverse"


class TermsFieldBlock(FieldBlock):
    terms = blocks.TextBlock(label=_("terms to accept"))

    class Meta:
        label = _("terms to accept")
        icon = "tick-inverse"


# Each type's block class and the options of its instance, in the order staff see them.
FIELD_TYPES = {
    "text": (TextFieldBlock, {}),
    "long_text": (LongTextFieldBlock, {}),
    "number": (NumberFieldBlock, {}),
    "date": (SimpleFieldBlock, {"label": _("date"), "icon": "date"}),
    "email": (SimpleFieldBlock, {"label": _("e-mail"), "icon": "mail"}),
    "phone": (SimpleFieldBlock, {"label": _("phone"), "icon": "mobile-alt"}),
    "single_choice": (ChoiceFieldBlock, {"label": _("single choice")}),
    "multiple_choice": (ChoiceFieldBlock, {"label": _("multiple choice")}),
    "checkbox": (SimpleFieldBlock, {"label": _("checkbox"), "icon": "tick"}),
    "file": (FileFieldBlock, {}),
    "address": (SimpleFieldBlock, {"label": _("address and map point"), "icon": "site"}),
    "terms": (TermsFieldBlock, {}),
}


def field_blocks(types=tuple(FIELD_TYPES), *, conditions=True) -> list[tuple[str, FieldBlock]]:
    """The blocks of these field types, for a StreamBlock or a StreamField.

    ``conditions=False`` leaves the condition out: on a one-page form nothing is answered
    before the page is shown, so no condition could be decided without JavaScript.
    """
    return [(field_type, _block(field_type, conditions)) for field_type in types]


def _block(field_type: str, conditions: bool) -> FieldBlock:
    block_class, options = FIELD_TYPES[field_type]
    if not conditions:
        block_class = _without_condition(block_class)
    return block_class(**options)


class FieldListBlock(blocks.StreamBlock):
    """The fields of a one-page form (build it with ``field_blocks(…, conditions=False)``).

    Codes must be unique and not among ``reserved_codes``, the page's own inputs; a
    mistake is shown on the code of the field that repeats it.
    """

    reserved_codes: frozenset[str] = frozenset()

    def clean(self, value):
        value = super().clean(value)
        errors = code_errors(fields_snapshot(value), self.reserved_codes)
        if errors:
            raise blocks.StreamBlockValidationError(
                block_errors={
                    index: blocks.StructBlockValidationError(
                        block_errors={"code": ValidationError(message)}
                    )
                    for index, message in errors.items()
                }
            )
        return value


def _without_condition(block_class: type[FieldBlock]) -> type[FieldBlock]:
    # A sub-block set to None in a subclass is removed (Wagtail's declarative sub-blocks).
    return type(block_class.__name__, (block_class,), {"condition": None, "__module__": __name__})
