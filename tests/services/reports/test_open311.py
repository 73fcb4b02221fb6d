"""Open311 GeoReport v2 conformance: every endpoint, field and error, in JSON and in XML.

Each read is fetched in both formats and the XML is checked to carry exactly the JSON's
content (the spec's mapping between the two), so a field tested once is tested twice.
"""

import io
from datetime import datetime, timedelta
from xml.etree import ElementTree

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from lutetia.core.api.actions import create_api_key, revoke_api_key
from lutetia.core.api.models import ApiKey
from lutetia.core.uploads import validate_image
from lutetia.services.reports import actions
from lutetia.services.reports.models import (
    BannedEmail,
    Category,
    CategoryAttribute,
    Open311Token,
    RejectionReason,
    Report,
)
from tests.conftest import INSIDE_PARIS, OUTSIDE_PARIS
from tests.factories import create_staff

BASE = "/open311/v2"
LISTS = {"services", "service_requests", "errors", "attributes", "values", "endpoints", "formats"}
PERSONAL = ("Camille", "Durand", "camille@example.org", "0601020304", "device-42")


def spark(element: ElementTree.Element):
    """An XML document read back into the JSON shape (lists hold one element per item)."""
    if element.tag in LISTS:
        return [spark(child) for child in element]
    if len(element):
        return {child.tag: spark(child) for child in element}
    return element.text


def as_text(value):
    """What a JSON value becomes in XML: text, ``true``/``false``, nothing for null or ""."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return [as_text(item) for item in value]
    if isinstance(value, dict):
        return {key: as_text(item) for key, item in value.items()}
    return None if value in (None, "") else str(value)


def read_xml(response) -> ElementTree.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ElementTree.fromstring(response.content)


def fetch(client, resource: str, root_tag: str = "", **params):
    """GET ``resource`` as .json and .xml; check both agree and return the JSON body."""
    as_json = client.get(f"{BASE}/{resource}.json", params)
    assert as_json.status_code == 200, as_json.content
    assert as_json["Content-Type"] == "application/json; charset=utf-8"
    as_xml = client.get(f"{BASE}/{resource}.xml", params)
    assert as_xml.status_code == 200
    document = read_xml(as_xml)
    if root_tag:
        assert document.tag == root_tag
    assert spark(document) == as_text(as_json.json())
    return as_json.json()


def assert_errors(response, status: int, fmt: str = "json", contains: str = "") -> list[str]:
    """The spec's error list, with ``code`` = the HTTP status; returns the descriptions."""
    assert response.status_code == status, response.content
    if fmt == "json":
        errors = response.json()
    else:
        document = read_xml(response)
        assert document.tag == "errors"
        errors = spark(document)
    assert errors and all(str(error["code"]) == str(status) for error in errors)
    descriptions = [error["description"] for error in errors]
    assert all(descriptions)
    if contains:
        assert any(contains in text for text in descriptions), descriptions
    return descriptions


@pytest.fixture
def client():
    """An application asking in English (French is tested on its own)."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def api_key(districts):
    return create_api_key(name="Application mobile", acting_user=None)[1]


@pytest.fixture
def questions(category):
    """The sub-type's Open311 attributes: one of each kind, plus an information line."""
    Datatype = CategoryAttribute.Datatype
    make = CategoryAttribute.objects.create
    make(
        category=category,
        code="volume",
        datatype=Datatype.NUMBER,
        required=True,
        description="Volume (m³)?",
        datatype_description="A number of cubic metres",
        order=5,
    )
    make(
        category=category,
        code="kind",
        datatype=Datatype.SINGLE,
        description="What kind?",
        order=10,
        values=[{"key": "mattress", "name": "Mattress"}, {"key": "rubble", "name": "Rubble"}],
    )
    make(
        category=category,
        code="materials",
        datatype=Datatype.MULTI,
        description="Materials?",
        order=20,
        values=[{"key": "wood", "name": "Wood"}, {"key": "metal", "name": "Metal"}],
    )
    make(category=category, code="seen", datatype=Datatype.DATETIME, description="Seen when?")
    make(category=category, code="plate", datatype=Datatype.STRING, description="Plate?", order=30)
    make(
        category=category, code="details", datatype=Datatype.TEXT, description="Details?", order=40
    )
    make(
        category=category,
        code="note",
        datatype=Datatype.STRING,
        variable=False,
        description="Bulky items are collected on request.",
        order=50,
    )
    return category


