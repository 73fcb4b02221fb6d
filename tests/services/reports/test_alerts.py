"""Alerts on new reports: creating them on the page (district or point), listing and
deleting them, the audit trail, and the notification they bring."""

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry

from lutetia.core.districts.models import District
from lutetia.core.notifications.models import Notification
from lutetia.services.reports import actions
from lutetia.services.reports.models import Alert
from tests.conftest import INSIDE_PARIS, OUTSIDE_PARIS, public_url
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def url(name, *args, language=""):
    return public_url(f"reports:{name}", *args, language=language)


@pytest.fixture
def signed_in(client, resident, districts):
    client.force_login(resident)
    return client


def test_alerts_page_needs_an_account(client):
    response = client.get(url("alerts"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


@pytest.mark.parametrize("language", ["", "en"])
def test_alerts_page_renders(signed_in, language):
    page = signed_in.get(url("alerts", language=language))
    assert page.status_code == 200
    content = page.content.decode()
    assert 'name="district"' in content and 'name="radius_m"' in content
    assert 'id="point-map"' in content
    if language == "en":
        assert "You have no alert." in content


def test_an_alert_on_a_district_for_a_category(signed_in, resident, category):
    fourth = District.objects.get(code="4")
    response = signed_in.post(url("alerts"), {"district": fourth.pk, "category": category.code})
    assert response.status_code == 302
    alert = Alert.objects.get(user=resident)
    assert alert.district == fourth and alert.category == category and alert.radius_m is None
    page = signed_in.get(url("alerts", language="en")).content.decode()
    assert f"New reports in {fourth.name}" in page and "Fly-tipping" in page
    entry = ModelLogEntry.objects.for_instance(alert).get()
    assert entry.action == "lutetia.reports.alert_created" and entry.user == resident


def test_an_alert_around_a_point_for_every_category(signed_in, resident, category):
    signed_in.post(url("alerts"), {**INSIDE_PARIS, "radius_m": "500"})
    alert = Alert.objects.get(user=resident)
    assert (alert.longitude, alert.latitude, alert.radius_m) == (2.3499, 48.8530, 500)
    assert alert.district is None and alert.category is None
    page = signed_in.get(url("alerts", language="en")).content.decode()
    assert "within 500 m of the point" in page and "every type of problem" in page


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"latitude": INSIDE_PARIS["latitude"], "radius_m": "250"},
        {**OUTSIDE_PARIS, "radius_m": "250"},
        {**INSIDE_PARIS, "radius_m": "300"},
        {"district": "999999"},
        {"district": "", **INSIDE_PARIS, "radius_m": "250", "category": "unknown"},
    ],
)
def test_bad_alerts_are_refused_and_nothing_is_saved(signed_in, category, data):
    response = signed_in.post(url("alerts", language="en"), {"radius_m": "250", **data})
    assert response.status_code == 400
    assert "error-summary" in response.content.decode()
    assert not Alert.objects.exists()


def test_too_many_alerts_are_refused(signed_in, resident, monkeypatch):
    monkeypatch.setattr(actions, "MAX_ALERTS_PER_USER", 1)
    signed_in.post(url("alerts"), {**INSIDE_PARIS, "radius_m": "250"})
    refused = signed_in.post(url("alerts", language="en"), {**INSIDE_PARIS, "radius_m": "250"})
    assert refused.status_code == 400 and "You already have 1 alerts" in refused.content.decode()
    assert Alert.objects.count() == 1


def test_a_resident_deletes_their_alert_but_not_another_ones(signed_in, resident, districts):
    mine = actions.create_alert(district=District.objects.get(code="4"), acting_user=resident)
    other = actions.create_alert(district=District.objects.get(code="5"), acting_user=UserFactory())
    assert signed_in.get(url("delete_alert", mine.pk)).status_code == 405
    assert signed_in.post(url("delete_alert", other.pk)).status_code == 404
    response = signed_in.post(url("delete_alert", mine.pk))
    assert response.status_code == 302
    assert list(Alert.objects.all()) == [other]
    assert ModelLogEntry.objects.filter(action="lutetia.reports.alert_deleted").count() == 1


def test_delete_alert_action_refuses_someone_else(resident, districts):
    alert = actions.create_alert(district=District.objects.get(code="4"), acting_user=resident)
    with pytest.raises(actions.PermissionDenied):
        actions.delete_alert(alert=alert, acting_user=UserFactory())


def test_an_alert_from_the_page_brings_a_notification(signed_in, make_report, category):
    neighbour = UserFactory()
    signed_in.force_login(neighbour)
    signed_in.post(url("alerts"), {**INSIDE_PARIS, "radius_m": "100", "category": "proprete"})
    report = make_report()
    notification = Notification.objects.get(recipient=neighbour, kind="report_alert")
    assert notification.url == reverse("reports:detail", args=[report.reference])
