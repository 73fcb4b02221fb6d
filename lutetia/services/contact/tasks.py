"""Background work of the contact service."""

from django.conf import settings
from django.core.mail import send_mail
from django_tasks import task

from lutetia.core.notifications.rendering import render_text
from lutetia.services.contact.models import Message


@task()
def send_reply_email(message_id: int) -> None:
    """E-mail a staff answer to a requester without an account (they have no inbox here).

    Uses the same templates as the in-app notification, in the site's default language.
    """
    message = Message.objects.select_related("request").get(pk=message_id)
    context = {"request": message.request, "message": message}
    subject = render_text(
        "notifications/contact_reply/subject.txt", context, language=settings.LANGUAGE_CODE
    )
    body = render_text(
        "notifications/contact_reply/body.txt", context, language=settings.LANGUAGE_CODE
    )
    send_mail(
        " ".join(subject.split()),
        body.strip(),
        settings.DEFAULT_FROM_EMAIL,
        [message.request.contact_email],
    )
