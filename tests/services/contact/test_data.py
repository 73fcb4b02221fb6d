"""Mon Compte items, personal data, open data, indicators and the demo loader."""

from datetime import timedelta

import pytest
from django.utils import timezone
from wagtail.models import ModelLogEntry

from lutetia.core.demo import DemoContext
from lutetia.core.models import Role
from lutetia.core.registry import services
from lutetia.services.contact import actions
from lutetia.services.contact.models import ContactRequest, Message, Topic
from tests.factories import UserFactory, create_staff

pytestmark = pytest.mark.django_db

manifest = services.get("contact")


def test_account_items_list_the_residents_requests(resident, submit):
    request = submit(resident)
    submit()  # someone else's
    (items,) = [items for m, items in services.account_items(resident) if m.slug == "contact"]
    assert [item.url for item in items] == [f"/contact/demandes/{request.reference}/"]
    assert request.reference in items[0].title
    assert items[0].status == request.get_status_display()


def test_personal_data_export_has_the_public_conversation(resident, agent, submit):
    request = submit(resident)
    actions.reply(request=request, acting_user=agent, body="Réponse.")
    actions.reply(request=request, acting_user=agent, body="Note.", internal=True)
    exported = manifest.resolve(manifest.personal_data.export)(resident)
    (entry,) = exported["requests"]
    assert entry["reference"] == request.reference
    assert entry["message"] == request.message
    assert [m["body"] for m in entry["messages"]] == ["Réponse."]
    assert entry["messages"][0]["from"] == "city"


def test_erase_anonymises_but_keeps_statistics(resident, agent, submit):
    request = submit(resident)
    actions.reply(request=request, acting_user=agent, body="Réponse.")
    actions.reply(request=request, acting_user=resident, body="Mon adresse est ici.")
    manifest.resolve(manifest.personal_data.erase)(resident)
    request.refresh_from_db()
    assert request.requester == resident  # the tombstone
    assert (request.subject, request.message) == ("[deleted]", "[deleted]")
    assert (request.contact_name, request.contact_email) == ("", "")
    assert request.topic_id and request.department_id and request.first_answered_at
    bodies = set(Message.objects.values_list("body", flat=True))
    assert bodies == {"Réponse.", "[deleted]"}
    assert ModelLogEntry.objects.filter(action="lutetia.contact.requester_erased").exists()


def test_open_data_csv_has_anonymous_monthly_counts(agent, submit, other_topic):
    fast = submit(subject="Rapide")
    actions.reply(request=fast, acting_user=agent, body="Voilà.")
    slow = submit(subject="Lente")
    ContactRequest.objects.filter(pk=slow.pk).update(
        first_answered_at=slow.created_at + timedelta(days=6)
    )
    (export,) = manifest.open_data
    assert export.slug == "contact-requests-monthly"
    text = "".join(manifest.resolve(export.producer)("csv"))
    month = timezone.localtime(fast.created_at).strftime("%Y-%m")
    assert text.splitlines() == [
        "month,topic,department,count,answered_within_5_days",
        f"{month},Propreté,Propreté,2,1",
    ]
    assert "claire@example.org" not in text
    with pytest.raises(ValueError):
        list(manifest.resolve(export.producer)("xlsx"))


def test_indicators(agent, submit):
    request = submit()
    ContactRequest.objects.filter(pk=request.pk).update(
        first_answered_at=request.created_at + timedelta(hours=5)
    )
    values = {i.slug: manifest.resolve(i.compute)() for i in manifest.indicators}
    month = timezone.localtime(request.created_at).strftime("%Y-%m")
    assert values["contact-requests-per-month"] == [(month, 1)]
    assert values["contact-median-first-answer"] == 5.0


def test_demo_loader_is_idempotent(department, other_department):
    administrator = create_staff(department, Role.ADMINISTRATOR)
    context = DemoContext(
        administrator=administrator,
        departments={"proprete": department, "voirie": other_department},
        staff={"proprete": create_staff(department), "voirie": create_staff(other_department)},
        residents=[UserFactory(), UserFactory()],
    )
    load = manifest.resolve(manifest.demo_loader)
    load(context)
    counts = (Topic.objects.count(), ContactRequest.objects.count(), Message.objects.count())
    assert counts == (2, 2, 1)
    load(context)
    assert (
        Topic.objects.count(),
        ContactRequest.objects.count(),
        Message.objects.count(),
    ) == counts
