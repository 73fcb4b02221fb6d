"""Moderation: redacting a description (the original kept in the audit trail), hiding and
showing photos and reports, banning an abusive e-mail; only for holders of the permission."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError

from lutetia.core.models import Role
from lutetia.core.uploads import validate_image
from lutetia.services.reports import actions
from lutetia.services.reports.models import BannedEmail, Report, ReportPhoto, ReportUpdate
from lutetia.services.reports.selectors import public_report
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

BANS = "/admin/dans-ma-rue/banned-emails/"


@pytest.fixture
def with_photo(make_report):
    return make_report(photos=[validate_image(photo_upload())])


def test_redact_keeps_the_original_in_the_audit_trail(client, administrator, make_report):
    report = make_report(description="Mon voisin M. Dupont, 06 12 34 56 78, jette ses ordures.")
    client.force_login(administrator)
    response = client.post(
        detail_url(report),
        {
            "form": "redact",
            "redact-description": "Un voisin jette ses ordures.",
            "redact-reason": "Données personnelles",
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.description == "Un voisin jette ses ordures."
    log = audited(report, "lutetia.reports.redacted")
    assert log.data["original"].startswith("Mon voisin M. Dupont")
    entry = report.updates.get(kind=ReportUpdate.Kind.MODERATED)
    assert not entry.is_public and "Données personnelles" in entry.internal_note
    assert "Dupont" not in client.get(f"/dans-ma-rue/{report.reference}/").content.decode()


def test_redact_needs_a_reason(client, administrator, make_report):
    report = make_report()
    client.force_login(administrator)
    response = client.post(
        detail_url(report), {"form": "redact", "redact-description": "", "redact-reason": ""}
    )
    assert response.status_code == 200
    report.refresh_from_db()
    assert report.description == "Un matelas abandonné sur le trottoir."


def test_hide_and_show_a_photo(client, administrator, with_photo):
    photo = with_photo.photos.get()
    client.force_login(administrator)
    client.post(
        detail_url(with_photo), {"form": "photo", "photo-photo": photo.pk, "photo-hidden": "on"}
    )
    photo.refresh_from_db()
    assert photo.hidden
    assert public_report(with_photo.reference).shown == []
    assert audited(with_photo, "lutetia.reports.photo_hidden")
    client.post(detail_url(with_photo), {"form": "photo", "photo-photo": photo.pk})
    photo.refresh_from_db()
    assert not photo.hidden


def test_photo_of_another_report_is_refused(client, administrator, with_photo, make_report):
    other = make_report(photos=[validate_image(photo_upload())])
    client.force_login(administrator)
    response = client.post(
        detail_url(other),
        {"form": "photo", "photo-photo": with_photo.photos.get().pk, "photo-hidden": "on"},
    )
    assert response.status_code == 200  # not a choice on this report's page
    assert not ReportPhoto.objects.filter(hidden=True).exists()


def test_hide_a_report_with_a_reason_then_show_it(client, administrator, make_report):
    report = make_report()
    client.force_login(administrator)
    refused = client.post(detail_url(report), {"form": "hide", "hide-reason": ""})
    assert "Say why the report is hidden." in refused.content.decode()
    client.post(detail_url(report), {"form": "hide", "hide-reason": "Propos injurieux"})
    report.refresh_from_db()
    assert report.hidden and report.hidden_reason == "Propos injurieux"
    assert client.get(f"/dans-ma-rue/{report.reference}/").status_code == 404
    assert (
        "Hidden by moderation: Propos injurieux" in client.get(detail_url(report)).content.decode()
    )
    client.post(detail_url(report), {"form": "show"})
    report.refresh_from_db()
    assert not report.hidden and report.hidden_reason == ""
    assert audited(report, "lutetia.reports.hidden") and audited(report, "lutetia.reports.shown")


def test_ban_an_email_and_hide_its_reports(
    client, administrator, make_report, anonymous_reporter, category
):
    first = make_report(acting_user=None, reporter=anonymous_reporter)
    second = make_report(acting_user=None, reporter=anonymous_reporter)
    untouched = make_report()
    client.force_login(administrator)
    response = client.post(
        detail_url(first),
        {"form": "ban", "ban-reason": "Insultes répétées", "ban-hide_reports": "on"},
        follow=True,
    )
    assert "2 reports hidden." in [str(m) for m in response.context["messages"]]
    ban = BannedEmail.objects.get()
    assert ban.email == "passant@example.org" and ban.banned_by == administrator
    assert set(Report.objects.filter(hidden=True)) == {first, second}
    assert not Report.objects.get(pk=untouched.pk).hidden
    assert audited(ban, "lutetia.reports.email_banned").data == {"hidden": 2}
    with pytest.raises(ValidationError) as refused:
        make_report(acting_user=None, reporter=anonymous_reporter)
    assert refused.value.code == "banned"
    assert 'value="ban"' not in client.get(detail_url(first)).content.decode()


def test_ban_hides_only_reports_the_moderator_may_act_on(
    make_report, anonymous_reporter, road_category, department
):
    mine = make_report(acting_user=None, reporter=anonymous_reporter)
    theirs = make_report(acting_user=None, reporter=anonymous_reporter, category=road_category)
    moderator = create_staff(department)
    moderator.user_permissions.add(Permission.objects.get(codename="moderate_report"))
    moderator = type(moderator).objects.get(pk=moderator.pk)  # fresh permission cache
    _ban, hidden = actions.ban_email(
        email=mine.email, reason="Spam", hide_reports=True, acting_user=moderator
    )
    assert hidden == 1
    assert Report.objects.get(pk=mine.pk).hidden and not Report.objects.get(pk=theirs.pk).hidden


def test_lift_a_ban(client, administrator):
    ban = BannedEmail.objects.create(email="x@example.org", reason="Spam")
    client.force_login(administrator)
    assert "x@example.org" in client.get(BANS).content.decode()
    client.post(f"{BANS}delete/{ban.pk}/")
    assert not BannedEmail.objects.exists()


@pytest.mark.parametrize("role", [Role.AGENT, Role.MANAGER])
def test_agents_and_managers_do_not_moderate(client, department, make_report, role):
    staff = create_staff(department, role)
    report = make_report()
    client.force_login(staff)
    content = client.get(detail_url(report)).content.decode()
    assert 'value="redact"' not in content and 'value="hide"' not in content
    response = client.post(detail_url(report), {"form": "hide", "hide-reason": "Intrusion"})
    assert_refused(response)
    with pytest.raises(PermissionDenied):
        actions.set_report_hidden(report=report, hidden=True, reason="x", acting_user=staff)
    with pytest.raises(PermissionDenied):
        actions.ban_email(email=report.email, reason="x", acting_user=staff)
    assert client.get(BANS).status_code in (302, 403)
    report.refresh_from_db()
    assert not report.hidden