def post(client, api_key, fmt: str = "json", **fields):
    values = {"api_key": api_key, "service_code": "depot-sauvage", "lat": 48.853, "long": 2.3499}
    values.update(fields)
    return client.post(f"{BASE}/requests.{fmt}", {k: v for k, v in values.items() if v is not None})


def set_created(report: Report, moment: datetime) -> Report:
    Report.objects.filter(pk=report.pk).update(created_at=moment, updated_at=moment)
    report.refresh_from_db()
    return report


# --- Discovery and services ---------------------------------------------------------------


def test_discovery_describes_the_endpoint(client, settings, db):
    settings.LUTETIA_OPEN311_CONTACT = "open311@paris.example"
    body = fetch(client, "discovery", root_tag="discovery")
    assert body["contact"] == "open311@paris.example"
    assert body["key_service"]
    assert body["changeset"].endswith("Z")
    [endpoint] = body["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2/"
    assert endpoint["type"] == "production"
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}
    assert client.head(f"{BASE}/discovery.xml").status_code == 200


def test_services_list_active_sub_types_with_their_family_as_group(client, family, questions):
    Category.objects.create(
        parent=family,
        code="dechets",
        name_fr="Déchets",
        name_en="Litter",
        description_fr="Des déchets au sol.",
        keywords="ordures, papiers",
        order=1,
    )
    Category.objects.create(parent=family, code="retire", name_fr="Retiré", active=False)
    closed_family = Category.objects.create(code="ancienne", name_fr="Ancienne", active=False)
    Category.objects.create(parent=closed_family, code="orpheline", name_fr="Orpheline")

    body = fetch(client, "services", root_tag="services")

    assert [service["service_code"] for service in body] == ["depot-sauvage", "dechets"]
    assert body[1] == {
        "service_code": "dechets",
        "service_name": "Litter",
        "description": "Des déchets au sol.",
        "metadata": False,
        "type": "realtime",
        "keywords": "ordures, papiers",
        "group": "Cleanliness",
    }
    assert body[0]["metadata"] is True


