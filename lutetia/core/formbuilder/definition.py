"""A list of the builder's fields as plain JSON (the snapshot), and the fields' conditions.

The snapshot has no block ids and gives decimals as text, so that it never depends on the
builder's blocks: what was answered stays readable whatever the builder becomes.

    [{"type": …, "code": …, "label": …, "help_text": …, "required": bool,
      "condition": {"field": code, "operator": "equals"|"contains", "value": …} | None,
      <options of the type>}]

A service that shows its fields on one page builds them without conditions (the condition
is then always None).
"""

from collections.abc import Iterable

from django.utils.translation import gettext as _

OPTIONS = (
    "min_length",
    "max_length",
    "pattern",
    "pattern_message",
    "min_value",
    "max_value",
    "choices",
    "terms",
)
# How a yes/no answer reads in a condition ("show if field X equals yes").
TRUE_WORDS = {"yes", "oui", "true", "1"}


def fields_snapshot(stream) -> list[dict]:
    """The definition of the fields of a StreamField or StreamBlock value, in order."""
    return [field_snapshot(block.block_type, block.value) for block in stream]


def field_snapshot(field_type: str, value) -> dict:
    field = {
        "type": field_type,
        "code": value["code"],
        "label": value["label"],
        "help_text": value["help_text"],
        "required": bool(value["required"]) or field_type == "terms",
        "condition": condition_snapshot(value.get("condition")),
    }
    for option in OPTIONS:
        if option in value and value[option] not in (None, ""):
            option_value = value[option]
            field[option] = list(option_value) if option == "choices" else option_value
            if option in ("min_value", "max_value"):
                field[option] = str(option_value)
    return field


def condition_snapshot(value) -> dict | None:
    if not value or not value.get("field"):
        return None
    return {"field": value["field"], "operator": value["operator"], "value": value["value"]}


def code_errors(fields: Iterable[dict], reserved=frozenset()) -> dict[int, str]:
    """A message for each field, by position, whose code is taken: by an earlier field, or
    by the page itself (``reserved``: the names of the page's own inputs)."""
    seen, errors = set(), {}
    for index, field in enumerate(fields):
        code = field["code"]
        if code in seen:
            errors[index] = _("Two fields use the code “%(code)s”.") % {"code": code}
        elif code in reserved:
            errors[index] = _("The code “%(code)s” is used by the form itself.") % {"code": code}
        seen.add(code)
    return errors


def is_shown(condition: dict | None, answers: dict) -> bool:
    """Whether a step or field with this condition is shown, given the answers so far."""
    if condition is None:
        return True
    answer = answers.get(condition["field"])
    wanted = condition["value"].strip().casefold()
    if isinstance(answer, bool):
        return answer == (wanted in TRUE_WORDS)
    if isinstance(answer, list):
        texts = [str(item).casefold() for item in answer]
        return wanted in texts
    text = "" if answer is None else str(answer).strip().casefold()
    if condition["operator"] == "contains":
        return wanted in text
    return text == wanted


def visible_fields(fields: list[dict], answers: dict) -> list[dict]:
    return [field for field in fields if is_shown(field["condition"], answers)]


def is_answered(value) -> bool:
    """Whether a stored answer says something (an unticked checkbox, False, does)."""
    return value not in (None, "", [])
