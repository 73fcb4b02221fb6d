"""Reporting a problem on the website: the two steps, nearby reports, photos, bad input,
rate limits, CSRF and the address search. English texts are checked on /en/ pages."""

import io
from urllib.parse import urlencode

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from PIL import Image

from lutetia.services.reports.models import (
    BannedEmail,
    CategoryAttribute,
    Follower,
    Report,
    ReportPhoto,
)
from lutetia.services.reports.views import (
    SUBMISSIONS_PER_IP_PER_HOUR,
    SUBMISSIONS_PER_USER_PER_HOUR,
)
from tests.conftest import INSIDE_PARIS, OUTSIDE_PARIS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _city(districts):
    """The arrondissements: every step checks that the point is in the city."""


def url(name, language="", **query):
    with translation.override("fr"):
        path = reverse(f"reports:{name}")
    path = f"/en{path}" if language == "en" else path
    return f"{path}?{urlencode(query)}" if query else path


def where(category, point=INSIDE_PARIS, **extra):
    return {"category": category.code, **point, **extra}


def details(category, point=INSIDE_PARIS, language="", **extra):
    return url("report_details", language=language, **where(category, point, **extra))


def png(name="photo.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), "blue").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def post_data(category, **fields):
    return {
        "category": category.code,
        **INSIDE_PARIS,
        "address": "",
        "description": "Des sacs d'ordures sur le trottoir.",
        **fields,
    }


ANONYMOUS = {"email": "Camille@Example.org", "first_name": "Camille", "last_name": "Durand"}


def text(response) -> str:
    return response.content.decode()


# --- step 1 ----------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["", "en"])
def test_step_one_renders_a_grouped_select_and_the_point_fields(client, category, language):
    page = client.get(url("report", language=language))
    assert page.status_code == 200
    content = text(page)
    assert '<optgroup label="' in content and 'value="depot-sauvage"' in content
    assert 'name="latitude"' in content and 'name="longitude"' in content
    assert 'id="point-map"' in content and "reports/js/point-map.js" in content
    if language == "en":
        assert "Report a problem" in content and "Fly-tipping" in content


def test_step_one_keeps_what_was_given_in_the_query(client, category):
    page = client.get(url("report", **where(category, address="12 rue Chanoinesse")))
    assert 'value="12 rue Chanoinesse"' in text(page)
    assert '<option value="depot-sauvage" selected>' in text(page)


def test_a_point_outside_the_city_is_refused_with_a_message(client, category):
    page = client.get(details(category, OUTSIDE_PARIS, language="en"))
    assert page.status_code == 400
    assert "This point is outside the city" in text(page)
    assert "error-summary" in text(page)


@pytest.mark.parametrize(
    "query",
    [
        {"latitude": "", "longitude": ""},
        {"category": "proprete"},  # a family is not a type one can report
        {"category": "unknown"},
        {"latitude": "not a number"},
    ],
)
def test_step_one_bad_input_goes_back_to_step_one(client, category, query):
    page = client.get(url("report_details", **{**where(category), **query}))
    assert page.status_code == 400
    assert "error-summary" in text(page)
    assert 'action="/dans-ma-rue/signaler/details/"' in text(page)


# --- step 2 and submission ---------------------------------------------------------------


@pytest.mark.parametrize("language", ["", "en"])
def test_step_two_shows_the_choice_and_the_details_form(client, category, language):
    page = client.get(details(category, language=language))
    assert page.status_code == 200
    content = text(page)
    assert "Paris Centre" in content or "4" in content
    assert 'name="description"' in content and 'name="photo_3"' in content
    assert 'name="email"' in content and 'name="public"' in content
    assert 'enctype="multipart/form-data"' in content
    if language == "en":
        assert "No open report of this type has been made near this point." in content


def test_anonymous_resident_is_asked_to_confirm_by_email(
    client, category, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(details(category), post_data(category, **ANONYMOUS, public="on"))
    assert response.status_code == 302 and response.url == url("submitted")
    report = Report.objects.get()
    assert report.published_at is None and report.email == "camille@example.org"
    assert report.reporter_public and report.first_name == "Camille"
    assert len(mail.outbox) == 1 and report.confirmation_token in mail.outbox[0].body
    page = client.get(response.url, HTTP_ACCEPT_LANGUAGE="en")
    assert report.reference in text(page)
    english = client.get(url("submitted", language="en"))
    assert "we have sent you an e-mail with a link" in text(english)


def test_signed_in_resident_publishes_at_once(client, category, resident):
    client.force_login(resident)
    page = client.get(details(category))
    assert 'name="email"' not in text(page) and 'name="public"' in text(page)
    response = client.post(details(category), post_data(category))
    report = Report.objects.get()
    assert report.is_public and report.reporter == resident and report.email == resident.email
    confirmation = client.get(url("submitted", language="en"))
    assert "It is published" in text(confirmation)
    assert reverse("reports:detail", args=[report.reference]) in text(confirmation)
    assert response.status_code == 302


def test_photos_are_stored_with_the_report(client, category, resident):
    client.force_login(resident)
    client.post(details(category), post_data(category, photo_1=png(), photo_3=png("b.png")))
    report = Report.objects.get()
    assert report.photos.filter(kind=ReportPhoto.Kind.BEFORE).count() == 2


def test_the_category_questions_are_asked_and_stored(client, category, resident):
    CategoryAttribute.objects.create(
        category=category,
        code="volume",
        datatype="singlevaluelist",
        required=True,
        description="Quel volume ?",
        values=[{"key": "small", "name": "Petit"}, {"key": "large", "name": "Gros"}],
    )
    CategoryAttribute.objects.create(
        category=category, code="count", datatype="number", description="Combien ?"
    )
    client.force_login(resident)
    assert "Quel volume ?" in text(client.get(details(category)))
    refused = client.post(details(category), post_data(category))
    assert refused.status_code == 400 and not Report.objects.exists()
    client.post(details(category), post_data(category, attribute_volume="large"))
    assert Report.objects.get().attributes == {"volume": "large"}


@pytest.mark.parametrize(
    "fields",
    [
        {"description": ""},
        {"description": "x" * 4001},
        {"email": ""},
        {"email": "not-an-address"},
        {"longitude": OUTSIDE_PARIS["longitude"], "latitude": OUTSIDE_PARIS["latitude"]},
        {"category": "unknown"},
    ],
)
def test_bad_input_reshows_the_form_and_saves_nothing(client, category, fields):
    response = client.post(details(category), {**post_data(category, **ANONYMOUS), **fields})
    assert response.status_code == 400
    assert "error-summary" in text(response)
    assert not Report.objects.exists() and not mail.outbox


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_stored(client, category, settings):
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    good = png()
    response = client.post(
        details(category), post_data(category, **ANONYMOUS, photo_1=good, photo_2=fake)
    )
    assert response.status_code == 400 and "error-summary" in text(response)
    assert not Report.objects.exists() and not ReportPhoto.objects.exists()
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(path.is_file() for path in media.rglob("*"))


def test_a_banned_address_is_refused_on_the_form(client, category):
    BannedEmail.objects.create(email="camille@example.org", reason="spam")
    response = client.post(details(category, language="en"), post_data(category, **ANONYMOUS))
    assert response.status_code == 400 and "no longer accepted" in text(response)
    assert not Report.objects.exists()


def test_submissions_are_rate_limited_per_address(client, category):
    for number in range(SUBMISSIONS_PER_IP_PER_HOUR):
        data = post_data(category, **{**ANONYMOUS, "email": f"r{number}@example.org"})
        assert client.post(details(category), data).status_code == 302
    refused = client.post(details(category), post_data(category, **ANONYMOUS))
    assert refused.status_code == 429 and "error-summary" in text(refused)
    assert Report.objects.count() == SUBMISSIONS_PER_IP_PER_HOUR


def test_submissions_are_rate_limited_per_account(category, resident):
    for number in range(SUBMISSIONS_PER_USER_PER_HOUR + 1):
        client = Client(REMOTE_ADDR=f"192.0.2.{number + 1}")  # a new address each time
        client.force_login(resident)
        response = client.post(details(category), post_data(category))
    assert response.status_code == 429
    assert Report.objects.count() == SUBMISSIONS_PER_USER_PER_HOUR


def test_the_form_requires_the_csrf_token(category, resident):
    client = Client(enforce_csrf_checks=True)
    client.force_login(resident)
    response = client.post(details(category), post_data(category))
    assert response.status_code == 403 and not Report.objects.exists()
    page = client.get(details(category))
    assert 'name="csrfmiddlewaretoken"' in text(page)


# --- nearby reports ----------------------------------------------------------------------


def test_step_two_offers_to_follow_a_nearby_open_report(client, category, make_report):
    existing = make_report(description="Matelas devant le 12.")
    page = client.get(details(category, language="en"))
    content = text(page)
    assert existing.reference in content and "Follow this one instead" in content
    assert "m away" in content
    response = client.post(
        reverse("reports:detail", args=[existing.reference]),
        {"action": "follow", "email": "voisin@example.org"},
    )
    assert response.status_code == 302
    assert Follower.objects.filter(report=existing, email="voisin@example.org").exists()
    assert Report.objects.count() == 1


def test_live_nearby_lookup_answers_json(client, category, make_report):
    existing = make_report()
    response = client.get(url("nearby", **where(category)))
    assert response.status_code == 200
    (found,) = response.json()["reports"]
    assert found["reference"] == existing.reference and found["distance_m"] == 0
    assert set(found) == {"reference", "url", "distance_m", "status", "reported", "description"}
    assert client.get(url("nearby", **where(category, OUTSIDE_PARIS))).status_code == 400


# --- address search ----------------------------------------------------------------------


def fake_geocoder(query):
    """A geocoder for the tests: one place in Paris and one in Versailles."""
    return [
        (f"{query}, Paris", INSIDE_PARIS["longitude"], INSIDE_PARIS["latitude"]),
        (f"{query}, Versailles", OUTSIDE_PARIS["longitude"], OUTSIDE_PARIS["latitude"]),
    ]


def test_no_search_box_without_a_geocoder(client, category):
    assert 'id="address-search"' not in text(client.get(url("report")))
    assert client.get(url("places", q="rue")).status_code == 404


def test_address_search_offers_places_inside_the_city(client, category, districts, settings):
    settings.LUTETIA_REPORTS_GEOCODER = "tests.services.reports.test_public_form.fake_geocoder"
    page = client.get(url("report", q="rue Chanoinesse", category=category.code))
    content = text(page)
    assert 'id="address-search"' in content and "rue Chanoinesse, Paris" in content
    assert "Versailles" not in content
    assert "latitude=48.853" in content and "category=depot-sauvage" in content
    places = client.get(url("places", q="rue Chanoinesse")).json()["places"]
    assert places == [
        {"label": "rue Chanoinesse, Paris", "lon": INSIDE_PARIS["longitude"], "lat": 48.853}
    ]


def test_a_failing_geocoder_only_finds_nothing(client, category, districts, settings):
    settings.LUTETIA_REPORTS_GEOCODER = "tests.services.reports.test_public_form.no_such_geocoder"
    page = client.get(url("report", q="rue"))
    assert page.status_code == 200 and "rue, Paris" not in text(page)


def test_address_searches_are_rate_limited(client, category, settings):
    settings.LUTETIA_REPORTS_GEOCODER = "tests.services.reports.test_public_form.fake_geocoder"
    assert client.get(url("places", q="rue")).json()["places"]
    settings.LUTETIA_API_RATE_LIMIT_PER_IP = 0  # the next search is over the limit
    assert client.get(url("places", q="rue")).json()["places"] == []