def test_services_speak_the_clients_language(client, category):
    body = client.get(f"{BASE}/services.json", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert (body[0]["service_name"], body[0]["group"]) == ("Dépôt sauvage", "Propreté")


def test_service_definition_gives_every_attribute_field(client, questions):
    body = fetch(client, "services/depot-sauvage", root_tag="service_definition")
    assert body["service_code"] == "depot-sauvage"
    attributes = body["attributes"]
    assert [a["code"] for a in attributes] == [
        "seen",
        "volume",
        "kind",
        "materials",
        "plate",
        "details",
        "note",
    ]
    assert [a["order"] for a in attributes] == [1, 2, 3, 4, 5, 6, 7]
    assert attributes[1] == {
        "variable": True,
        "code": "volume",
        "datatype": "number",
        "required": True,
        "datatype_description": "A number of cubic metres",
        "order": 2,
        "description": "Volume (m³)?",
        "values": [],
    }
    assert attributes[2]["values"] == [
        {"key": "mattress", "name": "Mattress"},
        {"key": "rubble", "name": "Rubble"},
    ]
    assert attributes[2]["datatype_description"] is None
    assert attributes[6]["variable"] is False


@pytest.mark.parametrize("code", ["inconnu", "proprete"])
def test_unknown_service_or_family_answers_404(client, category, code):
    for fmt in ("json", "xml"):
        response = client.get(f"{BASE}/services/{code}.{fmt}")
        assert_errors(response, 404, fmt, contains=code)


# --- GET requests -------------------------------------------------------------------------


def test_a_request_has_every_field_and_no_personal_data(
    client, make_report, anonymous_reporter, department
):
    report = make_report(
        address="Parvis Notre-Dame",
        reporter=anonymous_reporter,
        media_url="https://photos.example.org/1.jpg",
    )
    body = fetch(client, "requests", root_tag="service_requests")

    assert len(body) == 1
    request = body[0]
    created = timezone.localtime(report.created_at).replace(microsecond=0)
    assert request == {
        "service_request_id": report.reference,
        "status": "open",
        "status_notes": "New",
        "service_name": "Fly-tipping",
        "service_code": "depot-sauvage",
        "description": "Un matelas abandonné sur le trottoir.",
        "agency_responsible": "Propreté",
        "service_notice": "The city aims to deal with this within 7 days.",
        "requested_datetime": created.isoformat(),
        "updated_datetime": created.isoformat(),
        "expected_datetime": (created + timedelta(days=7)).isoformat(),
        "address": "Parvis Notre-Dame",
        "address_id": None,
        "zipcode": None,
        "lat": INSIDE_PARIS["latitude"],
        "long": INSIDE_PARIS["longitude"],
        "media_url": "https://photos.example.org/1.jpg",
    }
    assert request["requested_datetime"][-6:] in ("+01:00", "+02:00")
    for fmt in ("json", "xml"):
        content = client.get(f"{BASE}/requests.{fmt}").content.decode()
        assert not [value for value in PERSONAL if value in content]
        assert "passant@example.org" not in content.lower()


def test_media_url_is_the_first_public_photo(
    client, make_report, administrator, django_capture_on_commit_callbacks
):
    def photo(color):
        buffer = io.BytesIO()
        Image.new("RGB", (40, 30), color).save(buffer, "JPEG")
        return validate_image(SimpleUploadedFile("photo.jpg", buffer.getvalue()))

    report = make_report(photos=[photo("red"), photo("blue")])
    first, second = report.photos.all()
    body = fetch(client, f"requests/{report.reference}")
    assert body[0]["media_url"] == f"http://testserver{first.image.url}"
    with django_capture_on_commit_callbacks(execute=True):
        actions.set_photo_hidden(photo=first, hidden=True, acting_user=administrator)
    body = fetch(client, f"requests/{report.reference}")
    assert body[0]["media_url"] == f"http://testserver{second.image.url}"


def test_statuses_map_to_open_and_closed_with_notes(client, make_report, agent):
    reason = RejectionReason.objects.create(label_fr="Domaine privé", label_en="Private land")
    original = make_report()
    responded, rejected, duplicate, transferred = (make_report() for _ in range(4))
    actions.change_status(
        report=responded, status="scheduled", public_response="Passage jeudi.", acting_user=agent
    )
    actions.change_status(
        report=rejected, status="rejected", rejection_reason=reason, acting_user=agent
    )
    actions.change_status(
        report=duplicate, status="duplicate", duplicate_of=original, acting_user=agent
    )
    actions.change_status(
        report=transferred, status="transferred", transferred_to="RATP", acting_user=agent
    )
    body = {r["service_request_id"]: r for r in fetch(client, "requests")}
    seen = {ref: (r["status"], r["status_notes"]) for ref, r in body.items()}
    assert seen == {
        original.reference: ("open", "New"),
        responded.reference: ("open", "Passage jeudi."),
        rejected.reference: ("closed", "Private land"),
        duplicate.reference: ("closed", f"Duplicate of {original.reference}"),
        transferred.reference: ("closed", "Transferred to RATP"),
    }
    rejected.refresh_from_db()
    assert body[rejected.reference]["updated_datetime"] == (
        timezone.localtime(rejected.updated_at).isoformat(timespec="seconds")
    )


def test_hidden_and_unconfirmed_reports_never_appear(
    client, make_report, category, anonymous_reporter, django_capture_on_commit_callbacks
):
    shown = make_report()
    hidden = make_report()
    Report.objects.filter(pk=hidden.pk).update(hidden=True)
    with django_capture_on_commit_callbacks(execute=True):
        waiting = actions.submit_report(
            category=category, reporter=anonymous_reporter, **INSIDE_PARIS
        )
    assert waiting.published_at is None
    body = fetch(client, "requests")
    assert [r["service_request_id"] for r in body] == [shown.reference]
    ids = f"{shown.reference},{hidden.reference},{waiting.reference}"
    body = fetch(client, "requests", service_request_id=ids)
    assert [r["service_request_id"] for r in body] == [shown.reference]
    for report in (hidden, waiting):
        assert_errors(client.get(f"{BASE}/requests/{report.reference}.json"), 404)


def test_default_range_is_the_last_90_days_newest_first(client, make_report):
    now = timezone.now()
    old = set_created(make_report(), now - timedelta(days=91))
    older = set_created(make_report(), now - timedelta(days=30))
    newer = set_created(make_report(), now - timedelta(days=1))
    body = fetch(client, "requests")
    assert [r["service_request_id"] for r in body] == [newer.reference, older.reference]
    assert old.reference not in str(body)


def test_service_request_id_list_overrides_every_other_filter(client, make_report):
    old = set_created(make_report(), timezone.now() - timedelta(days=400))
    recent = make_report()
    body = fetch(
        client,
        "requests",
        service_request_id=f" {old.reference}, {recent.reference},DMR-1999-000001",
        status="closed",
        service_code="autre",
        start_date="2020-01-01T00:00:00Z",
        end_date="2020-01-02T00:00:00Z",
    )
    assert {r["service_request_id"] for r in body} == {old.reference, recent.reference}


def test_a_list_of_ids_is_answered_whole_whatever_the_page_size(client, make_report):
    references = [make_report().reference for _ in range(4)]
    body = fetch(client, "requests", service_request_id=",".join(references), page_size=2, page=2)
    assert sorted(r["service_request_id"] for r in body) == sorted(references)


def test_date_range_filters_on_the_requested_datetime(client, make_report):
    now = timezone.now()
    inside = set_created(make_report(), now - timedelta(days=200))
    set_created(make_report(), now - timedelta(days=250))
    set_created(make_report(), now - timedelta(days=10))
    start = (now - timedelta(days=210)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = timezone.localtime(now - timedelta(days=190)).isoformat()

    both = fetch(client, "requests", start_date=start, end_date=end)
    assert [r["service_request_id"] for r in both] == [inside.reference]
    # Only one end given: the range is the 90 days that follow or precede it.
    after = fetch(client, "requests", start_date=start)
    assert [r["service_request_id"] for r in after] == [inside.reference]
    before = fetch(client, "requests", end_date=end)
    assert len(before) == 2
    # A "+" the client forgot to encode arrives as a space: still understood.
    unencoded = client.get(f"{BASE}/requests.json?start_date={start}&end_date={end}")
    assert [r["service_request_id"] for r in unencoded.json()] == [inside.reference]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-04-02T00:00:00Z"}, "90 days"),
        ({"start_date": "2026-03-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"}, "before"),
        ({"start_date": "yesterday"}, "start_date: Give a W3C date"),
        ({"status": "pending"}, "status: Unknown status pending"),
        ({"page": "0"}, "page:"),
        ({"page_size": "1001"}, "page_size:"),
        ({"page_size": "many"}, "page_size:"),
    ],
)
def test_bad_filters_answer_400(client, db, params, message):
    for fmt in ("json", "xml"):
        assert_errors(client.get(f"{BASE}/requests.{fmt}", params), 400, fmt, contains=message)


