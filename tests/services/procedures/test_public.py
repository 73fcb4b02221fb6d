"""Residents fill in a procedure step by step: conditions, drafts, summary, sending, limits."""

import datetime
from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from lutetia.accounts.models import VerificationLevel
from lutetia.core.api.ratelimit import count_event
from lutetia.core.notifications.models import Notification
from lutetia.services.procedures import actions, views
from lutetia.services.procedures.models import Audience, Demand, DemandFile, Draft, DraftFile
from tests.conftest import INSIDE_PARIS
from tests.factories import UserFactory
from tests.services.procedures.conftest import PDF, field, step

pytestmark = pytest.mark.django_db

START = "/demarches/planter-un-arbre/"
PLACE = {
    "place_address": "Parvis Notre-Dame",
    "place_latitude": INSIDE_PARIS["latitude"],
    "place_longitude": INSIDE_PARIS["longitude"],
}


def pdf(name="accord.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def begin(client) -> str:
    """Start the tree form; the URL prefix of the new draft's steps."""
    response = client.post(START)
    assert response.status_code == 302, response
    draft = Draft.objects.latest("pk")
    assert response.url == f"{START}{draft.token}/etape-1/"
    return f"{START}{draft.token}/"


def fill(client, prefix, kind="building"):
    """Answer every step; returns the last response (the redirect to the summary)."""
    client.post(f"{prefix}etape-1/", {"name": "Claire", "kind": kind})
    client.post(f"{prefix}etape-2/", PLACE)
    if kind == "building":
        client.post(f"{prefix}etape-3/", {"consent": pdf()})
    return client.post(f"{prefix}etape-4/", {"terms": "on"})


@pytest.fixture
def signed_in(client, resident):
    client.force_login(resident)
    return client


def test_open_procedures_are_listed_in_french_and_english(client, tree_form, make_form):
    make_form(slug="fermee", available_until=timezone.now() - datetime.timedelta(days=1))
    make_form(slug="brouillon", publish=False)
    french = client.get("/demarches/").content.decode()
    assert french.count("/demarches/planter-un-arbre/") == 1
    assert "/demarches/fermee/" not in french and "/demarches/brouillon/" not in french
    english = client.get("/en/demarches/")
    assert english.status_code == 200
    assert '<html lang="en">' in english.content.decode()
    assert "/en/demarches/planter-un-arbre/" in english.content.decode()
    assert client.get("/en/demarches/planter-un-arbre/").status_code == 302  # sign in first


def test_a_resident_fills_in_every_step_and_sends(
    signed_in, resident, tree_form, django_capture_on_commit_callbacks, settings
):
    prefix = begin(signed_in)
    assert signed_in.get(f"{prefix}etape-1/").status_code == 200
    assert fill(signed_in, prefix).url == f"{prefix}recapitulatif/"
    summary = signed_in.get(f"{prefix}recapitulatif/").content.decode()
    assert "Claire" in summary and "Parvis Notre-Dame" in summary
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(f"{prefix}recapitulatif/")
    demand = Demand.objects.get()
    assert response.url == "/demarches/envoyee/"
    assert demand.reference in signed_in.get(response.url).content.decode()
    assert demand.reference.startswith(f"DEM-{timezone.now().year}-")
    assert demand.applicant == resident
    assert demand.form_version == tree_form.published_version
    assert demand.answers["name"] == "Claire"
    assert demand.answers["place"]["district"] == "4"
    assert demand.district.code == "4"
    assert demand.department == tree_form.department
    assert demand.files.get().field_code == "consent"
    assert not Draft.objects.exists()
    assert len(stored_files(settings)) == 1  # the demand's copy; the draft's file is gone
    notification = Notification.objects.get(recipient=resident)
    assert demand.reference in notification.subject
    assert [message.to for message in mail.outbox] == [[resident.email]]


def test_a_step_shown_only_for_buildings_is_skipped_otherwise(signed_in, tree_form):
    prefix = begin(signed_in)
    signed_in.post(f"{prefix}etape-1/", {"name": "Claire", "kind": "resident"})
    response = signed_in.post(f"{prefix}etape-2/", PLACE)
    assert response.url == f"{prefix}etape-4/"
    assert signed_in.get(f"{prefix}etape-3/").url == f"{prefix}etape-4/"
    signed_in.post(f"{prefix}etape-4/", {"terms": "on"})
    signed_in.post(f"{prefix}recapitulatif/")
    assert "consent" not in Demand.objects.get().answers
    assert not DemandFile.objects.exists()


def test_steps_cannot_be_skipped_by_url(signed_in, tree_form):
    prefix = begin(signed_in)
    assert signed_in.get(f"{prefix}etape-2/").url == f"{prefix}etape-1/"
    assert signed_in.get(f"{prefix}recapitulatif/").url == f"{prefix}etape-1/"
    assert signed_in.post(f"{prefix}recapitulatif/").url == f"{prefix}etape-1/"
    assert not Demand.objects.exists()


def test_bad_answers_reshow_the_step_with_messages_and_save_nothing(signed_in, tree_form):
    prefix = begin(signed_in)
    response = signed_in.post(f"{prefix}etape-1/", {"name": "x" * 51, "kind": "castle"})
    content = response.content.decode()
    assert response.status_code == 200
    assert "error-summary" in content
    assert 'id="id_name_error"' in content and 'id="id_kind_error"' in content
    assert Draft.objects.get().answers == {}


def test_a_refused_file_leaves_nothing(signed_in, tree_form, settings):
    prefix = begin(signed_in)
    signed_in.post(f"{prefix}etape-1/", {"name": "Claire", "kind": "building"})
    signed_in.post(f"{prefix}etape-2/", PLACE)
    fake = SimpleUploadedFile("accord.pdf", b"GIF89a not a pdf", content_type="application/pdf")
    response = signed_in.post(f"{prefix}etape-3/", {"consent": fake})
    assert 'id="id_consent_error"' in response.content.decode()
    assert not DraftFile.objects.exists()
    assert stored_files(settings) == []


def test_a_failed_submission_leaves_no_demand_and_no_file(
    signed_in, resident, tree_form, settings, monkeypatch
):
    fill(signed_in, begin(signed_in))
    draft = Draft.objects.get()
    draft_files = stored_files(settings)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(actions.audit, "log", broken)
    with pytest.raises(RuntimeError):
        actions.submit_demand(draft=draft, acting_user=resident)
    assert not Demand.objects.exists()
    assert not DemandFile.objects.exists()
    assert stored_files(settings) == draft_files  # only the draft's own file
    assert Draft.objects.filter(pk=draft.pk).exists()


def test_a_draft_is_saved_and_resumed_later(client, resident, tree_form):
    client.force_login(resident)
    prefix = begin(client)
    response = client.post(f"{prefix}etape-1/", {"name": "Claire", "kind": "building", "save": ""})
    assert response.url == "/demarches/mes-demarches/"
    client.logout()
    client.force_login(resident)  # a new session: the draft lives in the database
    listing = client.get("/demarches/mes-demarches/").content.decode()
    assert f"{prefix}etape-1/" in listing
    assert 'value="Claire"' in client.get(f"{prefix}etape-1/").content.decode()
    assert client.get(f"{prefix}etape-3/").url == f"{prefix}etape-2/"  # where it was left
    other = UserFactory()
    client.force_login(other)
    assert client.get(f"{prefix}etape-1/").status_code == 404


def test_a_draft_can_be_deleted(signed_in, tree_form, settings, django_capture_on_commit_callbacks):
    prefix = begin(signed_in)
    signed_in.post(f"{prefix}etape-1/", {"name": "Claire", "kind": "building"})
    signed_in.post(f"{prefix}etape-2/", PLACE)
    signed_in.post(f"{prefix}etape-3/", {"consent": pdf()})
    assert len(stored_files(settings)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post(f"{prefix}supprimer/")
    assert not Draft.objects.exists()
    assert stored_files(settings) == []


def test_anonymous_visitors_answer_open_forms_with_an_email(
    client, make_form, django_capture_on_commit_callbacks
):
    make_form(slug="signaler", audience=Audience.ANYONE, steps=[step("Où", field("text", "where"))])
    response = client.post("/demarches/signaler/")
    prefix = response.url.removesuffix("etape-1/")
    client.post(response.url, {"where": "Rue de Rivoli"})
    refused = client.post(f"{prefix}recapitulatif/", {"email": ""})
    assert 'id="id_email_error"' in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{prefix}recapitulatif/", {"email": "claire@example.org"})
    demand = Demand.objects.get()
    assert demand.applicant is None and demand.contact_email == "claire@example.org"
    assert mail.outbox[0].to == ["claire@example.org"]
    assert demand.reference in mail.outbox[0].subject
    other_visitor = client.__class__()
    assert other_visitor.get(response.url).status_code == 404  # drafts belong to the session


def test_signed_in_forms_send_visitors_to_the_login_page(client, tree_form):
    response = client.get(START)
    assert response.status_code == 302 and "/accounts/login/" in response.url
    client.post(START)
    assert not Draft.objects.exists()


def test_verified_forms_ask_for_verification(client, make_form, resident):
    make_form(slug="verifie", audience=Audience.VERIFIED)
    client.force_login(resident)
    assert "/mon-compte/verification/" in client.get("/demarches/verifie/").url
    client.post("/demarches/verifie/")
    assert not Draft.objects.exists()
    verified = UserFactory(verification_level=VerificationLevel.RESIDENT)
    client.force_login(verified)
    assert client.post("/demarches/verifie/").status_code == 302
    assert Draft.objects.get().user == verified


def test_one_answer_per_resident(signed_in, resident, tree_form):
    first = begin(signed_in)
    second = begin(signed_in)  # started before the first was sent
    for prefix in (first, second):
        fill(signed_in, prefix)
    signed_in.post(f"{first}recapitulatif/")
    page = signed_in.get(START).content.decode()
    assert "already sent" in page or "déjà" in page
    signed_in.post(START)
    assert Draft.objects.count() == 1  # the second draft only, no new one
    response = signed_in.post(f"{second}recapitulatif/")
    assert "error-summary" in response.content.decode()
    assert Demand.objects.count() == 1
    with pytest.raises(ValidationError):
        actions.start_draft(form=tree_form, acting_user=resident)


def test_closed_forms_take_no_answer(signed_in, make_form):
    later = timezone.now() + datetime.timedelta(days=3)
    make_form(slug="bientot", available_from=later)
    assert signed_in.get("/demarches/bientot/").status_code == 200
    signed_in.post("/demarches/bientot/")
    assert not Draft.objects.exists()


def test_a_form_closing_while_filling_in_refuses_the_demand(signed_in, tree_form):
    prefix = begin(signed_in)
    fill(signed_in, prefix)
    tree_form.available_until = timezone.now()
    tree_form.save()
    response = signed_in.post(f"{prefix}recapitulatif/")
    assert "error-summary" in response.content.decode()
    assert not Demand.objects.exists()


def test_submissions_are_rate_limited_per_account(signed_in, resident, tree_form):
    prefix = begin(signed_in)
    fill(signed_in, prefix)
    for _ in range(views.SUBMISSIONS_PER_HOUR):
        count_event(
            f"procedures-submit:user:{resident.pk}",
            limit=views.SUBMISSIONS_PER_HOUR,
            window_seconds=3600,
        )
    response = signed_in.post(f"{prefix}recapitulatif/")
    assert response.status_code == 429
    assert not Demand.objects.exists()
