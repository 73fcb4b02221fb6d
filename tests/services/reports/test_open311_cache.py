"""The public reads (Open311 and the map's GeoJSON) served from the anonymous page cache:
a repeated GET costs no query, every change the public sees drops the copies, each
language has its own, and clients with a session always get fresh data."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from lutetia.pages.cache import _version_key
from lutetia.services.reports import actions
from lutetia.services.reports.models import Category, RejectionReason, Report
from lutetia.services.reports.serialisation import PAGE_CACHE_NAMESPACE
from tests.conftest import INSIDE_PARIS, public_url

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"
REQUESTS = f"{BASE}/requests.json"
PARIS_BBOX = "2.22,48.81,2.47,48.91"


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def geojson_url() -> str:
    return f"{public_url('reports:geojson')}?bbox={PARIS_BBOX}"


def references(client, url: str = REQUESTS) -> set[str]:
    response = client.get(url)
    assert response.status_code == 200, response.content
    if url == REQUESTS:
        return {request["service_request_id"] for request in response.json()}
    return {feature["properties"]["reference"] for feature in response.json()["features"]}


@pytest.mark.parametrize(
    "url", [REQUESTS, f"{BASE}/services.xml", f"{BASE}/discovery.json", "geojson"]
)
def test_a_second_identical_get_makes_no_query(client, make_report, url, django_assert_num_queries):
    url = geojson_url() if url == "geojson" else url
    make_report()
    first = client.get(url)
    assert first.status_code == 200
    with django_assert_num_queries(0):
        second = client.get(url)
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]


def test_a_single_request_is_cached_too(client, make_report, django_assert_num_queries):
    report = make_report()
    url = f"{BASE}/requests/{report.reference}.json"
    client.get(url)
    with django_assert_num_queries(0):
        assert client.get(url).json()[0]["service_request_id"] == report.reference


def test_errors_are_not_cached(client, category):
    url = f"{BASE}/services/nope.json"
    assert client.get(url).status_code == 404
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 404
    assert queries


@pytest.mark.parametrize("url", [REQUESTS, "geojson"])
def test_a_status_change_shows_on_the_next_get(
    client, make_report, agent, url, django_capture_on_commit_callbacks
):
    url = geojson_url() if url == "geojson" else url
    report = make_report()
    before = client.get(url).content
    with django_capture_on_commit_callbacks(execute=True):
        actions.change_status(report=report, status=Report.Status.RESOLVED, acting_user=agent)
    after = client.get(url).content
    assert after != before
    assert b"resolved" in after or b"closed" in after


@pytest.mark.parametrize("url", [REQUESTS, "geojson"])
def test_a_new_published_report_shows_on_the_next_get(client, make_report, url):
    url = geojson_url() if url == "geojson" else url
    first = make_report()
    assert references(client, url) == {first.reference}
    second = make_report()  # make_report runs the on-commit callbacks
    assert references(client, url) == {first.reference, second.reference}


def test_a_report_waiting_for_its_confirmation_keeps_the_cache(
    client, make_report, category, anonymous_reporter, django_capture_on_commit_callbacks
):
    make_report()
    version = cache.get(_version_key(PAGE_CACHE_NAMESPACE))
    client.get(REQUESTS)
    with django_capture_on_commit_callbacks(execute=True):
        actions.submit_report(category=category, reporter=anonymous_reporter, **INSIDE_PARIS)
    assert cache.get(_version_key(PAGE_CACHE_NAMESPACE)) == version


def test_each_language_has_its_own_copy(category):
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"{BASE}/services.json").json()
    french = Client(HTTP_ACCEPT_LANGUAGE="fr").get(f"{BASE}/services.json").json()
    assert english[0]["service_name"] == "Fly-tipping"
    assert french[0]["service_name"] == "Dépôt sauvage"
    again = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"{BASE}/services.json").json()
    assert again[0]["service_name"] == "Fly-tipping"


def test_a_client_with_a_session_gets_fresh_data(client, make_report, resident):
    report = make_report()
    assert references(client) == {report.reference}
    # A write that does not go through the actions: only uncached readers see it.
    Report.objects.filter(pk=report.pk).update(hidden=True)
    assert references(client) == {report.reference}
    signed_in = Client(HTTP_ACCEPT_LANGUAGE="en")
    signed_in.force_login(resident)
    assert references(signed_in) == set()


def test_cache_hits_are_not_counted_against_the_rate_limit(client, category, settings):
    settings.LUTETIA_API_RATE_LIMIT_PER_IP = 1
    for _ in range(3):
        assert client.get(f"{BASE}/services.json").status_code == 200
    assert client.get(f"{BASE}/services.xml").status_code == 429


def _dropped(run) -> bool:
    """Whether ``run`` drops the public reads' cached copies once its transaction commits."""
    cache.set(_version_key(PAGE_CACHE_NAMESPACE), "before", None)
    run()
    return cache.get(_version_key(PAGE_CACHE_NAMESPACE)) != "before"


def test_every_public_change_drops_the_cached_reads(
    make_report, administrator, family, category, department, django_capture_on_commit_callbacks
):
    report = make_report(photos=[])
    other = Category.objects.create(parent=family, code="tags", name_fr="Tags", name_en="Tags")
    staff = {"acting_user": administrator}

    def committed(action, **arguments):
        def run():
            with django_capture_on_commit_callbacks(execute=True):
                action(**arguments)

        return run

    changes = {
        "status": committed(actions.change_status, report=report, status="scheduled", **staff),
        "recategorise": committed(actions.recategorise, report=report, category=other, **staff),
        "redact": committed(
            actions.redact_description, report=report, description="…", reason="insult", **staff
        ),
        "hide": committed(
            actions.set_report_hidden, report=report, hidden=True, reason="spam", **staff
        ),
        "category": committed(actions.save_routing_item, item=category, **staff),
        "reason": committed(
            actions.save_routing_item,
            item=RejectionReason(label_fr="Privé", label_en="Private"),
            **staff,
        ),
    }
    assert {name for name, run in changes.items() if _dropped(run)} == set(changes)
    note = committed(actions.add_note, report=report, note="internal", **staff)
    assert not _dropped(note)