def test_status_and_service_code_filters(client, make_report, family, agent, category):
    other = Category.objects.create(parent=family, code="tags", name_fr="Tags")
    open_one = make_report()
    closed_one = make_report()
    actions.change_status(
        report=closed_one, status="resolved", public_response="Fait.", acting_user=agent
    )
    tagged = make_report(category=other)

    def ids(**params):
        return {r["service_request_id"] for r in fetch(client, "requests", **params)}

    assert ids(status="open") == {open_one.reference, tagged.reference}
    assert ids(status="closed") == {closed_one.reference}
    assert ids(status="open,closed") == ids() == {r.reference for r in Report.objects.all()}
    assert ids(service_code="tags") == {tagged.reference}
    assert ids(service_code="tags,depot-sauvage", status="closed") == {closed_one.reference}
    assert ids(service_code="inconnu") == set()


def test_pages_follow_each_other_without_counting(client, make_report):
    reports = [make_report() for _ in range(5)]
    expected = [r.reference for r in reversed(reports)]
    first = client.get(f"{BASE}/requests.json", {"page_size": 2, "status": "open"})
    assert [r["service_request_id"] for r in first.json()] == expected[:2]
    link = first["Link"]
    assert link.endswith('>; rel="next"')
    second = client.get(link[1 : link.index(">")].removeprefix("http://testserver"))
    assert [r["service_request_id"] for r in second.json()] == expected[2:4]
    last = client.get(f"{BASE}/requests.json", {"page_size": 2, "page": 3})
    assert [r["service_request_id"] for r in last.json()] == expected[4:]
    assert "Link" not in last
    assert fetch(client, "requests", page=4, page_size=2) == []


