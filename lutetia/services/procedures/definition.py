"""A form version's definition: the JSON snapshot of its steps and fields, and its conditions.

The snapshot is plain JSON (no block ids, decimals as text) so that it never depends on
the builder's blocks: a version stays readable whatever the builder becomes.

    {"title": …, "description": …, "steps": [{"title": …, "description": …,
      "condition": {"field": code, "operator": "equals"|"contains", "value": …} | None,
      "fields": [{"type": …, "code": …, "label": …, "help_text": …, "required": bool,
                  "condition": … | None, <options of the type>}]}]}

Conditions may only name fields of earlier steps, so the server decides what to show
before the step is displayed: no JavaScript is needed.
"""

from collections.abc import Iterator

from django.core.exceptions import ValidationError
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


def snapshot(form) -> dict:
    """The definition of ``form``'s current steps and fields, checked for consistency."""
    definition = {
        "title": form.title,
        "description": form.description,
        "steps": [_step(block.value) for block in form.steps],
    }
    check(definition)
    return definition


def _step(value) -> dict:
    return {
        "title": value["title"],
        "description": value["description"],
        "condition": _condition(value["condition"]),
        "fields": [_field(block.block_type, block.value) for block in value["fields"]],
    }


def _field(field_type: str, value) -> dict:
    field = {
        "type": field_type,
        "code": value["code"],
        "label": value["label"],
        "help_text": value["help_text"],
        "required": bool(value["required"]) or field_type == "terms",
        "condition": _condition(value["condition"]),
    }
    for option in OPTIONS:
        if option in value and value[option] not in (None, ""):
            option_value = value[option]
            field[option] = list(option_value) if option == "choices" else option_value
            if option in ("min_value", "max_value"):
                field[option] = str(option_value)
    return field


def _condition(value) -> dict | None:
    if not value or not value.get("field"):
        return None
    return {"field": value["field"], "operator": value["operator"], "value": value["value"]}


def check(definition: dict) -> None:
    """Refuse what residents could not fill in: no step, duplicate codes, bad conditions."""
    errors = []
    if not definition["steps"]:
        errors.append(_("Add at least one step with a field."))
    seen: dict[str, dict] = {}
    for number, step in enumerate(definition["steps"], start=1):
        errors += _condition_errors(step["condition"], seen, _("Step %(n)s") % {"n": number})
        earlier = dict(seen)
        for field in step["fields"]:
            if field["code"] in seen:
                errors.append(_("Two fields use the code “%(code)s”.") % {"code": field["code"]})
            errors += _condition_errors(field["condition"], earlier, field["label"])
            seen[field["code"]] = field
    if errors:
        raise ValidationError(errors)


def _condition_errors(condition: dict | None, earlier: dict[str, dict], where: str) -> list[str]:
    if condition is None or condition["field"] in earlier:
        return []
    return [
        _("%(where)s: the condition must name a field of an earlier step (“%(code)s”).")
        % {"where": where, "code": condition["field"]}
    ]


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


def visible_steps(definition: dict, answers: dict) -> list[int]:
    """Indexes of the steps shown for these answers, in order."""
    return [
        index
        for index, step in enumerate(definition["steps"])
        if is_shown(step["condition"], answers)
    ]


def visible_fields(step: dict, answers: dict) -> list[dict]:
    return [field for field in step["fields"] if is_shown(field["condition"], answers)]


def shown_fields(definition: dict, answers: dict) -> Iterator[tuple[dict, dict]]:
    """(step, field) for every field shown for these answers, in form order."""
    for index in visible_steps(definition, answers):
        step = definition["steps"][index]
        for field in visible_fields(step, answers):
            yield step, field


def final_answers(definition: dict, answers: dict, file_codes: set[str]) -> dict:
    """The answers to send: those of shown fields only; every shown required field answered.

    ``file_codes`` are the file fields that have a file. Raises ValidationError naming
    the missing questions (a step skipped or a draft from an older definition).
    """
    kept, missing = {}, []
    for _step_value, field in shown_fields(definition, answers):
        code = field["code"]
        answered = code in file_codes if field["type"] == "file" else _has_answer(answers, code)
        if answered and field["type"] != "file":
            kept[code] = answers[code]
        elif not answered and field["required"]:
            missing.append(field["label"])
    if missing:
        raise ValidationError(
            _("Some required questions are not answered: %(fields)s.")
            % {"fields": ", ".join(missing)},
            code="incomplete",
        )
    return kept


def _has_answer(answers: dict, code: str) -> bool:
    value = answers.get(code)
    return value not in (None, "", [])
