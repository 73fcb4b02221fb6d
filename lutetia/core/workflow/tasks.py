"""Background work of the workflow engine, run by ``lutetia worker``."""

from datetime import datetime

from django.core.mail import send_mail
from django_tasks import task


@task()
def run_delayed_action(instance_id: int, action_id: int, entered_at: str) -> bool:
    """Run an "after a delay" action, unless the resource left that state meanwhile."""
    from lutetia.core.workflow import actions

    entry = actions.run_delayed_action(
        instance_id=instance_id, action_id=action_id, entered_at=datetime.fromisoformat(entered_at)
    )
    return entry is not None


@task()
def send_workflow_email(address: str, subject: str, body: str) -> None:
    """E-mail a resident who has no account (workflow notifications to an address)."""
    send_mail(" ".join(subject.split()), body.strip(), None, [address])
