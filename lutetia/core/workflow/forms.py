"""Forms of the workflow engine: the back-office editor and the action a staff member runs."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm

from lutetia.core.workflow.kinds import check_task_config
from lutetia.core.workflow.models import Action


class TaskForm(WagtailAdminModelForm):
    """One task of an action: its settings must suit its kind."""

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") and not cleaned.get("DELETE"):
            try:
                check_task_config(cleaned["kind"], cleaned.get("config"))
            except ValidationError as error:
                self.add_error("config", error)
        return cleaned


class ActionForm(WagtailAdminModelForm):
    """An action: its states belong to its workflow; automatic triggers need their setting."""

    @classmethod
    def child_form(cls):
        return TaskForm

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


class RunActionForm(forms.Form):
    """What a staff member sends to run an action: which one and an optional comment."""

    action = forms.ModelChoiceField(queryset=Action.objects.none(), label=gettext_lazy("Action"))
    comment = forms.CharField(
        label=gettext_lazy("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Shown in the history; some actions send it to the resident."),
    )

    def __init__(self, *args, actions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].queryset = Action.objects.filter(pk__in=[a.pk for a in actions])