def reports_queries(client, path: str, **params) -> list[str]:
    """The queries a request makes to the service's tables (not the site's or the gate's)."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path, params).status_code == 200
    return [query["sql"] for query in queries if "reports_" in query["sql"]]


def test_requests_take_one_query_whatever_the_page_size(client, make_report):
    for _ in range(3):
        make_report()
    assert len(reports_queries(client, f"{BASE}/requests.json")) == 1
    for _ in range(3):
        make_report()
    [query] = reports_queries(client, f"{BASE}/requests.xml", page_size=100)
    assert "COUNT(" not in query.upper()
    # Filtering by service codes first turns them into ids: one more small query.
    assert (
        len(reports_queries(client, f"{BASE}/requests.json", service_code="depot-sauvage,x")) == 2
    )


def test_one_request_is_a_one_element_list(client, make_report):
    report = make_report()
    body = fetch(client, f"requests/{report.reference}", root_tag="service_requests")
    assert [r["service_request_id"] for r in body] == [report.reference]
    for fmt in ("json", "xml"):
        response = client.get(f"{BASE}/requests/DMR-2026-999999.{fmt}")
        assert_errors(response, 404, fmt, contains="DMR-2026-999999")


def test_text_xml_cannot_carry_is_dropped_from_xml_only(client, make_report):
    report = make_report(description="Bip\x07 bip & <b>")
    document = read_xml(client.get(f"{BASE}/requests/{report.reference}.xml"))
    assert document.find("request/description").text == "Bip bip & <b>"
    body = client.get(f"{BASE}/requests/{report.reference}.json").json()
    assert body[0]["description"] == "Bip\x07 bip & <b>"


# --- POST requests ------------------------------------------------------------------------


def test_a_submission_costs_a_bounded_number_of_queries(
    client, api_key, category, django_assert_max_num_queries
):
    """Key, ban check, reference, then the rows it writes: the service and the routing come
    from the routing cache, a new report's follower is inserted without a lookup."""
    assert post(client, api_key).status_code == 200  # the key's last use, recorded once a minute
    with django_assert_max_num_queries(9):
        assert post(client, api_key, email="camille@example.org").status_code == 200


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_keyed_application_submits_a_published_report(client, api_key, questions, fmt):
    response = post(
        client,
        api_key,
        fmt,
        description="Gravats devant le 12.",
        address_string="12 rue d'Arcole",
        email="Camille@Example.org",
        first_name="Camille",
        last_name="Durand",
        phone="0601020304",
        device_id="device-42",
        account_id="acc-7",
        media_url="https://photos.example.org/2.jpg",
        **{
            "attribute[volume]": "2.5",
            "attribute[kind]": "rubble",
            "attribute[materials][]": ["wood", "metal"],
            "attribute[seen]": "2026-11-20T08:00:00+01:00",
            "attribute[plate]": "AB-123-CD",
            "attribute[details]": "Deux lignes\net demie",
        },
    )
    assert response.status_code == 200, response.content
    if fmt == "json":
        [answer] = response.json()
    else:
        [answer] = spark(read_xml(response))
    report = Report.objects.get()
    expected = {
        "service_request_id": report.reference,
        "service_notice": "The city aims to deal with this within 7 days.",
        "account_id": "acc-7",
    }
    assert answer == (expected if fmt == "json" else as_text(expected))
    assert "token" not in answer
    assert report.source == Report.Source.OPEN311
    assert report.api_key == ApiKey.objects.get()
    assert report.published_at is not None and not report.confirmation_token
    assert (report.email, report.first_name, report.last_name, report.phone) == (
        "camille@example.org",
        "Camille",
        "Durand",
        "0601020304",
    )
    assert (report.longitude, report.latitude) == (2.3499, 48.853)
    assert report.address == "12 rue d'Arcole"
    assert report.media_url == "https://photos.example.org/2.jpg"
    assert report.attributes == {
        "volume": 2.5,
        "kind": "rubble",
        "materials": ["wood", "metal"],
        "seen": "2026-11-20T08:00:00+01:00",
        "plate": "AB-123-CD",
        "details": "Deux lignes\net demie",
    }
    assert report.department.name == "Propreté"
    # Published at once: the application reads it back right away.
    assert fetch(client, f"requests/{report.reference}")[0]["status"] == "open"


