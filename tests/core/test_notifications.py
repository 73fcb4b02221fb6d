"""Notifications: in-app rows, e-mails after commit only, language, read marks, worker."""

from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.management import ManagementUtility, call_command
from django.db import transaction
from django.utils import timezone
from django_tasks.signals import task_enqueued
from django_tasks_db.management.commands import db_worker

from lutetia.core.notifications.actions import mark_all_read, mark_read, notify
from lutetia.core.notifications.models import Notification
from lutetia.core.notifications.selectors import notifications_for, unread_count
from lutetia.core.notifications.tasks import send_notification_email
from tests.factories import UserFactory

TEST_TEMPLATES = Path(__file__).resolve().parents[1] / "templates"

pytestmark = pytest.mark.django_db


@pytest.fixture
def test_templates(settings):
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [TEST_TEMPLATES, *settings.TEMPLATES[0]["DIRS"]]}
    ]


@pytest.fixture
def enqueued():
    """The tasks enqueued during a test."""
    results = []

    def record(sender, task_result, **kwargs):
        results.append(task_result)

    task_enqueued.connect(record)
    yield results
    task_enqueued.disconnect(record)


def message(recipient, **kwargs):
    return notify(
        recipient=recipient,
        kind="message",
        context={"subject": "Your request", "message": "Tom & Jerry <3"},
        **kwargs,
    )


def test_notification_is_emailed_only_after_commit(
    settings, resident, django_capture_on_commit_callbacks
):
    settings.WAGTAILADMIN_BASE_URL = "https://www.paris.example"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = message(resident, url="/mon-compte/demandes/1/")
        assert Notification.objects.filter(pk=notification.pk).exists()
        assert mail.outbox == []
    assert len(callbacks) == 1

    notification.refresh_from_db()
    assert (notification.kind, notification.subject) == ("message", "Your request")
    assert notification.body == "Tom & Jerry <3"  # plain text: no HTML escaping
    assert notification.emailed_at is not None
    [email] = mail.outbox
    assert email.to == [resident.email] and email.subject == "Your request"
    assert "Tom & Jerry <3" in email.body
    assert "https://www.paris.example/mon-compte/demandes/1/" in email.body


def test_nothing_is_written_or_sent_on_rollback(
    resident, django_capture_on_commit_callbacks, enqueued
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        message(resident)
        raise RuntimeError("the calling action failed")
    assert not Notification.objects.exists()
    assert mail.outbox == [] and enqueued == []


def test_in_app_only_notification_is_not_emailed(
    resident, django_capture_on_commit_callbacks, enqueued
):
    with django_capture_on_commit_callbacks(execute=True):
        notification = message(resident, email=False)
    assert notification.pk and mail.outbox == [] and enqueued == []


@pytest.mark.parametrize(
    "fields", [{"is_active": False}, {"deleted_at": timezone.now()}, {"email": ""}]
)
def test_unreachable_users_get_no_email(fields, django_capture_on_commit_callbacks, enqueued):
    recipient = UserFactory(**fields)
    with django_capture_on_commit_callbacks(execute=True):
        message(recipient)
    assert Notification.objects.filter(recipient=recipient).count() == 1
    assert mail.outbox == [] and enqueued == []


def test_user_deactivated_before_sending_gets_no_email(resident):
    notification = message(resident, email=False)
    resident.is_active = False
    resident.save()
    assert send_notification_email.call(notification.pk) is False
    assert mail.outbox == []


@pytest.mark.parametrize("language", ["en", "fr"])
def test_rendered_in_the_recipients_language(
    language, test_templates, django_capture_on_commit_callbacks
):
    recipient = UserFactory(preferred_language=language)
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(
            recipient=recipient, kind="language_probe", context={"text": "bonjour"}
        )
    assert notification.subject == f"Language {language}"
    assert notification.body == f"{language}: bonjour"
    assert mail.outbox[0].subject == f"Language {language}"


def test_account_verified_greets_the_resident(django_capture_on_commit_callbacks):
    recipient = UserFactory(first_name="Jeanne", preferred_language="en")
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(recipient=recipient, kind="account_verified", context={})
    assert notification.subject == "Your residence has been verified"
    assert notification.body.startswith("Hello Jeanne,")
    assert "Hello Jeanne," in mail.outbox[0].body


def test_sending_is_idempotent(resident, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notification = message(resident)
    emailed_at = Notification.objects.get(pk=notification.pk).emailed_at

    assert send_notification_email.call(notification.pk) is False
    assert send_notification_email.call(notification.pk + 1000) is False
    assert len(mail.outbox) == 1
    assert Notification.objects.get(pk=notification.pk).emailed_at == emailed_at


def test_mark_read_only_touches_ones_own(resident):
    other = UserFactory()
    mine = [message(resident, email=False) for _ in range(2)]
    theirs = message(other, email=False)

    assert mark_read(notification_ids=[mine[0].pk, theirs.pk], acting_user=resident) == 1

    assert unread_count(resident) == 1 and unread_count(other) == 1
    assert list(notifications_for(resident, unread_only=True)) == [mine[1]]
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_mark_all_read(resident):
    other = UserFactory()
    message(resident, email=False)
    message(resident, email=False)
    message(other, email=False)

    assert mark_all_read(acting_user=resident) == 2
    assert unread_count(resident) == 0 and unread_count(other) == 1
    assert notifications_for(resident).count() == 2


def test_anonymous_visitor_has_no_notifications():
    assert unread_count(AnonymousUser()) == 0


def test_worker_help_lists_the_db_worker_options(capsys):
    with pytest.raises(SystemExit) as exit_info:
        ManagementUtility(["lutetia", "worker", "--help"]).execute()
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "--batch" in out and "--queue-name" in out and "notification" in out


def test_worker_sends_queued_emails(
    settings, resident, monkeypatch, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    # The worker drops connections left inside a transaction, as the test's one is: keep it.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    with django_capture_on_commit_callbacks(execute=True):
        notification = message(resident)
    assert mail.outbox == []  # queued in the database, not run yet

    call_command("worker", batch=True, startup_delay=False, reload=False, verbosity=0)

    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.emailed_at is not None
