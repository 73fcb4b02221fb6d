"""Writes: notifying a user and marking notifications read.

These write no audit entry: a notification is the platform speaking to one user, not a
staff action; the staff action that caused it is audited by the caller's own action.
"""

from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator

from lutetia.core.notifications.models import Notification
from lutetia.core.notifications.rendering import render_text
from lutetia.core.notifications.selectors import notifications_for, receives_email
from lutetia.core.notifications.tasks import send_notification_email


@transaction.atomic
def notify(
    *, recipient, kind: str, context: dict, url: str = "", email: bool = True
) -> Notification:
    """Create an in-app notification from ``notifications/<kind>/`` templates.

    Subject and body are rendered in the recipient's preferred language. The e-mail is
    enqueued only once the surrounding transaction commits, so a rolled-back action
    never sends anything.
    """
    language = recipient.preferred_language or settings.LANGUAGE_CODE
    context = {**context, "recipient": recipient}
    subject = render_text(f"notifications/{kind}/subject.txt", context, language=language)
    body = render_text(f"notifications/{kind}/body.txt", context, language=language)
    notification = Notification.objects.create(
        recipient=recipient,
        kind=kind,
        subject=Truncator(" ".join(subject.split())).chars(255),
        body=body.strip(),
        url=url,
    )
    if email and receives_email(recipient):
        transaction.on_commit(partial(send_notification_email.enqueue, notification.pk))
    return notification


@transaction.atomic
def mark_read(*, notification_ids, acting_user) -> int:
    """Mark some of the acting user's own notifications read; others' ids are ignored."""
    unread = notifications_for(acting_user, unread_only=True)
    return unread.filter(pk__in=notification_ids).update(read_at=timezone.now())


@transaction.atomic
def mark_all_read(*, acting_user) -> int:
    return notifications_for(acting_user, unread_only=True).update(read_at=timezone.now())