def test_the_key_may_come_in_a_header_and_csrf_does_not_apply(api_key, category):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        f"{BASE}/requests.json",
        {"service_code": "depot-sauvage", "lat": 48.853, "long": 2.3499},
        HTTP_X_API_KEY=api_key,
    )
    assert response.status_code == 200, response.content
    assert Report.objects.get().reference == response.json()[0]["service_request_id"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_missing_wrong_or_revoked_key_answers_403(client, api_key, category, fmt):
    assert_errors(post(client, None, fmt), 403, fmt, contains="api_key")
    assert_errors(post(client, api_key + "x", fmt), 403, fmt)
    revoke_api_key(key=ApiKey.objects.get(), acting_user=None)
    assert_errors(post(client, api_key, fmt), 403, fmt)
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"service_code": None}, 400, "service_code:"),
        ({"service_code": "inconnu"}, 404, "service_code inconnu not found"),
        ({"service_code": "proprete"}, 404, "not found"),
        ({"long": None}, 400, "Send both lat and long"),
        ({"lat": None, "long": None}, 400, "Give the location"),
        ({"lat": "north"}, 400, "lat:"),
        ({"lat": "nan"}, 400, "lat:"),
        ({"lat": "91"}, 400, "lat:"),
        ({"lat": OUTSIDE_PARIS["latitude"], "long": OUTSIDE_PARIS["longitude"]}, 400, "outside"),
        ({"lat": None, "long": None, "address_string": "1 rue X"}, 400, "send lat and long"),
        ({"lat": None, "long": None, "address_id": "545483"}, 400, "address_id"),
        ({"description": "x" * 4001}, 400, "too long"),
        ({"description": "nul\x00"}, 400, "description:"),
        ({"email": "pas-une-adresse"}, 400, "email:"),
        ({"media_url": "javascript:alert(1)"}, 400, "media_url:"),
        ({"first_name": "x" * 151}, 400, "first_name:"),
    ],
)
def test_bad_submissions_are_refused_and_nothing_is_saved(
    client, api_key, category, fields, status, message
):
    for fmt in ("json", "xml"):
        assert_errors(post(client, api_key, fmt, **fields), status, fmt, contains=message)
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({}, "attribute[volume]: this attribute is required"),
        ({"attribute[volume]": "beaucoup"}, "attribute[volume]: give a number"),
        ({"attribute[volume]": "1e999"}, "attribute[volume]: give a number"),
        ({"attribute[volume]": ["1", "2"]}, "attribute[volume]: give one value only"),
        ({"attribute[kind]": "sofa"}, "attribute[kind]: sofa is not one of the values"),
        ({"attribute[materials][]": ["wood", "glass"]}, "attribute[materials]: glass"),
        ({"attribute[seen]": "hier"}, "attribute[seen]: Give a W3C date"),
        ({"attribute[plate]": "AB\n123"}, "attribute[plate]: this value must fit on one line"),
        ({"attribute[details]": "x" * 4001}, "attribute[details]: at most 4000 characters"),
        ({"attribute[note]": "oui"}, "attribute[note]: this attribute is information"),
        ({"attribute[colour]": "red"}, "attribute[colour]: this service has no such attribute"),
    ],
)
def test_attributes_are_checked_against_the_service_definition(
    client, api_key, questions, answers, message
):
    fields = {"attribute[volume]": "1", **answers} if answers else {}
    response = post(client, api_key, **fields)
    assert_errors(response, 400, contains=message)
    assert not Report.objects.exists()


def test_every_attribute_problem_is_listed_at_once(client, api_key, questions):
    response = post(client, api_key, **{"attribute[kind]": "sofa"})
    descriptions = assert_errors(response, 400)
    assert len(descriptions) == 2


def test_a_banned_address_is_refused(client, api_key, category):
    BannedEmail.objects.create(email="troll@example.org", reason="Abus")
    assert_errors(post(client, api_key, email="Troll@example.org"), 400, contains="no longer")
    assert not Report.objects.exists()


def test_an_address_is_located_by_the_citys_geocoder_when_there_is_one(
    client, api_key, category, settings
):
    settings.LUTETIA_REPORTS_GEOCODER = "tests.services.reports.test_open311.geocode"
    response = post(client, api_key, lat=None, long=None, address_string="Parvis Notre-Dame")
    assert response.status_code == 200, response.content
    report = Report.objects.get()
    assert (report.longitude, report.latitude, report.address) == (
        INSIDE_PARIS["longitude"],
        INSIDE_PARIS["latitude"],
        "Parvis Notre-Dame",
    )
    response = post(client, api_key, lat=None, long=None, address_string="Nulle part")
    assert_errors(response, 400, contains="no place in the city matches")


