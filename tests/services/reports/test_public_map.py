"""The public map: its filters, the accessible list of the same reports, the GeoJSON
endpoint (bbox, filters, truncation, errors, no personal data) and the nearby lookup."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lutetia.core.districts.models import District
from lutetia.services.reports import actions, selectors
from lutetia.services.reports.models import Category, Report
from tests.conftest import INSIDE_PARIS, public_url
from tests.factories import create_staff

pytestmark = pytest.mark.django_db

PARIS_BBOX = "2.22,48.81,2.47,48.91"
# About 30 m east and 300 m north of Notre-Dame.
NEAR = {"longitude": 2.3503, "latitude": 48.8530}
FAR = {"longitude": 2.3499, "latitude": 48.8557}


def url(name, language=""):
    return public_url(f"reports:{name}", language=language)


def features(client, **query):
    response = client.get(url("geojson"), {"bbox": PARIS_BBOX, **query})
    assert response.status_code == 200, response.content
    return response.json()


def references(collection) -> set[str]:
    return {feature["properties"]["reference"] for feature in collection["features"]}


@pytest.fixture
def other_category(family):
    return Category.objects.create(
        parent=family, code="dechets", name_fr="Déchets", name_en="Litter"
    )


@pytest.fixture
def close(department, django_capture_on_commit_callbacks):
    staff = create_staff(department)

    def run(report):
        with django_capture_on_commit_callbacks(execute=True):
            actions.change_status(report=report, status=Report.Status.RESOLVED, acting_user=staff)

    return run


# --- the GeoJSON endpoint ----------------------------------------------------------------


def test_geojson_is_a_feature_collection_without_personal_data(client, make_report, resident):
    report = make_report(reporter=actions.Reporter(phone="0601020304", public=True))
    response = client.get(url("geojson"), {"bbox": PARIS_BBOX})
    assert response["Content-Type"] == "application/geo+json"
    collection = response.json()
    assert collection["type"] == "FeatureCollection" and collection["truncated"] is False
    (feature,) = collection["features"]
    assert feature["type"] == "Feature"
    assert feature["geometry"] == {
        "type": "Point",
        "coordinates": [INSIDE_PARIS["longitude"], INSIDE_PARIS["latitude"]],
    }
    assert feature["properties"]["reference"] == report.reference
    assert feature["properties"]["url"] == reverse("reports:detail", args=[report.reference])
    assert feature["properties"]["open"] is True
    body = response.content.decode()
    for private in (resident.email, resident.first_name, resident.last_name, "0601020304"):
        assert private not in body


def test_geojson_keeps_to_the_box_and_to_public_reports(client, make_report, anonymous_reporter):
    inside = make_report()
    make_report(acting_user=None, reporter=anonymous_reporter)  # not confirmed
    hidden = make_report()
    Report.objects.filter(pk=hidden.pk).update(hidden=True)
    assert references(features(client)) == {inside.reference}
    east_of_it = features(client, bbox="2.36,48.80,2.40,48.90")
    assert east_of_it["features"] == []


@pytest.mark.parametrize(
    "bbox",
    ["", "1,2,3", "a,b,c,d", "2.4,48.8,2.3,48.9", "2,48,3,91", "nan,48,2,49", "1,2,3,4,5"],
)
def test_a_bad_bbox_answers_400_in_json(client, bbox):
    response = client.get(url("geojson"), {"bbox": bbox})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 400


def test_bad_filters_answer_400_in_json(client):
    response = client.get(url("geojson"), {"bbox": PARIS_BBOX, "status": "sleeping"})
    assert response.status_code == 400 and "status" in response.json()["errors"]


def test_geojson_filters(client, make_report, other_category, close, family):
    litter = make_report(category=other_category)
    closed = make_report()
    close(closed)
    old = make_report()
    Report.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=60))
    assert references(features(client, category="dechets")) == {litter.reference}
    assert references(features(client, category=family.code)) == {
        litter.reference,
        closed.reference,
        old.reference,
    }
    assert references(features(client, status="closed")) == {closed.reference}
    assert references(features(client, status="resolved")) == {closed.reference}
    assert closed.reference not in references(features(client, status="open"))
    since = (timezone.localdate() - timedelta(days=30)).isoformat()
    assert old.reference not in references(features(client, since=since))
    until = (timezone.localdate() - timedelta(days=59)).isoformat()
    assert references(features(client, until=until)) == {old.reference}
    fourth = District.objects.get(code="4").pk
    assert len(features(client, district=fourth)["features"]) == 3
    other = District.objects.get(code="15").pk
    assert features(client, district=other)["features"] == []


def test_geojson_is_truncated_past_the_limit(client, make_report, monkeypatch):
    monkeypatch.setattr(selectors, "MAP_MAX_FEATURES", 2)
    made = [make_report() for _ in range(3)]
    collection = features(client)
    assert collection["truncated"] is True
    assert references(collection) == {made[2].reference, made[1].reference}


# --- the map page and its list -----------------------------------------------------------


@pytest.mark.parametrize("language", ["", "en"])
def test_map_page_lists_the_same_filtered_reports(client, make_report, other_category, language):
    litter = make_report(category=other_category)
    dumping = make_report()
    page = client.get(url("map", language), {"category": "dechets"})
    assert page.status_code == 200
    content = page.content.decode()
    assert litter.reference in content and dumping.reference not in content
    assert 'id="reports-map"' in content and 'data-query="category=dechets"' in content
    assert "leaflet.markercluster.js" in content
    if language == "en":
        assert "1 report" in content and "List of the reports" in content


def test_map_list_is_paginated(client, make_report, monkeypatch):
    monkeypatch.setattr("lutetia.services.reports.views.LIST_PAGE_SIZE", 2)
    made = [make_report() for _ in range(3)]
    first = client.get(url("map", "en")).content.decode()
    assert made[2].reference in first and made[0].reference not in first
    assert "Page 1 of 2" in first
    second = client.get(url("map", "en"), {"page": 2}).content.decode()
    assert made[0].reference in second


def test_map_page_shows_filter_errors(client):
    page = client.get(url("map", "en"), {"since": "2026-05-02", "until": "2026-05-01"})
    assert page.status_code == 400
    assert "The end of the period comes before its start." in page.content.decode()


# --- nearby open reports -----------------------------------------------------------------


def test_nearby_finds_open_reports_of_the_category_within_the_radius(
    make_report, category, other_category, close, anonymous_reporter
):
    same_place = make_report()
    near = make_report(**NEAR)
    make_report(**FAR)
    make_report(category=other_category)
    closed = make_report()
    close(closed)
    make_report(acting_user=None, reporter=anonymous_reporter)  # not confirmed
    found = selectors.nearby_open_reports(category, **INSIDE_PARIS)
    assert [report.reference for report in found] == [same_place.reference, near.reference]
    assert found[0].distance == 0 and 25 < found[1].distance < 35
    wider = selectors.nearby_open_reports(category, **INSIDE_PARIS, radius_m=400)
    assert len(wider) == 3


def test_nearby_radius_comes_from_the_settings(make_report, category, settings):
    make_report(**NEAR)
    settings.LUTETIA_REPORTS_NEARBY_RADIUS_M = 20
    assert selectors.nearby_open_reports(category, **INSIDE_PARIS) == []


def test_map_page_queries_do_not_grow_with_the_reports(client, make_report):
    make_report()
    client.get(url("map"))  # site, theme and menus are cached from the first page on
    with CaptureQueriesContext(connection) as one:
        client.get(url("map"))
    for _ in range(4):
        make_report()
    with CaptureQueriesContext(connection) as five:
        client.get(url("map"))
    assert len(five) == len(one)
