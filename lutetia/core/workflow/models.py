"""Workflows of states and actions, attached to any resource through a content type.

A ``Workflow`` has ``State``s and ``Action``s (from some states to one state); an action
runs its ordered ``Task``s (assign, notify, comment…, see ``kinds.py``). Each resource
under a workflow has one ``Instance`` (its current state and assignment) and a
``History`` row per transition. The engine never imports a service: resources follow
the small protocol in ``resources.py``.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.models import Orderable

from lutetia.core.models import Role
from lutetia.core.registry import localized
from lutetia.core.workflow.kinds import event_choices, task_kind_choices


class Workflow(ClusterableModel):
    """A reusable process: its states are edited with it, its actions separately."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("workflow")
        verbose_name_plural = _("workflows")

    def __str__(self) -> str:
        return self.name

    @property
    def initial_state(self):
        return self.states.filter(is_initial=True).first()


class State(Orderable):
    """A step of a workflow; residents see its name as their demand's status."""

    workflow = ParentalKey(
        Workflow, on_delete=models.CASCADE, related_name="states", verbose_name=_("workflow")
    )
    code = models.SlugField(_("code"), max_length=50)
    name_fr = models.CharField(_("name (French)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    is_initial = models.BooleanField(_("initial"), default=False)
    is_final = models.BooleanField(
        _("final"), default=False, help_text=_("The resource is closed once it gets here.")
    )

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(fields=["workflow", "code"], name="unique_workflow_state_code"),
            models.UniqueConstraint(
                fields=["workflow"], condition=Q(is_initial=True), name="one_initial_state"
            ),
        ]
        verbose_name = _("state")
        verbose_name_plural = _("states")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized({"fr": self.name_fr, "en": self.name_en})


class Action(ClusterableModel):
    """A move from one of ``from_states`` to ``to_state``, running its tasks in order."""

    class Trigger(models.TextChoices):
        MANUAL = "manual", _("Run by staff")
        ON_ENTRY = "on_entry", _("Automatically, on entering the state")
        AFTER_DELAY = "after_delay", _("Automatically, after a delay in the state")
        EVENT = "event", _("Automatically, on an event")

    workflow = models.ForeignKey(
        Workflow, on_delete=models.CASCADE, related_name="actions", verbose_name=_("workflow")
    )
    code = models.SlugField(_("code"), max_length=50)
    label_fr = models.CharField(_("label (French)"), max_length=100)
    label_en = models.CharField(_("label (English)"), max_length=100, blank=True)
    from_states = ParentalManyToManyField(
        State, related_name="actions_out", verbose_name=_("from states")
    )
    to_state = models.ForeignKey(
        State, on_delete=models.PROTECT, related_name="actions_in", verbose_name=_("to state")
    )
    trigger = models.CharField(
        _("trigger"), max_length=20, choices=Trigger.choices, default=Trigger.MANUAL
    )
    delay_hours = models.PositiveIntegerField(
        _("delay (hours)"), null=True, blank=True, help_text=_("For actions run after a delay.")
    )
    event = models.CharField(
        _("event"),
        max_length=50,
        blank=True,
        choices=event_choices,
        help_text=_("For actions run on an event."),
    )
    required_role = models.CharField(
        _("who may run it"), max_length=20, choices=Role.choices, default=Role.AGENT
    )
    asks_comment = models.BooleanField(
        _("asks for a comment"),
        default=False,
        help_text=_("Staff must write a comment (e.g. the reason of a refusal)."),
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["workflow", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["workflow", "code"], name="unique_workflow_action_code"
            ),
        ]
        verbose_name = _("action")
        verbose_name_plural = _("actions")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return localized({"fr": self.label_fr, "en": self.label_en})

    @property
    def is_manual(self) -> bool:
        return self.trigger == self.Trigger.MANUAL


class Task(Orderable):
    """One step of an action: a registered kind and its settings (JSON)."""

    action = ParentalKey(
        Action, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("action")
    )
    kind = models.CharField(_("kind"), max_length=50, choices=task_kind_choices)
    config = models.JSONField(_("settings"), default=dict, blank=True)

    class Meta(Orderable.Meta):
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self) -> str:
        return self.get_kind_display()


class Instance(models.Model):
    """Where one resource stands in its workflow, and who handles it."""

    workflow = models.ForeignKey(
        Workflow, on_delete=models.PROTECT, related_name="instances", verbose_name=_("workflow")
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    resource = GenericForeignKey("content_type", "object_id")
    state = models.ForeignKey(
        State, on_delete=models.PROTECT, related_name="instances", verbose_name=_("state")
    )
    department = models.ForeignKey(
        "core.Department",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="workflow_instances",
        verbose_name=_("assigned department"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="workflow_assignments",
        verbose_name=_("assigned agent"),
    )
    entered_at = models.DateTimeField(_("in this state since"))
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="one_workflow_instance_per_resource"
            ),
        ]
        indexes = [
            models.Index(fields=["content_type", "state"], name="workflow_instance_state"),
            models.Index(fields=["content_type", "assignee"], name="workflow_instance_assignee"),
        ]
        verbose_name = _("workflow instance")
        verbose_name_plural = _("workflow instances")

    def __str__(self) -> str:
        return f"{self.content_type.model} #{self.object_id}: {self.state}"


class History(models.Model):
    """One transition: who ran which action, from and to which state, and what tasks did."""

    instance = models.ForeignKey(
        Instance, on_delete=models.CASCADE, related_name="history", verbose_name=_("instance")
    )
    action = models.ForeignKey(
        Action, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("action")
    )
    action_label = models.CharField(_("action"), max_length=100, blank=True)
    from_state = models.ForeignKey(
        State, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("from")
    )
    to_state = models.ForeignKey(
        State, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("to")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    comment = models.TextField(_("comment"), blank=True)
    outputs = models.JSONField(_("task outputs"), default=list, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("workflow history entry")
        verbose_name_plural = _("workflow history")

    def __str__(self) -> str:
        return f"{self.action_label}: {self.from_state} → {self.to_state}"


class ListPreference(models.Model):
    """The columns a staff member chose for one back-office work list (e.g. a form's demands)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    list_key = models.CharField(max_length=100)
    columns = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "list_key"], name="unique_list_preference"),
        ]

    def __str__(self) -> str:
        return self.list_key
