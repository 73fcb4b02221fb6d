"""Background work: e-mailing a notification, run by ``lutetia worker``."""

from urllib.parse import urljoin

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from lutetia.core.notifications.models import Notification
from lutetia.core.notifications.rendering import render_text
from lutetia.core.notifications.selectors import receives_email


@task()
def send_notification_email(notification_id: int) -> bool:
    """E-mail one notification; True if sent.

    Idempotent: an already e-mailed notification is skipped, and the row stays locked
    while sending so two workers cannot both send it. A failed send leaves
    ``emailed_at`` empty, so the task can be run again.
    """
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("recipient")
            .filter(pk=notification_id, emailed_at__isnull=True)
            .first()
        )
        if notification is None or not receives_email(notification.recipient):
            return False
        recipient = notification.recipient
        message = render_text(
            "notifications/email.txt",
            {
                "notification": notification,
                "link": urljoin(settings.WAGTAILADMIN_BASE_URL, notification.url)
                if notification.url
                else "",
                "site_name": settings.WAGTAIL_SITE_NAME,
            },
            language=recipient.preferred_language or settings.LANGUAGE_CODE,
        )
        send_mail(notification.subject, message, None, [recipient.email])
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return True
