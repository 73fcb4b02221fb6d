"""Background work of the procedures service's back office."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from lutetia.core.notifications.actions import notify
from lutetia.services.procedures import exports
from lutetia.services.procedures.models import Form


@task()
def export_demands(form_id: int, user_id: int, query: str, file_format: str) -> str:
    """Write an export of a form's filtered demands and tell the staff member where it is."""
    form = Form.objects.select_related("published_version", "workflow").get(pk=form_id)
    user = get_user_model().objects.get(pk=user_id)
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        name = exports.write_export(form, user, query, file_format)
        notify(
            recipient=user,
            kind="message",
            context={
                "subject": _("Your export of “%(form)s” is ready") % {"form": form.title},
                "message": _("Download it within %(days)s days from the link below.")
                % {"days": exports.LINK_DAYS},
            },
            url=reverse("procedure_demands:export", args=[exports.download_token(user, name)]),
        )
    return name
