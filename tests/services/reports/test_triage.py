"""The triage queue: department scoping, filters, sorting, counts, overdue reports,
pagination, keyboard shortcuts, bulk actions with a result per report, query counts."""

# The shared fixtures are imported by name from test_backoffice_fixtures; pytest passes them
# as arguments, which ruff would take for redefinitions.
# ruff: noqa: F811

import re
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from wagtail.users.models import UserProfile

from lutetia.services.reports import selectors
from lutetia.services.reports.models import Report, ReportUpdate
from tests.services.reports.test_backoffice_fixtures import (  # noqa: F401 (fixtures)
    TRIAGE,
    audited,
    bulk_reports,
    road_category,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

Status = Report.Status


def references(response) -> list[str]:
    """The references listed in the queue, in their order."""
    return re.findall(r"data-triage-link>(DMR-[\d-]+)<", response.content.decode())


def test_agents_see_only_their_departments_reports(client, agent, make_report, road_category):
    mine = make_report()
    theirs = make_report(category=road_category)
    client.force_login(agent)
    listed = references(client.get(TRIAGE))
    assert listed == [mine.reference]
    assert theirs.department != mine.department


def test_administrators_see_all_and_filter_by_department(
    client, administrator, make_report, road_category, other_department
):
    mine = make_report()
    theirs = make_report(category=road_category)
    client.force_login(administrator)
    assert set(references(client.get(TRIAGE))) == {mine.reference, theirs.reference}
    filtered = client.get(TRIAGE, {"department": other_department.pk})
    assert references(filtered) == [theirs.reference]


def test_unconfirmed_reports_are_marked(client, agent, make_report, anonymous_reporter):
    waiting = make_report(acting_user=None, reporter=anonymous_reporter)
    client.force_login(agent)
    response = client.get(TRIAGE)
    assert references(response) == [waiting.reference]
    assert "awaiting e-mail confirmation" in response.content.decode()


def test_residents_and_other_staff_cannot_open_the_queue(client, resident):
    client.force_login(resident)
    assert client.get(TRIAGE).status_code in (302, 403)


def test_counts_per_status_and_status_filter(client, agent, make_report):
    acknowledged = make_report()
    Report.objects.filter(pk=acknowledged.pk).update(status=Status.ACKNOWLEDGED)
    resolved = make_report()
    Report.objects.filter(pk=resolved.pk).update(status=Status.RESOLVED)
    new = make_report()
    client.force_login(agent)
    page = client.get(TRIAGE)
    tabs = dict(re.findall(r">([^<>]+) <span class=\"triage-count\">(\d+)<", page.content.decode()))
    assert tabs["Open"] == "2"
    assert tabs["New"] == "1"
    assert tabs["Resolved"] == "1"
    assert tabs["All"] == "3"
    assert set(references(page)) == {acknowledged.reference, new.reference}  # open by default
    assert references(client.get(TRIAGE, {"status": "resolved"})) == [resolved.reference]
    assert references(client.get(TRIAGE, {"status": "closed"})) == [resolved.reference]
    assert len(references(client.get(TRIAGE, {"status": "all"}))) == 3


def test_closed_statuses_are_counted_up_to_the_cap(client, agent, bulk_reports, monkeypatch):
    """Closed reports pile up for ever: past the cap their count says "cap+", open ones stay
    exact, and the page says why."""
    monkeypatch.setattr(selectors, "CLOSED_COUNT_CAP", 2)
    bulk_reports(3, status=Status.RESOLVED)
    bulk_reports(1, status=Status.REJECTED)
    bulk_reports(3)
    client.force_login(agent)
    page = client.get(TRIAGE).content.decode()
    tabs = dict(re.findall(r">([^<>]+) <span class=\"triage-count\">([\d+]+)<", page))
    assert tabs == {
        "Open": "3",
        "New": "3",
        "Acknowledged": "0",
        "Scheduled": "0",
        "In progress": "0",
        "Resolved": "2+",
        "Rejected": "1",
        "Duplicate": "0",
        "Transferred": "0",
        "Closed": "3+",
        "All": "6+",
    }
    assert "A closed status is counted up to 2 reports" in page
    resolved = client.get(TRIAGE, {"status": "resolved", "per_page": 25}).content.decode()
    assert "2+ reports" in resolved
    assert len(references(client.get(TRIAGE, {"status": "resolved"}))) == 2  # paged to the cap


def test_filters_category_district_priority_assignee_and_text(
    client, administrator, agent, make_report, category, road_category
):
    from tests.conftest import INSIDE_PARIS

    notre_dame = make_report(description="Tags sur la façade")
    montmartre = make_report(category=road_category, longitude=2.3431, latitude=48.8867)
    Report.objects.filter(pk=montmartre.pk).update(priority=Report.Priority.URGENT)
    Report.objects.filter(pk=notre_dame.pk).update(assignee=agent)
    client.force_login(administrator)

    def listed(**query):
        return references(client.get(TRIAGE, query))

    assert listed(category=category.pk) == [notre_dame.reference]
    assert listed(category=category.parent_id) == [notre_dame.reference]  # a whole family
    assert listed(district=montmartre.district_id) == [montmartre.reference]
    assert listed(priority=Report.Priority.URGENT) == [montmartre.reference]
    assert listed(assignee=agent.pk) == [notre_dame.reference]
    assert listed(assignee="none") == [montmartre.reference]
    assert listed(q="façade") == [notre_dame.reference]
    assert listed(q=montmartre.reference.lower()) == [montmartre.reference]
    assert notre_dame.district_id != montmartre.district_id
    assert INSIDE_PARIS["latitude"] != montmartre.latitude


def test_assigned_to_me(client, agent, make_report):
    mine = make_report()
    make_report()
    Report.objects.filter(pk=mine.pk).update(assignee=agent)
    client.force_login(agent)
    assert references(client.get(TRIAGE, {"assignee": "me"})) == [mine.reference]


def test_age_filters_and_overdue_highlight(client, agent, bulk_reports):
    now = timezone.now()
    (old,) = bulk_reports(1, created_at=now - timedelta(days=10))  # target is 7 days
    (recent,) = bulk_reports(1, created_at=now - timedelta(days=3))
    (resolved_late,) = bulk_reports(1, created_at=now - timedelta(days=12), status="resolved")
    client.force_login(agent)
    assert references(client.get(TRIAGE, {"age": "overdue"})) == [old.reference]
    assert references(client.get(TRIAGE, {"age": "2"})) == [old.reference, recent.reference]
    assert references(client.get(TRIAGE, {"age": "overdue", "status": "all"})) == [old.reference]
    content = client.get(TRIAGE).content.decode()
    overdue_rows = re.findall(r'triage-row--overdue"[^>]*>.*?(DMR-[\d-]+)', content, re.S)
    assert overdue_rows == [old.reference]
    assert "10 / 7" in content and "3 / 7" in content
    assert resolved_late.reference not in content


def test_rows_show_status_and_priority_in_the_staff_language(client, agent, bulk_reports):
    """The labels are translated once per page (not by get_FOO_display per row)."""
    (urgent,) = bulk_reports(1, priority=Report.Priority.URGENT, status=Status.SCHEDULED)
    client.force_login(agent)
    row = re.compile(re.escape(urgent.reference) + r".*?</tr>", re.S)

    english = row.search(client.get(TRIAGE).content.decode()).group(0)
    profile = UserProfile.get_for_user(agent)
    profile.preferred_language = "fr"
    profile.save()
    french = row.search(client.get(TRIAGE).content.decode()).group(0)

    assert "<td>Scheduled</td>" in english and "<td>Urgent</td>" in english
    with translation.override("fr"):
        labels = str(Status.SCHEDULED.label), str(Report.Priority.URGENT.label)
    assert labels != ("Scheduled", "Urgent")
    assert all(f"<td>{label}</td>" in french for label in labels)


def test_sorting_by_age_and_priority(client, agent, bulk_reports):
    now = timezone.now()
    (older,) = bulk_reports(1, created_at=now - timedelta(days=5))
    (newer,) = bulk_reports(1, created_at=now - timedelta(days=1))
    (urgent,) = bulk_reports(1, created_at=now, priority=Report.Priority.URGENT)
    client.force_login(agent)
    assert references(client.get(TRIAGE)) == [older.reference, newer.reference, urgent.reference]
    assert references(client.get(TRIAGE, {"sort": "newest"}))[0] == urgent.reference
    by_priority = references(client.get(TRIAGE, {"sort": "priority"}))
    assert by_priority == [urgent.reference, older.reference, newer.reference]


def test_pagination_keeps_the_filters(client, agent, bulk_reports):
    bulk_reports(30)
    client.force_login(agent)
    first = client.get(TRIAGE, {"sort": "newest"})
    assert len(references(first)) == 25
    assert "Page 1 of 2" in first.content.decode()
    second = client.get(TRIAGE, {"sort": "newest", "p": 2})
    assert len(references(second)) == 5
    assert not set(references(first)) & set(references(second))
    assert len(references(client.get(TRIAGE, {"per_page": 50}))) == 30
    assert len(references(client.get(TRIAGE, {"p": 99}))) == 5  # past the end: the last page


def test_bad_filter_values_fall_back_to_defaults(client, agent, make_report):
    report = make_report()
    client.force_login(agent)
    response = client.get(TRIAGE, {"priority": "x", "sort": "sideways", "per_page": 7})
    assert response.status_code == 200
    assert references(response) == [report.reference]


def test_keyboard_shortcuts_have_help_and_a_static_script(client, agent, make_report):
    make_report()
    client.force_login(agent)
    content = client.get(TRIAGE).content.decode()
    assert 'id="triage-help"' in content and "Keyboard shortcuts" in content
    for key in ("j", "k", "Enter", "x", "a", "s", "p", "r", "?"):
        assert f"<kbd>{key}</kbd>" in content
    assert "reports/admin/triage.js" in content
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", content.split("<main")[-1])
    # Without JavaScript every shortcut has a control: checkboxes and one button per action.
    assert 'name="bulk-reports"' in content
    for action in ("status", "reassign", "assign"):
        assert f'name="bulk-action" value="{action}"' in content


def test_bulk_status_change_reports_each_item(
    client, agent, make_report, road_category, django_capture_on_commit_callbacks
):
    first, second = make_report(), make_report()
    Report.objects.filter(pk=second.pk).update(status=Status.ACKNOWLEDGED)
    foreign = make_report(category=road_category)
    client.force_login(agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{TRIAGE}bulk/",
            {
                "bulk-reports": [first.pk, second.pk, foreign.pk],
                "bulk-action": "status",
                "bulk-status": "acknowledged",
                "query": "status=all",
            },
            follow=True,
        )
    assert response.redirect_chain[-1][0] == f"{TRIAGE}?status=all"
    messages = [str(message) for message in response.context["messages"]]
    assert f"{first.reference}: done." in messages
    assert f"{second.reference}: not changed, The report already has this status." in messages
    assert f"{foreign.reference}: not changed, you may not act on this report" in messages
    first.refresh_from_db()
    foreign.refresh_from_db()
    assert first.status == Status.ACKNOWLEDGED
    assert foreign.status == Status.NEW
    assert audited(first, "lutetia.reports.status_changed")


def test_bulk_status_uses_a_response_template(client, agent, make_report):
    from lutetia.services.reports.models import ResponseTemplate

    template = ResponseTemplate.objects.create(
        title="Planifié", status="scheduled", text_fr="Intervention planifiée."
    )
    report = make_report()
    client.force_login(agent)
    client.post(
        f"{TRIAGE}bulk/",
        {
            "bulk-reports": [report.pk],
            "bulk-action": "status",
            "bulk-status": "scheduled",
            "bulk-template": template.pk,
        },
    )
    report.refresh_from_db()
    assert report.status == Status.SCHEDULED
    assert report.status_notes == "Intervention planifiée."


def test_bulk_reassign_and_assign(client, agent, make_report, other_department):
    from tests.factories import create_staff

    colleague = create_staff(agent.memberships.get().department)
    first, second = make_report(), make_report()
    client.force_login(agent)
    client.post(
        f"{TRIAGE}bulk/",
        {
            "bulk-reports": [first.pk, second.pk],
            "bulk-action": "assign",
            "bulk-agent": colleague.pk,
        },
    )
    assert set(Report.objects.values_list("assignee", flat=True)) == {colleague.pk}
    response = client.post(
        f"{TRIAGE}bulk/",
        {
            "bulk-reports": [first.pk],
            "bulk-action": "reassign",
            "bulk-department": other_department.pk,
        },
        follow=True,
    )
    first.refresh_from_db()
    assert first.department == other_department and first.assignee is None
    assert first.updates.filter(kind=ReportUpdate.Kind.ROUTED).exists()
    assert first.reference not in references(response)  # no longer in this agent's queue


def test_bulk_without_selection_or_choice_is_refused_with_a_message(client, agent, make_report):
    report = make_report()
    client.force_login(agent)
    response = client.post(f"{TRIAGE}bulk/", {"bulk-action": "status"}, follow=True)
    messages = [str(message) for message in response.context["messages"]]
    assert "Select at least one report." in messages
    response = client.post(
        f"{TRIAGE}bulk/", {"bulk-reports": [report.pk], "bulk-action": "assign"}, follow=True
    )
    assert "Choose one to apply this action." in [str(m) for m in response.context["messages"]]
    report.refresh_from_db()
    assert report.assignee is None


def test_bulk_refused_to_staff_without_the_permission(client, resident, make_report):
    report = make_report()
    client.force_login(resident)
    client.post(
        f"{TRIAGE}bulk/",
        {"bulk-reports": [report.pk], "bulk-action": "status", "bulk-status": "resolved"},
    )
    report.refresh_from_db()
    assert report.status == Status.NEW


@pytest.mark.parametrize("per_page", [25, 100])
@pytest.mark.parametrize("who", ["agent", "administrator"])
def test_queue_queries_do_not_grow_with_the_page(
    client, request, who, per_page, bulk_reports, django_assert_max_num_queries
):
    user = request.getfixturevalue(who)
    bulk_reports(per_page + 5)
    client.force_login(user)
    client.get(TRIAGE)  # warm the caches (content types, site settings)
    with django_assert_max_num_queries(20):
        response = client.get(TRIAGE, {"per_page": per_page, "age": "overdue", "status": "all"})
    with django_assert_max_num_queries(20):
        response = client.get(TRIAGE, {"per_page": per_page})
    assert len(references(response)) == per_page
