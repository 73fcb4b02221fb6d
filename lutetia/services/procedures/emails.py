"""E-mails to applicants without an account (they have no notifications inbox here)."""

from django.conf import settings
from django.core.mail import send_mail
from django_tasks import task

from lutetia.core.notifications.rendering import render_text
from lutetia.services.procedures.models import Demand


@task()
def send_demand_email(demand_id: int, kind: str) -> None:
    """E-mail the ``notifications/<kind>/`` templates about a demand to its contact address.

    The same templates as the in-app notification, in the site's default language.
    """
    demand = Demand.objects.select_related("form").get(pk=demand_id)
    context = {"demand": demand}
    language = settings.LANGUAGE_CODE
    subject = render_text(f"notifications/{kind}/subject.txt", context, language=language)
    body = render_text(f"notifications/{kind}/body.txt", context, language=language)
    send_mail(
        " ".join(subject.split()), body.strip(), settings.DEFAULT_FROM_EMAIL, [demand.contact_email]
    )