def geocode(query: str):
    """A stand-in geocoder: knows one place."""
    if query == "Parvis Notre-Dame":
        return [("Parvis Notre-Dame, Paris", INSIDE_PARIS["longitude"], INSIDE_PARIS["latitude"])]
    return []


# --- Tokens -------------------------------------------------------------------------------


def test_tokens_give_the_request_once_it_is_public(client, make_report, db):
    report = make_report()
    Open311Token.objects.create(token="t-public", report=report)
    waiting = make_report()
    Report.objects.filter(pk=waiting.pk).update(published_at=None)
    Open311Token.objects.create(token="t-waiting", report=waiting)

    body = fetch(client, "tokens/t-public", root_tag="service_requests")
    assert body == [{"service_request_id": report.reference, "token": "t-public"}]
    assert fetch(client, "tokens/t-waiting") == [{"service_request_id": None, "token": "t-waiting"}]
    for fmt in ("json", "xml"):
        assert_errors(client.get(f"{BASE}/tokens/inconnu.{fmt}"), 404, fmt, contains="inconnu")


# --- Errors, methods, jurisdiction, rate limits -------------------------------------------


@pytest.mark.parametrize(
    ("path", "fmt"),
    [
        ("services.csv", "xml"),
        ("services", "xml"),
        ("", "xml"),
        ("nowhere.json", "json"),
        ("requests/DMR-2026-000001/comments.xml", "xml"),
    ],
)
def test_unknown_addresses_and_formats_answer_404_in_the_error_format(client, db, path, fmt):
    assert_errors(client.get(f"{BASE}/{path}"), 404, fmt)


def test_other_methods_answer_400(client, category, api_key):
    assert_errors(client.post(f"{BASE}/services.json"), 400, contains="POST")
    assert_errors(client.put(f"{BASE}/requests.json"), 400, contains="PUT")
    assert_errors(client.delete(f"{BASE}/requests/DMR-2026-000001.xml"), 400, "xml")


def test_an_unexpected_failure_is_a_400_error_list_not_a_500(client, db, monkeypatch):
    def broken():
        raise RuntimeError("database on fire")

    monkeypatch.setattr("lutetia.services.reports.selectors.open311_services", broken)
    for fmt in ("json", "xml"):
        descriptions = assert_errors(client.get(f"{BASE}/services.{fmt}"), 400, fmt)
        assert "fire" not in str(descriptions)


def test_too_many_form_fields_is_a_400_error_list(client, api_key, category, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    fields = {f"attribute[a{n}]": "x" for n in range(10)}
    assert_errors(post(client, api_key, **fields), 400)


def test_jurisdiction_id_is_accepted_and_checked_when_configured(client, category, settings):
    assert fetch(client, "services", jurisdiction_id="paris.fr")
    settings.LUTETIA_OPEN311_JURISDICTION = "paris.fr"
    assert fetch(client, "services", jurisdiction_id="paris.fr")
    assert fetch(client, "services")
    response = client.get(f"{BASE}/services.json", {"jurisdiction_id": "lyon.fr"})
    assert_errors(response, 404, contains="lyon.fr")


def test_rate_limit_answers_429_with_retry_after(client, api_key, category, settings):
    settings.LUTETIA_API_RATE_LIMIT_PER_IP = 2
    # Answers from the page cache are not counted (test_open311_cache): only the server's work.
    settings.LUTETIA_PAGE_CACHE_SECONDS = 0
    for _ in range(2):
        assert client.get(f"{BASE}/services.json").status_code == 200
    for fmt in ("json", "xml"):
        response = client.get(f"{BASE}/services.{fmt}")
        assert_errors(response, 429, fmt)
        assert int(response["Retry-After"]) >= 1
    # A key has its own allowance.
    ApiKey.objects.update(rate_limit_per_minute=1)
    assert post(client, api_key).status_code == 200
    assert_errors(post(client, api_key), 429)
    assert Report.objects.count() == 1


def test_staff_and_residents_reach_the_same_public_data(client, make_report, department):
    make_report()
    client.force_login(create_staff(department))
    body = client.get(f"{BASE}/requests.json").json()
    assert len(body) == 1 and "email" not in body[0]
