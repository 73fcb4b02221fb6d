"""My procedures, exchanges with staff, Mon Compte, personal data, open data and mounting."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from lutetia.core.models import Role
from lutetia.core.notifications.models import Notification
from lutetia.core.registry import services
from lutetia.core.roles import ROLE_ORDER
from lutetia.services.procedures import actions, open_data
from lutetia.services.procedures.models import DemandFile
from tests.factories import DepartmentFactory, UserFactory, create_staff
from tests.services.procedures.conftest import PDF

pytestmark = pytest.mark.django_db


@pytest.fixture
def demand(tree_form, resident, django_capture_on_commit_callbacks):
    """A sent demand (answers given through the actions, as the pages do)."""
    draft = actions.start_draft(form=tree_form, acting_user=resident)
    draft.answers = {
        "name": "Claire",
        "kind": "resident",
        "place": {
            "address": "Parvis",
            "latitude": 48.853,
            "longitude": 2.3499,
            "district": "4",
            "district_name": "Hôtel-de-Ville",
        },
        "terms": True,
    }
    draft.step = 4
    draft.save()
    with django_capture_on_commit_callbacks(execute=True):
        return actions.submit_demand(draft=draft, acting_user=resident)


def detail_url(demand):
    return f"/demarches/mes-demarches/{demand.reference}/"


def test_my_procedures_lists_demands_with_their_status(client, resident, demand):
    client.force_login(resident)
    page = client.get("/demarches/mes-demarches/").content.decode()
    assert demand.reference in page and demand.status_label in page
    detail = client.get(detail_url(demand)).content.decode()
    assert "Claire" in detail and "Parvis" in detail
    english = client.get(f"/en{detail_url(demand)}")
    assert english.status_code == 200 and '<html lang="en">' in english.content.decode()


def test_other_residents_never_see_a_demand(client, demand):
    client.force_login(UserFactory())
    assert client.get(detail_url(demand)).status_code == 404
    assert demand.reference not in client.get("/demarches/mes-demarches/").content.decode()


def test_staff_messages_reach_the_resident_and_notes_stay_internal(
    client, resident, demand, agent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        actions.post_message(demand=demand, body="Visite prévue mardi.", acting_user=agent)
        actions.post_message(demand=demand, body="Voisin pénible", internal=True, acting_user=agent)
    client.force_login(resident)
    page = client.get(detail_url(demand)).content.decode()
    assert "Visite prévue mardi." in page and "Voisin pénible" not in page
    assert Notification.objects.filter(recipient=resident, kind="procedure_message").count() == 1


def test_the_resident_answers_an_information_request_with_a_document(
    client, resident, demand, agent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = actions.request_information(
            demand=demand,
            question="Quel est le numéro du bâtiment ?",
            requested_documents="Plan du trottoir",
            acting_user=agent,
        )
    assert Notification.objects.filter(kind="procedure_information_request").exists()
    client.force_login(resident)
    page = client.get(detail_url(demand)).content.decode()
    assert "Quel est le numéro du bâtiment ?" in page and "Plan du trottoir" in page
    prefix = f"request-{request.pk}"
    refused = client.post(detail_url(demand), {"information_request": request.pk})
    assert "error-summary" in refused.content.decode()
    document = SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf")
    response = client.post(
        detail_url(demand),
        {
            "information_request": request.pk,
            f"{prefix}-answer": "Le 12.",
            f"{prefix}-documents": [document],
        },
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.answer == "Le 12." and request.answered_at is not None
    assert request.files.get().content_type == "application/pdf"
    again = client.post(
        detail_url(demand), {"information_request": request.pk, f"{prefix}-answer": "Encore"}
    )
    assert again.status_code == 404


def test_a_bad_document_in_an_answer_leaves_nothing(client, resident, demand, agent):
    request = actions.request_information(demand=demand, question="Plan ?", acting_user=agent)
    client.force_login(resident)
    fake = SimpleUploadedFile("plan.pdf", b"MZ not a pdf", content_type="application/pdf")
    prefix = f"request-{request.pk}"
    response = client.post(
        detail_url(demand), {"information_request": request.pk, f"{prefix}-documents": [fake]}
    )
    assert 'id="id_request-' in response.content.decode()
    request.refresh_from_db()
    assert request.answered_at is None
    assert not DemandFile.objects.filter(information_request=request).exists()


def test_staff_of_other_departments_cannot_write_to_a_demand(demand):
    other = create_staff(DepartmentFactory(code="voirie"))
    with pytest.raises(PermissionDenied):
        actions.post_message(demand=demand, body="Bonjour", acting_user=other)
    with pytest.raises(PermissionDenied):
        actions.request_information(demand=demand, question="?", acting_user=other)


def test_mon_compte_lists_the_demands(client, resident, demand):
    client.force_login(resident)
    page = client.get(reverse("accounts:dashboard")).content.decode()
    assert demand.reference in page


def test_personal_data_export_and_erase(
    resident, demand, settings, django_capture_on_commit_callbacks
):
    manifest = services.get("procedures")
    exported = manifest.resolve(manifest.personal_data.export)(resident)
    assert exported["demands"][0]["answers"]["name"] == "Claire"
    with django_capture_on_commit_callbacks(execute=True):
        manifest.resolve(manifest.personal_data.erase)(resident)
    demand.refresh_from_db()
    assert demand.answers == {} and demand.contact_email == ""
    assert demand.district.code == "4"  # statistics keep the district


def test_open_data_and_indicators_are_anonymous(demand, tree_form):
    demand.closed_at = demand.submitted_at + datetime.timedelta(days=2)
    demand.save()
    tree_form.processing_target_days = 3
    tree_form.save()
    csv_text = "".join(open_data.monthly_demands("csv"))
    month = timezone.localdate(demand.submitted_at).strftime("%Y-%m")
    assert csv_text.splitlines() == [
        "month,procedure,title,count,closed",
        f"{month},planter-un-arbre,Planter un arbre,1,1",
    ]
    assert "Claire" not in csv_text
    assert open_data.demands_per_month()[-1][1] == 1
    assert open_data.median_processing_days() == [("Planter un arbre", 2.0)]
    assert open_data.share_within_target() == 100.0


def test_manifest_mounts_pages_and_back_office(department):
    assert reverse("procedures:index") == "/demarches/"
    assert reverse("procedure_forms:index") == "/admin/procedures/forms/"
    declared = services.get("procedures").role_permissions
    for role in Role:
        user = create_staff(department, role)
        for level in ROLE_ORDER[: ROLE_ORDER.index(role) + 1]:
            for name in declared.get(level.value, ()):
                assert user.has_perm(name), (role, name)
