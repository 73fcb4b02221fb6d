"""A form version's definition: the JSON snapshot of its steps and fields, and its conditions.

The fields are the form builder's (``lutetia.core.formbuilder.definition``); a version adds
its steps around them:

    {"title": …, "description": …, "steps": [{"title": …, "description": …,
      "condition": {"field": code, "operator": "equals"|"contains", "value": …} | None,
      "fields": [<field snapshots>]}]}

Conditions may only name fields of earlier steps, so the server decides what to show
before the step is displayed: no JavaScript is needed.
"""

from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from lutetia.core.formbuilder.definition import (
    code_errors,
    condition_snapshot,
    fields_snapshot,
    is_answered,
    is_shown,
    visible_fields,
)


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
        "condition": condition_snapshot(value["condition"]),
        "fields": fields_snapshot(value["fields"]),
    }


def check(definition: dict) -> None:
    """Refuse what residents could not fill in: no step, duplicate codes, bad conditions."""
    errors = []
    if not definition["steps"]:
        errors.append(_("Add at least one step with a field."))
    fields = [field for step in definition["steps"] for field in step["fields"]]
    errors += code_errors(fields).values()
    seen: dict[str, dict] = {}
    for number, step in enumerate(definition["steps"], start=1):
        errors += _condition_errors(step["condition"], seen, _("Step %(n)s") % {"n": number})
        earlier = dict(seen)
        for field in step["fields"]:
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


def visible_steps(definition: dict, answers: dict) -> list[int]:
    """Indexes of the steps shown for these answers, in order."""
    return [
        index
        for index, step in enumerate(definition["steps"])
        if is_shown(step["condition"], answers)
    ]


def shown_fields(definition: dict, answers: dict) -> Iterator[tuple[dict, dict]]:
    """(step, field) for every field shown for these answers, in form order."""
    for index in visible_steps(definition, answers):
        step = definition["steps"][index]
        for field in visible_fields(step["fields"], answers):
            yield step, field


def final_answers(definition: dict, answers: dict, file_codes: set[str]) -> dict:
    """The answers to send: those of shown fields only; every shown required field answered.

    ``file_codes`` are the file fields that have a file. Raises ValidationError naming
    the missing questions (a step skipped or a draft from an older definition).
    """
    kept, missing = {}, []
    for _step_value, field in shown_fields(definition, answers):
        code = field["code"]
        answered = code in file_codes if field["type"] == "file" else is_answered(answers.get(code))
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
