"""Fixtures of the procedures service: forms written as the builder stores them, published."""

import pytest

from lutetia.services.procedures import actions
from lutetia.services.procedures.models import Audience, Form
from tests.services.procedures.workflow_fixtures import (  # noqa: F401
    many,
    procedure_form,
    send,
    workflow,
)

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def field(field_type: str, code: str, label: str | None = None, condition=None, **options):
    """One field block's raw value, as the builder's StreamField stores it."""
    value = {
        "label": label or code.replace("_", " ").capitalize(),
        "code": code,
        "help_text": "",
        "required": options.pop("required", True),
        "condition": condition or {"field": "", "operator": "equals", "value": ""},
        **options,
    }
    return {"type": field_type, "value": value}


def step(title: str, *fields, condition=None) -> dict:
    return {
        "type": "step",
        "value": {
            "title": title,
            "description": "",
            "condition": condition or {"field": "", "operator": "equals", "value": ""},
            "fields": list(fields),
        },
    }


def when(code: str, value: str, operator: str = "equals") -> dict:
    return {"field": code, "operator": operator, "value": value}


# A tree planting request: who asks, where, and (only for a building) the owner's consent.
TREE_STEPS = [
    step(
        "Vous",
        field("text", "name", "Your name", max_length=50),
        field("single_choice", "kind", "You are", choices=["resident", "building"]),
    ),
    step(
        "Le lieu",
        field("address", "place", "Where"),
        field("long_text", "why", "Why", required=False, max_length=500),
    ),
    step(
        "Copropriété",
        field("file", "consent", "Owners' consent"),
        condition=when("kind", "building"),
    ),
    step("Conditions", field("terms", "terms", "I accept", terms="Le terrain reste public.")),
]


@pytest.fixture
def make_form(department, manager):
    """A form with the given steps, published by a manager of its department."""

    def _make(steps=None, publish=True, **settings):
        form = Form(
            title="Planter un arbre",
            slug=settings.pop("slug", "planter-un-arbre"),
            department=department,
            audience=settings.pop("audience", Audience.SIGNED_IN),
            **settings,
        )
        form.steps = steps if steps is not None else TREE_STEPS
        actions.save_form(form=form, acting_user=manager)
        if publish:
            actions.publish_form(form=form, acting_user=manager)
            form.refresh_from_db()
        return form

    return _make


@pytest.fixture
def tree_form(make_form, districts):
    return make_form()
