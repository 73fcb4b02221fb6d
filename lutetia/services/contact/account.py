"""The contact service's part of "Mon Compte": listed requests and personal data."""

from django.urls import reverse

from lutetia.core.registry import AccountItem
from lutetia.services.contact import actions, selectors


def account_items(user) -> list[AccountItem]:
    return [
        AccountItem(
            title=f"{request.reference} — {request.subject}",
            url=reverse("contact:request_detail", args=[request.reference]),
            status=request.get_status_display(),
            date=request.created_at,
        )
        for request in selectors.requests_of(user)
    ]


def export(user) -> dict:
    """The user's requests with their public conversation (internal staff notes excluded)."""
    return {
        "requests": [
            {
                "reference": request.reference,
                "topic": request.topic.name_fr,
                "subject": request.subject,
                "message": request.message,
                "contact_name": request.contact_name,
                "contact_email": request.contact_email,
                "status": request.status,
                "created_at": request.created_at.isoformat(),
                "messages": [
                    {
                        "from": "me" if message.author_id == user.pk else "city",
                        "body": message.body,
                        "created_at": message.created_at.isoformat(),
                    }
                    for message in selectors.conversation(request, include_internal=False)
                ],
            }
            for request in selectors.requests_of(user)
        ]
    }


def erase(user) -> None:
    actions.erase_requester(user=user, acting_user=user)
