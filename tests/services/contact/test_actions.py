import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from wagtail.models import ModelLogEntry

from lutetia.core.notifications.models import Notification
from lutetia.services.contact import actions
from lutetia.services.contact.models import ContactRequest, Message

pytestmark = pytest.mark.django_db


def log_actions(instance):
    return list(
        ModelLogEntry.objects.filter(object_id=str(instance.pk)).values_list("action", flat=True)
    )


def test_resident_submission_is_routed_and_numbered(resident, submit, department):
    request = submit(resident)
    assert re.fullmatch(rf"CTC-{request.created_at.year}-\d{{6}}", request.reference)
    assert request.reference.endswith("-000001")  # numbered per year from 1
    assert request.department == department
    assert request.requester == resident
    assert request.contact_email == resident.email
    assert request.status == ContactRequest.Status.NEW
    assert "lutetia.contact.request_submitted" in log_actions(request)


def test_anonymous_submission_keeps_the_contact_address(submit):
    request = submit()
    assert request.requester is None
    assert request.contact_email == "claire@example.org"
    assert request.reply_email == "claire@example.org"


def test_anonymous_submission_needs_an_email(submit):
    with pytest.raises(ValidationError):
        submit(contact_email="")
    assert not ContactRequest.objects.exists()


def test_inactive_topic_is_refused(resident, submit, topic):
    topic.is_active = False
    topic.save()
    with pytest.raises(ValidationError):
        submit(resident)
    assert not ContactRequest.objects.exists()


def test_reply_notifies_the_resident_after_commit(
    resident, agent, submit, django_capture_on_commit_callbacks
):
    request = submit(resident)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = actions.reply(request=request, acting_user=agent, body="C'est nettoyé.")
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    notification = Notification.objects.get(recipient=resident, kind="contact_reply")
    assert request.reference in notification.subject
    assert notification.url == f"/contact/demandes/{request.reference}/"
    assert [m.to for m in mail.outbox] == [[resident.email]]
    request.refresh_from_db()
    assert request.status == ContactRequest.Status.ANSWERED
    assert request.first_answered_at is not None
    assert message.from_staff
    assert "lutetia.contact.replied" in log_actions(request)


def test_reply_to_anonymous_requester_is_emailed_after_commit(
    agent, submit, django_capture_on_commit_callbacks
):
    request = submit()
    with django_capture_on_commit_callbacks(execute=True):
        actions.reply(request=request, acting_user=agent, body="Nous passons demain.")
        assert mail.outbox == []
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["claire@example.org"]
    assert request.reference in mail.outbox[0].subject
    assert "Nous passons demain." in mail.outbox[0].body


def test_internal_note_tells_nobody(resident, agent, submit, django_capture_on_commit_callbacks):
    request = submit(resident)
    with django_capture_on_commit_callbacks(execute=True):
        actions.reply(request=request, acting_user=agent, body="Voir avec l'équipe.", internal=True)
    assert mail.outbox == []
    assert not Notification.objects.exists()
    request.refresh_from_db()
    assert request.status == ContactRequest.Status.NEW
    assert "lutetia.contact.note_added" in log_actions(request)


def test_staff_of_another_department_may_not_reply(other_agent, resident, submit):
    request = submit(resident)
    with pytest.raises(PermissionDenied):
        actions.reply(request=request, acting_user=other_agent, body="Hors de mon service.")
    with pytest.raises(PermissionDenied):
        actions.change_status(request=request, status="closed", acting_user=other_agent)
    assert not Message.objects.exists()


def test_another_resident_may_not_reply(resident, submit):
    from tests.factories import UserFactory

    request = submit(resident)
    with pytest.raises(PermissionDenied):
        actions.reply(request=request, acting_user=UserFactory(), body="Moi aussi.")


def test_requester_reply_reopens_an_answered_request(resident, agent, submit):
    request = submit(resident)
    actions.reply(request=request, acting_user=agent, body="Réponse.")
    actions.reply(request=request, acting_user=resident, body="Ce n'est pas fait.")
    request.refresh_from_db()
    assert request.status == ContactRequest.Status.IN_PROGRESS
    actions.change_status(request=request, status="closed", acting_user=agent)
    with pytest.raises(ValidationError):
        actions.reply(request=request, acting_user=resident, body="Encore moi.")


def test_empty_reply_is_refused(agent, submit):
    with pytest.raises(ValidationError):
        actions.reply(request=submit(), acting_user=agent, body="   ")


def test_change_status_is_audited(agent, submit):
    request = submit()
    actions.change_status(request=request, status="in_progress", acting_user=agent)
    entry = ModelLogEntry.objects.get(
        object_id=str(request.pk), action="lutetia.contact.status_changed"
    )
    assert entry.user_id == agent.pk
    assert entry.data == {"before": {"status": "new"}, "after": {"status": "in_progress"}}
    with pytest.raises(ValidationError):
        actions.change_status(request=request, status="lost", acting_user=agent)


def test_only_managers_reassign(agent, manager, other_agent, other_department, submit):
    request = submit()
    with pytest.raises(PermissionDenied):
        actions.reassign(request=request, department=other_department, acting_user=agent)
    actions.reassign(request=request, department=other_department, acting_user=manager)
    request.refresh_from_db()
    assert request.department == other_department
    assert "lutetia.contact.reassigned" in log_actions(request)
    # Now the other department's agent handles it, the first manager no longer may.
    actions.reply(request=request, acting_user=other_agent, body="Pris en charge.")
    with pytest.raises(PermissionDenied):
        actions.reply(request=request, acting_user=manager, body="Plus chez nous.")
