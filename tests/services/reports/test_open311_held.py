"""Open311 requests held for moderation: a "batch" service's POST answers with a token, the
report stays off every public read until a moderator publishes it from the back office.

(The ``georeport`` client has no token call, so the live-client tests have no token case.)
"""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError

from lutetia.core.models import Role
from lutetia.services.reports import actions
from lutetia.services.reports.models import Open311Token, RejectionReason, Report, ReportUpdate
from tests.factories import create_staff
from tests.services.reports.test_backoffice import CATEGORIES, category_form
from tests.services.reports.test_backoffice_fixtures import (  # noqa: F401 (fixtures)
    TRIAGE,
    assert_refused,
    audited,
    detail_url,
    road_category,
)
from tests.services.reports.test_open311 import (  # noqa: F401 (fixtures)
    BASE,
    api_key,
    assert_errors,
    client,
    fetch,
    post,
    read_xml,
    spark,
)

# ruff: noqa: F811

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(category):
    category.open311_moderated = True
    category.save(update_fields=["open311_moderated"])
    return category


@pytest.fixture
def submit(client, api_key, held, django_capture_on_commit_callbacks):
    """POST a request to the held service; returns the answer and the stored report."""

    def send(fmt="json", **fields):
        with django_capture_on_commit_callbacks(execute=True):
            response = post(client, api_key, fmt, account_id="acc-7", **fields)
        assert response.status_code == 200, response.content
        [answer] = response.json() if fmt == "json" else spark(read_xml(response))
        return answer, Report.objects.get(open311_token__token=answer["token"])

    return send


def moderator_of(department):
    moderator = create_staff(department)
    moderator.user_permissions.add(Permission.objects.get(codename="moderate_report"))
    return type(moderator).objects.get(pk=moderator.pk)  # fresh permission cache


def public_reads(client, report) -> dict[str, int]:
    """Status codes / presence of the report in every public read."""
    listed = fetch(client, "requests")
    geojson = client.get("/dans-ma-rue/reports.geojson", {"bbox": "2.2,48.8,2.5,48.9"}).json()
    return {
        "request": client.get(f"{BASE}/requests/{report.reference}.json").status_code,
        "page": client.get(f"/dans-ma-rue/{report.reference}/").status_code,
        "listed": any(r["service_request_id"] == report.reference for r in listed),
        "mapped": any(
            feature["properties"].get("reference") == report.reference
            for feature in geojson["features"]
        ),
    }


def test_a_held_service_is_batch_the_others_realtime(client, held, family):
    other = family.children.create(code="tags", name_fr="Tags", name_en="Tags")
    types = {s["service_code"]: s["type"] for s in fetch(client, "services")}
    assert types == {held.code: "batch", other.code: "realtime"}


def test_staff_hold_a_category_where_categories_are_edited(client, manager, family):
    client.force_login(manager)
    assert 'name="open311_moderated"' in client.get(f"{CATEGORIES}new/").content.decode()
    response = client.post(f"{CATEGORIES}new/", category_form(family, open311_moderated="on"))
    assert response.status_code == 302
    client.logout()
    assert [s["type"] for s in fetch(client, "services")] == ["batch"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_held_post_answers_a_token_and_publishes_nothing(client, submit, fmt):
    answer, report = submit(fmt)
    assert set(answer) == {"token", "service_notice", "account_id"}
    assert answer["account_id"] == "acc-7"
    assert report.published_at is None and not report.confirmation_token
    assert report.awaiting_moderation
    assert public_reads(client, report) == {
        "request": 404,
        "page": 404,
        "listed": False,
        "mapped": False,
    }
    assert fetch(client, f"tokens/{answer['token']}") == [
        {"service_request_id": None, "token": answer["token"]}
    ]


def test_a_refused_held_post_leaves_no_token(client, api_key, held):
    response = post(client, api_key, lat=43.3, long=5.4)  # Marseille
    assert_errors(response, 400)
    assert not Report.objects.exists() and not Open311Token.objects.exists()


def test_a_moderator_publishes_from_the_back_office(client, submit, administrator, english):
    answer, report = submit()
    client.force_login(administrator)
    queue = client.get(TRIAGE).content.decode()
    assert report.reference in queue and "awaiting moderation" in queue
    assert 'value="publish"' in client.get(detail_url(report)).content.decode()

    response = client.post(detail_url(report), {"form": "publish"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.is_public
    assert audited(report, "lutetia.reports.published").user == administrator
    assert report.updates.filter(kind=ReportUpdate.Kind.PUBLISHED).exists()
    client.logout()
    assert public_reads(client, report) == {
        "request": 200,
        "page": 200,
        "listed": True,
        "mapped": True,
    }
    assert fetch(client, f"tokens/{answer['token']}") == [
        {"service_request_id": report.reference, "token": answer["token"]}
    ]
    with pytest.raises(ValidationError):
        actions.publish_held_report(report=report, acting_user=administrator)


@pytest.mark.parametrize("role", [Role.AGENT, Role.MANAGER])
def test_only_moderators_publish(client, submit, department, role):
    _answer, report = submit()
    staff = create_staff(department, role)
    client.force_login(staff)
    assert 'value="publish"' not in client.get(detail_url(report)).content.decode()
    assert_refused(client.post(detail_url(report), {"form": "publish"}))
    with pytest.raises(PermissionDenied):
        actions.publish_held_report(report=report, acting_user=staff)
    report.refresh_from_db()
    assert report.published_at is None


def test_a_moderator_of_another_department_may_not_publish(submit, other_department):
    _answer, report = submit()
    with pytest.raises(PermissionDenied):
        actions.publish_held_report(report=report, acting_user=moderator_of(other_department))
    assert Report.objects.get(pk=report.pk).published_at is None


def test_a_moderator_of_the_department_may_publish(submit, department):
    _answer, report = submit()
    actions.publish_held_report(report=report, acting_user=moderator_of(department))
    assert Report.objects.get(pk=report.pk).is_public


def test_rejecting_a_held_report_keeps_it_unpublished(client, submit, administrator):
    answer, report = submit()
    client.force_login(administrator)
    client.post(detail_url(report), {"form": "hide", "hide-reason": "Hors sujet"})
    report.refresh_from_db()
    assert report.hidden and not report.awaiting_moderation
    assert 'value="publish"' not in client.get(detail_url(report)).content.decode()
    reason = RejectionReason.objects.create(label_fr="Hors sujet", label_en="Off topic")
    actions.change_status(
        report=report, status="rejected", rejection_reason=reason, acting_user=administrator
    )
    client.logout()
    assert fetch(client, f"tokens/{answer['token']}")[0]["service_request_id"] is None
    assert client.get(f"{BASE}/requests/{report.reference}.json").status_code == 404
