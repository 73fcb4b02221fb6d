"""The staff report page and its actions (status, notes, routing, category, priority,
assignment), department scoping, and the routing settings managers edit."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from lutetia.services.reports import actions
from lutetia.services.reports.models import (
    Category,
    CategoryAttribute,
    RejectionReason,
    Report,
    ReportPhoto,
    ReportUpdate,
    ResponseTemplate,
    RoutingRule,
)
from tests.factories import create_staff
from tests.services.reports.test_backoffice_fixtures import (  # noqa: F401 (fixtures)
    assert_refused,
    audited,
    detail_url,
    photo_upload,
    road_category,
)

# The shared fixtures are imported by name from test_backoffice_fixtures; pytest passes them
# as arguments, which ruff would take for redefinitions.
# ruff: noqa: F811

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

Status = Report.Status


# --- the report page ----------------------------------------------------------------------------


def test_staff_page_shows_contact_and_internal_notes(
    client, agent, make_report, anonymous_reporter
):
    report = make_report(acting_user=None, reporter=anonymous_reporter)
    actions.add_note(report=report, note="Benne prévue jeudi.", acting_user=agent)
    client.force_login(agent)
    content = client.get(detail_url(report)).content.decode()
    assert "passant@example.org" in content and "Durand" in content
    assert "Benne prévue jeudi." in content
    assert "Waiting for the reporter's e-mail confirmation" in content
    for form in ("status", "note", "priority", "assign", "reassign", "recategorise"):
        assert f'name="form" value="{form}"' in content
    assert 'value="redact"' not in content  # agents do not moderate


def test_agent_of_another_department_is_refused(client, other_agent, make_report):
    report = make_report()
    client.force_login(other_agent)
    assert_refused(client.get(detail_url(report)))
    response = client.post(detail_url(report), {"form": "status", "status-status": "resolved"})
    assert_refused(response)
    report.refresh_from_db()
    assert report.status == Status.NEW


def test_change_status_with_template_note_and_after_photos(
    client, agent, make_report, django_capture_on_commit_callbacks, mailoutbox
):
    report = make_report()
    template = ResponseTemplate.objects.create(title="Fait", text_fr="Le dépôt a été enlevé.")
    client.force_login(agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            detail_url(report),
            {
                "form": "status",
                "status-status": "resolved",
                "status-template": template.pk,
                "status-internal_note": "Équipe B",
                "status-after_photos": [photo_upload("a.png"), photo_upload("b.png")],
            },
        )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.RESOLVED and report.closed_at is not None
    assert report.status_notes == "Le dépôt a été enlevé."
    update = report.updates.get(kind=ReportUpdate.Kind.STATUS)
    assert update.internal_note == "Équipe B" and update.author == agent
    assert report.photos.filter(kind=ReportPhoto.Kind.AFTER).count() == 2
    assert audited(report, "lutetia.reports.status_changed")
    assert mailoutbox  # the reporter follows the report and is told


def test_status_errors_show_on_the_form(client, agent, make_report):
    report = make_report()
    client.force_login(agent)
    url = detail_url(report)
    rejected = client.post(url, {"form": "status", "status-status": "rejected"})
    assert rejected.status_code == 200
    assert "Choose the reason for the rejection." in rejected.content.decode()
    unknown = client.post(
        url, {"form": "status", "status-status": "duplicate", "status-duplicate_of": "DMR-1"}
    )
    assert "No report has this reference." in unknown.content.decode()
    report.refresh_from_db()
    assert report.status == Status.NEW


def test_duplicate_by_reference_and_rejection_with_reason(client, agent, make_report):
    original, copy, spam = make_report(), make_report(), make_report()
    reason = RejectionReason.objects.create(label_fr="Hors sujet", label_en="Off topic")
    client.force_login(agent)
    client.post(
        detail_url(copy),
        {"form": "status", "status-status": "duplicate", "status-duplicate_of": original.reference},
    )
    client.post(
        detail_url(spam),
        {"form": "status", "status-status": "rejected", "status-rejection_reason": reason.pk},
    )
    copy.refresh_from_db()
    spam.refresh_from_db()
    assert copy.status == Status.DUPLICATE and copy.duplicate_of == original
    assert spam.status == Status.REJECTED and spam.rejection_reason == reason


def test_note_priority_and_assignment_from_the_page(client, agent, make_report):
    colleague = create_staff(agent.memberships.get().department)
    report = make_report()
    client.force_login(agent)
    url = detail_url(report)
    client.post(url, {"form": "note", "note-note": "Appeler la mairie du 4e."})
    client.post(url, {"form": "priority", "priority-priority": Report.Priority.HIGH})
    client.post(url, {"form": "assign", "assign-agent": colleague.pk})
    report.refresh_from_db()
    assert report.updates.filter(kind=ReportUpdate.Kind.NOTE).exists()
    assert report.priority == Report.Priority.HIGH
    assert report.assignee == colleague
    assert audited(report, "lutetia.reports.prioritised")
    assert audited(report, "lutetia.reports.assigned")


def test_assigning_someone_outside_the_department_is_refused(make_report, agent, other_agent):
    report = make_report()
    with pytest.raises(ValidationError) as refused:
        actions.assign_agent(report=report, agent=other_agent, acting_user=agent)
    assert refused.value.code == "not_member"
    with pytest.raises(PermissionDenied):
        actions.assign_agent(report=report, agent=None, acting_user=other_agent)


def test_reassign_moves_the_report_out_of_reach(client, agent, make_report, other_department):
    report = make_report()
    report.assignee = agent
    report.save()
    client.force_login(agent)
    client.post(
        detail_url(report),
        {"form": "reassign", "reassign-department": other_department.pk, "reassign-note": "Voirie"},
    )
    report.refresh_from_db()
    assert report.department == other_department and report.assignee is None
    entry = report.updates.get(kind=ReportUpdate.Kind.ROUTED)
    assert entry.internal_note == "Voirie" and not entry.is_public
    log = audited(report, "lutetia.reports.reassigned")
    assert log.data == {"from": agent.memberships.get().department_id, "to": other_department.pk}
    assert_refused(client.get(detail_url(report)))


def test_recategorise_follows_the_routing(client, agent, make_report, road_category):
    report = make_report()
    client.force_login(agent)
    client.post(
        detail_url(report), {"form": "recategorise", "recategorise-category": road_category.pk}
    )
    report.refresh_from_db()
    assert report.category == road_category
    assert report.department == road_category.parent.department
    assert report.updates.filter(kind=ReportUpdate.Kind.RECATEGORISED).exists()
    log = audited(report, "lutetia.reports.recategorised")
    assert log.data["after"]["category"] == road_category.pk


def test_recategorise_refuses_a_family(agent, make_report, road_category):
    report = make_report()
    with pytest.raises(ValidationError):
        actions.recategorise(report=report, category=road_category.parent, acting_user=agent)


def test_administrators_act_everywhere(client, administrator, make_report, road_category):
    report = make_report(category=road_category)
    client.force_login(administrator)
    content = client.get(detail_url(report)).content.decode()
    assert 'value="redact"' in content and 'value="ban"' in content
    client.post(detail_url(report), {"form": "priority", "priority-priority": 3})
    report.refresh_from_db()
    assert report.priority == Report.Priority.URGENT


def test_detail_page_query_count_stays_small(
    client, agent, make_report, django_assert_max_num_queries
):
    report = make_report()
    for index in range(5):
        actions.add_note(report=report, note=f"Note {index}", acting_user=agent)
    client.force_login(agent)
    client.get(detail_url(report))
    with django_assert_max_num_queries(30):
        assert client.get(detail_url(report)).status_code == 200


# --- routing settings ---------------------------------------------------------------------------

CATEGORIES = "/admin/dans-ma-rue/categories/"
ROUTING = "/admin/dans-ma-rue/routing/"


def category_form(parent, **fields):
    """The category form's fields, with one attribute in the inline panel."""
    return {
        "parent": parent.pk,
        "code": "encombrant",
        "name_fr": "Encombrant",
        "name_en": "Bulky waste",
        "order": 0,
        "active": "on",
        "target_days": 5,
        "attributes-TOTAL_FORMS": 1,
        "attributes-INITIAL_FORMS": 0,
        "attributes-MIN_NUM_FORMS": 0,
        "attributes-MAX_NUM_FORMS": 1000,
        "attributes-0-code": "volume",
        "attributes-0-description": "Volume approximatif",
        "attributes-0-datatype": "number",
        "attributes-0-variable": "on",
        "attributes-0-values": "[]",
        "attributes-0-order": 0,
        "attributes-0-ORDER": 1,
        "attributes-0-id": "",
        "attributes-0-DELETE": "",
        **fields,
    }


