"""Every write of the contact service: one transaction and one audit entry each.

Staff may only act on requests of their own departments (``may_act_on``); re-routing a
request to another department is for managers of its department and administrators.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lutetia.core import audit
from lutetia.core.notifications.actions import notify
from lutetia.core.permissions import may_act_on, may_manage
from lutetia.core.references import next_reference
from lutetia.services.contact.models import ContactRequest, Message, Topic
from lutetia.services.contact.tasks import send_reply_email

REFERENCE_PREFIX = "CTC"
ERASED = "[deleted]"
TOPIC_FIELDS = ["name_fr", "name_en", "department", "is_active", "order"]


@transaction.atomic
def submit_request(
    *, acting_user, topic: Topic, subject: str, message: str, contact_name: str, contact_email: str
) -> ContactRequest:
    """Record a request routed to the topic's department.

    A signed-in resident becomes the requester (answers reach their account); anyone
    else must leave an e-mail address, where answers are sent.
    """
    if not topic.is_active:
        raise ValidationError(_("This topic is no longer available."), code="inactive_topic")
    signed_in = acting_user is not None and acting_user.is_authenticated
    if not signed_in and not contact_email:
        raise ValidationError(_("Please give an e-mail address for the answer."), code="no_email")
    request = ContactRequest.objects.create(
        reference=next_reference(REFERENCE_PREFIX, timezone.localdate().year),
        topic=topic,
        department_id=topic.department_id,
        requester=acting_user if signed_in else None,
        contact_name=contact_name or (acting_user.get_full_name() if signed_in else ""),
        contact_email=contact_email or (acting_user.email if signed_in else ""),
        district_id=acting_user.district_id if signed_in else None,
        subject=subject.strip(),
        message=message.strip(),
    )
    audit.log(
        request,
        "lutetia.contact.request_submitted",
        user=acting_user,
        data={"reference": request.reference, "topic": topic.pk},
    )
    return request


@transaction.atomic
def reply(*, request: ContactRequest, acting_user, body: str, internal: bool = False) -> Message:
    """Add a message to the conversation.

    The requester may write back (not internal notes, not on a closed request). Staff
    of the request's department answer; a public answer marks the request answered and
    reaches the requester once the transaction commits (notification or e-mail).
    """
    body = body.strip()
    if not body:
        raise ValidationError(_("The message is empty."), code="empty")
    if _is_requester(acting_user, request) and not internal:
        return _requester_reply(request, acting_user, body)
    if not may_act_on(acting_user, request, permission="contact.add_message"):
        raise PermissionDenied
    message = Message.objects.create(
        request=request, author=acting_user, body=body, is_internal=internal
    )
    if not internal:
        _mark_answered(request)
        _tell_requester(request, message)
    audit.log(
        request,
        "lutetia.contact.note_added" if internal else "lutetia.contact.replied",
        user=acting_user,
        data={"message": message.pk},
    )
    return message


@transaction.atomic
def change_status(*, request: ContactRequest, status: str, acting_user) -> ContactRequest:
    if not may_act_on(acting_user, request, permission="contact.change_contactrequest"):
        raise PermissionDenied
    if status not in ContactRequest.Status.values:
        raise ValidationError(_("Unknown status."), code="invalid_status")
    before = audit.snapshot(request, ["status"])
    request.status = status
    request.save(update_fields=["status", "updated_at"])
    audit.log(
        request,
        "lutetia.contact.status_changed",
        user=acting_user,
        data=audit.changes(before, {"status": status}),
    )
    return request


@transaction.atomic
def reassign(*, request: ContactRequest, department, acting_user) -> ContactRequest:
    """Route a request to another department (managers of its current one, administrators)."""
    if not acting_user.has_perm("contact.change_contactrequest") or not may_manage(
        acting_user, request
    ):
        raise PermissionDenied
    before = audit.snapshot(request, ["department"])
    request.department = department
    request.save(update_fields=["department", "updated_at"])
    audit.log(
        request,
        "lutetia.contact.reassigned",
        user=acting_user,
        data=audit.changes(before, {"department": department}),
    )
    return request


@transaction.atomic
def save_topic(*, topic: Topic, acting_user) -> Topic:
    """Create or update a topic; managers only route topics to their own departments."""
    permission = "contact.change_topic" if topic.pk else "contact.add_topic"
    if not acting_user.has_perm(permission) or not may_manage(acting_user, topic):
        raise PermissionDenied
    created = topic.pk is None
    before = {} if created else audit.snapshot(Topic.objects.get(pk=topic.pk), TOPIC_FIELDS)
    topic.save()
    audit.log(
        topic,
        "lutetia.contact.topic_created" if created else "lutetia.contact.topic_changed",
        user=acting_user,
        data=audit.changes(before, audit.snapshot(topic, TOPIC_FIELDS)),
    )
    return topic


@transaction.atomic
def delete_topic(*, topic: Topic, acting_user) -> None:
    """Delete a topic nobody used yet; used topics are deactivated instead (kept for history)."""
    if not acting_user.has_perm("contact.delete_topic") or not may_manage(acting_user, topic):
        raise PermissionDenied
    if topic.requests.exists():
        raise ValidationError(
            _("Requests use this topic: deactivate it instead."), code="topic_in_use"
        )
    audit.log(
        topic, "lutetia.contact.topic_deleted", user=acting_user, data={"name": topic.name_fr}
    )
    topic.delete()


@transaction.atomic
def erase_requester(*, user, acting_user) -> int:
    """Anonymise a resident's requests when their account is deleted.

    The request rows stay (with the tombstone user as requester) so statistics keep
    their topic, department, district, status and dates. What the resident wrote is
    personal: the name and e-mail are cleared and the subject, message and their own
    replies become "[deleted]". Staff answers and internal notes are the city's own
    record and are kept. Returns the number of requests anonymised.
    """
    requests = ContactRequest.objects.filter(requester=user)
    Message.objects.filter(request__in=requests, author=user).update(body=ERASED)
    count = requests.update(contact_name="", contact_email="", subject=ERASED, message=ERASED)
    audit.log(user, "lutetia.contact.requester_erased", user=acting_user, data={"requests": count})
    return count


def _is_requester(user, request: ContactRequest) -> bool:
    return bool(user and user.is_authenticated and user.pk == request.requester_id)


def _requester_reply(request: ContactRequest, user, body: str) -> Message:
    if request.status == ContactRequest.Status.CLOSED:
        raise ValidationError(_("This request is closed."), code="closed")
    message = Message.objects.create(request=request, author=user, body=body)
    if request.status == ContactRequest.Status.ANSWERED:
        request.status = ContactRequest.Status.IN_PROGRESS
        request.save(update_fields=["status", "updated_at"])
    audit.log(request, "lutetia.contact.requester_replied", user=user, data={"message": message.pk})
    return message


def _mark_answered(request: ContactRequest) -> None:
    request.status = ContactRequest.Status.ANSWERED
    request.first_answered_at = request.first_answered_at or timezone.now()
    request.save(update_fields=["status", "first_answered_at", "updated_at"])


def _tell_requester(request: ContactRequest, message: Message) -> None:
    """In-app notification (and its e-mail) for accounts; a plain e-mail otherwise."""
    requester = request.requester
    if requester is not None and requester.deleted_at is None:
        notify(
            recipient=requester,
            kind="contact_reply",
            context={"request": request, "message": message},
            url=reverse("contact:request_detail", args=[request.reference]),
        )
    elif request.contact_email:
        transaction.on_commit(lambda: send_reply_email.enqueue(message.pk))
