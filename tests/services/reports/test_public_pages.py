"""The landing page and a report's public page: timeline, photos, closing details, following,
and never the reporter's contact. English texts are checked on /en/ pages."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from PIL import Image

from lutetia.core.uploads import validate_image
from lutetia.services.reports import actions
from lutetia.services.reports.models import Follower, RejectionReason, Report
from tests.conftest import public_url
from tests.factories import UserFactory, create_staff

pytestmark = pytest.mark.django_db

Status = Report.Status


def page_url(report, language=""):
    return public_url("reports:detail", report.reference, language=language)


def photo():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(buffer, "JPEG")
    return validate_image(SimpleUploadedFile("p.jpg", buffer.getvalue()))


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def staff(department):
    return create_staff(department)


@pytest.fixture
def change(staff, django_capture_on_commit_callbacks):
    def run(report, **fields):
        with django_capture_on_commit_callbacks(execute=True):
            return actions.change_status(report=report, acting_user=staff, **fields)

    return run


@pytest.mark.parametrize("language", ["", "en"])
def test_landing_page_lists_types_and_recent_reports(client, make_report, language):
    report = make_report()
    prefix = "/en" if language else ""
    page = client.get(f"{prefix}/dans-ma-rue/")
    assert page.status_code == 200
    content = text(page)
    assert f'href="{prefix}/dans-ma-rue/signaler/"' in content
    assert f'href="{prefix}/dans-ma-rue/carte/"' in content
    assert report.reference in content or page_url(report, language) in content
    assert ("Cleanliness" if language else "Propreté") in content


@pytest.mark.parametrize("language", ["", "en"])
def test_report_page_shows_the_public_facts_and_no_contact(client, make_report, language):
    report = make_report(
        acting_user=None,
        reporter=actions.Reporter(
            email="passant@example.org",
            first_name="Camille",
            last_name="Durand",
            phone="0601020304",
            public=False,
        ),
        address="Parvis Notre-Dame",
    )
    actions.confirm_report(token=report.confirmation_token)
    page = client.get(page_url(report, language))
    assert page.status_code == 200
    content = text(page)
    assert report.reference in content and "Parvis Notre-Dame" in content
    assert "Un matelas abandonné" in content
    for private in ("passant@example.org", "Camille", "Durand", "0601020304"):
        assert private not in content
    if language == "en":
        assert "Fly-tipping" in content and "anonymous resident" in content
        assert "Follow this report" in content and 'name="email"' in content


def test_the_first_name_shows_when_the_reporter_chose_so(client, make_report, resident):
    report = make_report(reporter=actions.Reporter(public=True))
    assert resident.first_name in text(client.get(page_url(report)))
    assert resident.email not in text(client.get(page_url(report)))


def test_unpublished_and_hidden_reports_are_not_found(client, make_report, anonymous_reporter):
    waiting = make_report(acting_user=None, reporter=anonymous_reporter)
    assert client.get(page_url(waiting)).status_code == 404
    hidden = make_report()
    Report.objects.filter(pk=hidden.pk).update(hidden=True)
    assert client.get(page_url(hidden)).status_code == 404
    assert client.get("/dans-ma-rue/DMR-2000-000001/").status_code == 404


def test_timeline_shows_public_responses_and_not_internal_notes(client, make_report, change):
    report = make_report()
    change(report, status=Status.SCHEDULED, public_response="Passage prévu mardi.")
    change(report, status=Status.IN_PROGRESS, internal_note="Camion n°4, clé au gardien")
    content = text(client.get(page_url(report, "en")))
    assert "Passage prévu mardi." in content
    assert "Status: Scheduled" in content and "Status: In progress" in content
    assert "Camion" not in content


def test_photos_before_and_after_the_work(client, make_report, change):
    report = make_report(photos=[photo()])
    change(report, status=Status.RESOLVED, public_response="Enlevé.", after_photos=[photo()])
    content = text(client.get(page_url(report, "en")))
    assert "Photo 1 of the problem" in content and "After the work" in content
    assert "Photo 1 after the work" in content
    before, after = report.photos.order_by("pk")
    assert before.thumbnail.url in content and after.image.url in content


def test_rejected_report_shows_its_reason(client, make_report, change):
    reason = RejectionReason.objects.create(label_fr="Domaine privé", label_en="Private property")
    report = make_report()
    change(report, status=Status.REJECTED, rejection_reason=reason)
    content = text(client.get(page_url(report, "en")))
    assert "Reason for the rejection" in content and "Private property" in content
    assert "This report is closed." in content


def test_duplicate_links_to_the_original(client, make_report, change):
    original = make_report()
    duplicate = make_report()
    change(duplicate, status=Status.DUPLICATE, duplicate_of=original)
    content = text(client.get(page_url(duplicate, "en")))
    assert "This problem was already reported" in content
    assert f'href="{page_url(original, "en")}"' in content


def test_transferred_report_names_the_body(client, make_report, change):
    report = make_report()
    change(report, status=Status.TRANSFERRED, transferred_to="RATP")
    assert "RATP" in text(client.get(page_url(report, "en")))


def test_a_resident_follows_and_unfollows(client, make_report):
    report = make_report()
    neighbour = UserFactory()
    client.force_login(neighbour)
    page = text(client.get(page_url(report, "en")))
    assert 'name="email"' not in page and "Follow this report" in page
    response = client.post(page_url(report), {"action": "follow"})
    assert response.status_code == 302
    assert Follower.objects.filter(report=report, user=neighbour).exists()
    assert "Stop following" in text(client.get(page_url(report, "en")))
    client.post(page_url(report), {"action": "unfollow"})
    assert not Follower.objects.filter(report=report, user=neighbour).exists()


def test_a_visitor_follows_with_an_email_and_bad_input_saves_nothing(client, make_report):
    report = make_report()
    refused = client.post(page_url(report, "en"), {"action": "follow", "email": "nope"})
    assert refused.status_code == 400 and "error-summary" in text(refused)
    assert client.post(page_url(report), {"action": "dance"}).status_code == 400
    assert client.post(page_url(report), {"action": "unfollow"}).status_code == 400
    assert Follower.objects.filter(report=report).count() == 1  # the reporter
    client.post(page_url(report), {"action": "follow", "email": "Voisin@Example.org"})
    assert Follower.objects.filter(report=report, email="voisin@example.org").exists()


def test_following_needs_the_csrf_token(make_report):
    report = make_report()
    client = Client(enforce_csrf_checks=True)
    response = client.post(page_url(report), {"action": "follow", "email": "v@example.org"})
    assert response.status_code == 403


def test_confirmation_link_publishes_and_redirects(client, make_report, anonymous_reporter):
    report = make_report(acting_user=None, reporter=anonymous_reporter)
    with translation.override("fr"):
        link = reverse("reports:confirm", args=[report.confirmation_token])
    response = client.get(link)
    assert response.status_code == 302 and response.url == page_url(report)
    assert client.get(response.url).status_code == 200
    assert client.get(link.replace(report.confirmation_token, "wrong")).status_code == 404


def test_switched_off_the_pages_answer_404(client, make_report, staff, switch_off):
    report = make_report()
    addresses = ["/dans-ma-rue/", page_url(report), "/en/dans-ma-rue/carte/"]
    assert all(client.get(address).status_code == 200 for address in addresses)
    switch_off("reports", acting_user=staff)
    for address in [*addresses, "/dans-ma-rue/reports.geojson?bbox=2,48,3,49"]:
        assert client.get(address).status_code == 404
