"""core.audit.log stores the entry Wagtail's log would, without full_clean()'s two queries."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from wagtail.log_actions import LogContext
from wagtail.log_actions import log as wagtail_log
from wagtail.models import ModelLogEntry, Page, PageLogEntry

from lutetia.core import audit
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FIELDS = ["content_type_id", "label", "action", "data", "user_id", "uuid", "revision_id"]


def stored(entry) -> dict:
    entry = type(entry).objects.get(pk=entry.pk)
    target = {"page_id": entry.page_id} if isinstance(entry, PageLogEntry) else {}
    object_id = {"object_id": entry.object_id} if isinstance(entry, ModelLogEntry) else {}
    return {
        "model": type(entry),
        **{name: getattr(entry, name) for name in FIELDS},
        **target,
        **object_id,
    }


def test_a_model_entry_is_the_one_wagtail_stores():
    actor, subject = UserFactory(), UserFactory()
    ours = audit.log(subject, "wagtail.edit", user=actor, data={"a": 1})
    theirs = wagtail_log(subject, "wagtail.edit", user=actor, data={"a": 1})
    assert isinstance(ours, ModelLogEntry)
    assert stored(ours) == stored(theirs)
    assert stored(ours)["object_id"] == str(subject.pk)
    assert abs(ours.timestamp - theirs.timestamp).total_seconds() < 5


def test_a_page_entry_is_the_one_wagtail_stores():
    actor, page = UserFactory(), Page.objects.get(depth=1)
    ours = audit.log(page, "wagtail.edit", user=actor)
    theirs = wagtail_log(page, "wagtail.edit", user=actor)
    assert isinstance(ours, PageLogEntry)
    assert stored(ours) == stored(theirs)
    assert stored(ours)["page_id"] == page.pk


def test_the_log_context_gives_the_uuid_and_the_user_when_none_is_named():
    actor, subject = UserFactory(), UserFactory()
    with LogContext(user=actor) as context:
        entry = audit.log(subject, "wagtail.edit", user=None)
    assert entry.uuid == context.uuid and entry.uuid is not None
    assert entry.user == actor


def test_an_unregistered_action_is_refused_and_nothing_is_stored():
    with pytest.raises(ValidationError):
        audit.log(UserFactory(), "lutetia.no_such_action", user=None)
    assert not ModelLogEntry.objects.exists()


def test_an_entry_is_one_insert(django_assert_num_queries):
    actor, subject = UserFactory(), UserFactory()
    ContentType.objects.get_for_model(subject)  # cached per process in production
    with django_assert_num_queries(1):
        audit.log(subject, "wagtail.edit", user=actor)
