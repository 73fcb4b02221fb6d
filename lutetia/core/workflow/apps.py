from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    """Workflows of states and actions, attached to any resource (e.g. a procedure's demands)."""

    name = "lutetia.core.workflow"
    label = "workflow"
    verbose_name = "Workflow"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from lutetia.core.workflow.core_tasks import register_core_task_kinds

        register_core_task_kinds()
