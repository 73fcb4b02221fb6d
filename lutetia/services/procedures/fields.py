"""The form of one step of a procedure: the form builder's fields shown for the answers so far."""

from lutetia.core.formbuilder.definition import visible_fields
from lutetia.core.formbuilder.fields import FieldsForm


class StepForm(FieldsForm):
    """The given fields of a step (those shown for the answers so far, see ``for_step``)."""

    @classmethod
    def for_step(cls, step: dict, answers: dict, **kwargs) -> "StepForm":
        return cls(visible_fields(step["fields"], answers), answers, **kwargs)