def test_manager_creates_a_category_with_attributes(client, manager, family):
    client.force_login(manager)
    response = client.post(f"{CATEGORIES}new/", category_form(family))
    assert response.status_code == 302, response.content.decode()[:2000]
    created = Category.objects.get(code="encombrant")
    assert created.parent == family
    assert list(created.attributes.values_list("code", "datatype")) == [("volume", "number")]
    assert audited(created, "lutetia.reports.category_created")


def test_manager_cannot_edit_another_departments_category(client, manager, road_category):
    client.force_login(manager)
    listing = client.get(CATEGORIES).content.decode()
    assert "Nid de poule" not in listing
    assert_refused(client.get(f"{CATEGORIES}edit/{road_category.pk}/"))
    with pytest.raises(PermissionDenied):
        actions.save_routing_item(item=road_category, acting_user=manager)


def test_agents_do_not_edit_routing(client, agent, category):
    client.force_login(agent)
    for url in (CATEGORIES, ROUTING, "/admin/dans-ma-rue/rejection-reasons/"):
        assert client.get(url).status_code in (302, 403)
    with pytest.raises(PermissionDenied):
        actions.save_routing_item(item=category, acting_user=agent)


def test_routing_rule_sends_a_district_elsewhere(
    client,
    manager,
    category,
    other_department,
    districts,
    make_report,
    django_capture_on_commit_callbacks,
):
    from lutetia.core.districts.models import District

    fourth = District.objects.get(code="4")
    client.force_login(manager)
    # A manager routes only to their own departments…
    response = client.post(
        f"{ROUTING}new/",
        {"category": category.pk, "district": fourth.pk, "department": other_department.pk},
    )
    assert response.status_code == 200 and not RoutingRule.objects.exists()
    # …an administrator anywhere.
    administrator = create_staff(manager.memberships.get().department, role="administrator")
    client.force_login(administrator)
    client.post(
        f"{ROUTING}new/",
        {"category": category.pk, "district": fourth.pk, "department": other_department.pk},
    )
    rule = RoutingRule.objects.get()
    assert audited(rule, "lutetia.reports.routingrule_created")
    assert make_report().department == other_department  # Notre-Dame is in the 4th
    with django_capture_on_commit_callbacks(execute=True):  # the routing is read again
        client.post(f"{ROUTING}delete/{rule.pk}/")
    assert not RoutingRule.objects.exists()
    assert make_report().department == category.parent.department


