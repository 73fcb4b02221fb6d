"""Dans ma rue in "Mon Compte": the items, the "My reports" page, the personal-data export
and the erasure at account deletion (reports stay public, without contact)."""

import json

import pytest
from django.urls import reverse
from django.utils import translation
from wagtail.models import ModelLogEntry

from lutetia.accounts.actions import delete_account
from lutetia.accounts.personal_data import export_personal_data
from lutetia.core.districts.models import District
from lutetia.services.reports import account, actions
from lutetia.services.reports.models import Alert, Follower, Report
from tests.conftest import INSIDE_PARIS, public_url
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def url(name, language=""):
    return public_url(f"reports:{name}", language=language)


@pytest.fixture
def history(make_report, resident, anonymous_reporter):
    """The resident's report, one they follow, one filed before signing up with their
    address, and an alert."""
    own = make_report(reporter=actions.Reporter(phone="0601020304", public=True))
    other = make_report(acting_user=UserFactory())
    actions.follow_report(report=other, acting_user=resident)
    earlier = make_report(
        acting_user=None, reporter=actions.Reporter(email=resident.email, first_name="Zoé")
    )
    actions.confirm_report(token=earlier.confirmation_token)
    actions.create_alert(district=District.objects.get(code="4"), acting_user=resident)
    return own, other, earlier


def test_account_items_list_the_reports_and_the_pages(history, resident):
    own, _other, _earlier = history
    with translation.override("en"):
        items = account.account_items(resident)
        assert items[0].url == reverse("reports:detail", args=[own.reference])
        assert items[-2].url == reverse("reports:my_reports")
        assert items[-1].url == reverse("reports:alerts")
    assert items[0].title == f"{own.reference} — Fly-tipping"
    assert items[-2].status == "1 report" and items[-1].status == "1 alert"


def test_a_report_waiting_for_confirmation_links_to_my_reports(make_report, resident):
    Report.objects.filter(pk=make_report().pk).update(published_at=None)
    with translation.override("en"):
        (item, *_pages) = account.account_items(resident)
        assert item.url == reverse("reports:my_reports")
    assert item.status == "Waiting for your confirmation"


def test_mon_compte_shows_the_service(client, history, resident):
    client.force_login(resident)
    page = client.get("/en/mon-compte/").content.decode()
    assert history[0].reference in page and "My reports and the reports I follow" in page


@pytest.mark.parametrize("language", ["", "en"])
def test_my_reports_page(client, history, resident, language):
    own, other, _earlier = history
    client.force_login(resident)
    page = client.get(url("my_reports", language))
    assert page.status_code == 200
    content = page.content.decode()
    assert own.reference in content and other.reference in content
    if language == "en":
        assert "Reports I made" in content and "Reports I follow" in content


def test_my_reports_needs_an_account(client):
    response = client.get(url("my_reports"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_export_holds_reports_follows_and_alerts(history, resident):
    own, other, earlier = history
    exported = export_personal_data(resident)["services"]["reports"]
    json.dumps(exported)  # JSON-ready
    mine, before_signing_up = sorted(exported["reports"], key=lambda row: row["reference"])
    assert mine["reference"] == own.reference and mine["phone"] == "0601020304"
    assert before_signing_up["reference"] == earlier.reference
    assert before_signing_up["first_name"] == "Zoé"
    assert exported["followed_reports"] == [
        {"reference": other.reference, "since": exported["followed_reports"][0]["since"]}
    ]
    (alert,) = exported["alerts"]
    assert alert["district"] == District.objects.get(code="4").name


def test_erasure_keeps_the_reports_public_without_contact(client, history, resident):
    own, other, earlier = history
    email = resident.email
    delete_account(user=resident, acting_user=resident)
    for report in (own, earlier):
        report.refresh_from_db()
        assert report.is_public
        assert (report.email, report.first_name, report.last_name, report.phone) == ("",) * 4
        assert not report.reporter_public
    assert not Follower.objects.filter(user=resident).exists()
    assert not Follower.objects.filter(email=email).exists()
    assert not Alert.objects.exists()
    assert Follower.objects.filter(report=other).count() == 1  # its own reporter
    page = client.get(reverse("reports:detail", args=[own.reference])).content.decode()
    assert "0601020304" not in page and email not in page
    entry = ModelLogEntry.objects.get(action="lutetia.reports.reporter_erased")
    assert entry.data == {"reports": 2}


def test_erasure_leaves_other_residents_alone(make_report, resident, districts):
    neighbour = UserFactory()
    theirs = make_report(acting_user=neighbour)
    actions.create_alert(**INSIDE_PARIS, radius_m=250, acting_user=neighbour)
    actions.erase_reporter(user=resident, acting_user=resident)
    theirs.refresh_from_db()
    assert theirs.email == neighbour.email and Alert.objects.count() == 1
