"""The procedures service's part of "Mon Compte": the resident's demands and personal data."""

from django.urls import reverse
from django.utils.translation import gettext as _

from lutetia.core.registry import AccountItem
from lutetia.core.workflow.selectors import attach_instances
from lutetia.services.procedures import actions, selectors


def account_items(user) -> list[AccountItem]:
    items = [
        AccountItem(
            title=f"{demand.reference} — {demand.form.title}",
            url=reverse("procedures:demand_detail", args=[demand.reference]),
            status=demand.status_label,
            date=demand.submitted_at,
        )
        for demand in attach_instances(selectors.demands_of(user))
    ]
    drafts = [
        AccountItem(
            title=draft.form_version.form.title,
            url=reverse("procedures:step", args=[draft.form_version.form.slug, draft.token, 1]),
            status=_("Draft"),
            date=draft.updated_at,
        )
        for draft in selectors.drafts_of(user, "")
    ]
    return drafts + items


def export(user) -> dict:
    """The resident's demands with their answers, the city's public messages and drafts."""
    return {
        "demands": [
            {
                "reference": demand.reference,
                "procedure": demand.form.title,
                "answers": demand.answers,
                "contact_email": demand.contact_email,
                "submitted_at": demand.submitted_at.isoformat(),
                "status": demand.status_label,
                "messages": [
                    {"body": message.body, "created_at": message.created_at.isoformat()}
                    for message in demand.messages.filter(is_internal=False)
                ],
                "information_requests": [
                    {"question": item.question, "answer": item.answer}
                    for item in demand.information_requests.all()
                ],
            }
            for demand in attach_instances(
                selectors.demands_of(user).prefetch_related("information_requests")
            )
        ],
        "drafts": [
            {"procedure": draft.form_version.form.title, "answers": draft.answers}
            for draft in selectors.drafts_of(user, "")
        ],
    }


def erase(user) -> None:
    actions.erase_applicant(user=user, acting_user=user)