def test_reasons_and_templates_by_managers(client, manager):
    client.force_login(manager)
    client.post(
        "/admin/dans-ma-rue/rejection-reasons/new/",
        {"label_fr": "Domaine privé", "label_en": "Private property", "active": "on"},
    )
    reason = RejectionReason.objects.get()
    assert audited(reason, "lutetia.reports.rejectionreason_created")
    assert (
        client.get(f"/admin/dans-ma-rue/rejection-reasons/delete/{reason.pk}/").status_code == 404
    )
    client.post(
        "/admin/dans-ma-rue/response-templates/new/",
        {"title": "Pris en compte", "status": "acknowledged", "text_fr": "Merci.", "text_en": ""},
    )
    assert ResponseTemplate.objects.get().text_fr == "Merci."


def test_menu_shows_entries_by_role(client, agent, manager):
    client.force_login(agent)
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "/admin/dans-ma-rue/reports/" in home and CATEGORIES not in home
    client.force_login(manager)
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert CATEGORIES in home and "/admin/dans-ma-rue/banned-emails/" not in home


def test_too_many_or_bad_after_photos_save_nothing(client, agent, make_report, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    report = make_report()
    client.force_login(agent)
    too_many = [photo_upload(f"{index}.png") for index in range(4)]
    response = client.post(
        detail_url(report),
        {"form": "status", "status-status": "resolved", "status-after_photos": too_many},
    )
    assert "At most 3 photos." in response.content.decode()
    fake = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    response = client.post(
        detail_url(report),
        {"form": "status", "status-status": "resolved", "status-after_photos": [fake]},
    )
    assert response.status_code == 200
    report.refresh_from_db()
    assert report.status == Status.NEW and not report.photos.exists()
    assert not (settings.MEDIA_ROOT / "reports").exists()


def test_manager_edits_a_category_and_removes_a_question(client, manager, category):
    question = CategoryAttribute.objects.create(
        category=category, code="taille", description="Taille", datatype="string"
    )
    client.force_login(manager)
    url = f"{CATEGORIES}edit/{category.pk}/"
    assert 'value="taille"' in client.get(url).content.decode()
    fields = category_form(
        category.parent,
        code=category.code,
        name_fr="Dépôt sauvage (gros)",
        **{
            "attributes-INITIAL_FORMS": 1,
            "attributes-0-id": question.pk,
            "attributes-0-code": "taille",
            "attributes-0-DELETE": "1",
        },
    )
    response = client.post(url, fields)
    assert response.status_code == 302
    category.refresh_from_db()
    assert category.name_fr == "Dépôt sauvage (gros)"
    assert not category.attributes.exists()
    assert audited(category, "lutetia.reports.category_changed")
