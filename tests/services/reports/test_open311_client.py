"""A real Open311 client from PyPI (``georeport``) against a live server, in JSON and XML.

The client only reads; its POST is done here with ``requests``, form-encoded over real
HTTP as Open311 applications send it.
"""

from datetime import timedelta

import pytest
import requests
from django.utils import timezone
from georeport import GeoReport

from lutetia.core.api.actions import create_api_key
from lutetia.services.reports import actions
from lutetia.services.reports.models import Category, CategoryAttribute, Report

FORMATS = ["json", "xml"]


@pytest.fixture
def city(live_server, districts, category, family, make_report, agent):
    """Two services (one with a question), three public reports, one of them closed."""
    Category.objects.create(parent=family, code="tags", name_fr="Tags", name_en="Graffiti")
    CategoryAttribute.objects.create(
        category=category,
        code="kind",
        datatype=CategoryAttribute.Datatype.SINGLE,
        required=True,
        description="Quoi ?",
        values=[{"key": "mattress", "name": "Matelas"}, {"key": "rubble", "name": "Gravats"}],
    )
    reports = [make_report() for _ in range(3)]
    actions.change_status(
        report=reports[0], status="resolved", public_response="Enlevé.", acting_user=agent
    )
    return reports


def client_for(live_server, fmt: str, **options) -> GeoReport:
    return GeoReport(f"{live_server.url}/open311/v2/", output_format=fmt, **options)


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_client_lists_services_and_reads_a_definition(live_server, city, fmt):
    client = client_for(live_server, fmt)
    services = client.get_service_list()
    assert [s["service_code"] for s in services] == ["depot-sauvage", "tags"]
    assert services[0]["group"] == "Propreté"
    assert str(services[0]["metadata"]).lower() == "true"

    definition = client.get_service_definition("depot-sauvage")
    assert definition["service_code"] == "depot-sauvage"
    attributes = definition["attributes"]
    attribute = attributes[0] if fmt == "json" else attributes["attribute"]
    values = attribute["values"] if fmt == "json" else attribute["values"]["value"]
    assert attribute["code"] == "kind"
    assert [v["key"] for v in values] == ["mattress", "rubble"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_client_reads_requests_with_its_filters(live_server, city, fmt):
    resolved, *still_open = city
    client = client_for(live_server, fmt, jurisdiction="paris.fr")

    every = client.get_service_requests()
    assert {r["service_request_id"] for r in every} == {r.reference for r in city}
    opened = client.get_service_requests(status="open", service_code="depot-sauvage")
    assert {r["service_request_id"] for r in opened} == {r.reference for r in still_open}
    ids = ",".join(r.reference for r in still_open)
    assert len(client.get_service_requests(service_request_id=ids)) == 2
    week = client.get_service_requests(
        start_date=(timezone.now() - timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        end_date=(timezone.now() + timedelta(minutes=1)).isoformat(timespec="seconds"),
    )
    assert len(week) == 3

    one = client.get_service_request(resolved.reference)
    assert (one["service_request_id"], one["status"], one["status_notes"]) == (
        resolved.reference,
        "closed",
        "Enlevé.",
    )
    assert one["agency_responsible"] == "Propreté"


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_client_sees_errors_as_http_errors(live_server, city, fmt):
    client = client_for(live_server, fmt)
    with pytest.raises(requests.HTTPError) as caught:
        client.get_service_definition("inconnu")
    assert caught.value.response.status_code == 404
    with pytest.raises(requests.HTTPError) as caught:
        client.get_service_requests(
            start_date="2020-01-01T00:00:00Z", end_date="2021-01-01T00:00:00Z"
        )
    assert caught.value.response.status_code == 400


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_form_encoded_post_over_http_is_published_and_read_back(live_server, city, fmt):
    key = create_api_key(name="Application", acting_user=None)[1]
    response = requests.post(
        f"{live_server.url}/open311/v2/requests.{fmt}",
        data={
            "api_key": key,
            "service_code": "depot-sauvage",
            "lat": "48.8530",
            "long": "2.3499",
            "description": "Un canapé, rue d'Arcole.",
            "email": "appli@example.org",
            "attribute[kind]": "mattress",
        },
        timeout=30,
    )
    assert response.status_code == 200, response.text
    report = Report.objects.get(source=Report.Source.OPEN311)
    assert report.reference in response.text
    assert report.published_at is not None
    read = client_for(live_server, fmt).get_service_request(report.reference)
    assert read["description"] == "Un canapé, rue d'Arcole."
    assert "appli@example.org" not in str(read)
