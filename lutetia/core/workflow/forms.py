"""Forms of the workflow engine: the back-office editor and the action a staff member runs."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm

from lutetia.core.workflow.kinds import check_task_config
from lutetia.core.workflow.models import Action


class ActionForm(WagtailAdminModelForm):
    """An action: its states belong to its workflow; automatic triggers need their setting."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("from_states", "to_state"):
            self.fields[name].label_from_instance = lambda s: f"{s.workflow} — {s.name}"

    def clean(self):
        cleaned = super().clean()
        workflow = cleaned.get("workflow")
        states = [*cleaned.get("from_states", []), cleaned.get("to_state")]
        if workflow and any(s is not None and s.workflow_id != workflow.pk for s in states):
            raise ValidationError(_("Choose states of the action's own workflow."))
        trigger = cleaned.get("trigger")
        if trigger == Action.Trigger.AFTER_DELAY and not cleaned.get("delay_hours"):
            self.add_error("delay_hours", _("Give the delay of an action run after a delay."))
        if trigger == Action.Trigger.EVENT and not cleaned.get("event"):
            self.add_error("event", _("Choose the event that runs this action."))
        return cleaned

    def is_valid(self):
        """Also check each task's settings against its kind, shown on the task's field."""
        valid = super().is_valid()
        for task_form in self.formsets["tasks"].forms:
            data = getattr(task_form, "cleaned_data", {})
            if not data.get("kind") or data.get("DELETE"):
                continue
            try:
                check_task_config(data["kind"], data.get("config"))
            except ValidationError as error:
                task_form.add_error("config", error)
                valid = False
        return valid


class RunActionForm(forms.Form):
    """What a staff member sends to run an action: which one (of ``actions``) and a comment.

    The choices come from the actions given, so showing the form costs no query.
    """

    action = forms.TypedChoiceField(label=gettext_lazy("Action"), coerce=int)
    comment = forms.CharField(
        label=gettext_lazy("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Shown in the history; some actions send it to the resident."),
    )

    def __init__(self, *args, actions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.actions = {action.pk: action for action in actions}
        self.fields["action"].choices = [(pk, a.label) for pk, a in self.actions.items()]

    def clean_action(self) -> Action:
        return self.actions[self.cleaned_data["action"]]
