import pytest
from django.urls import reverse

from lutetia.services.contact import actions
from lutetia.services.contact.models import ContactRequest
from lutetia.services.contact.views import SUBMISSIONS_PER_HOUR
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FORM_URL = "/contact/"


def form_data(topic, **fields):
    return {"topic": topic.pk, "subject": "Banc cassé", "message": "Square du Temple.", **fields}


def test_anonymous_visitor_submits_with_name_and_email(client, topic):
    page = client.get(FORM_URL)
    assert page.status_code == 200
    assert 'name="contact_email"' in page.content.decode()
    response = client.post(
        FORM_URL, form_data(topic, contact_name="Claire", contact_email="claire@example.org")
    )
    request = ContactRequest.objects.get()
    assert response.url == reverse("contact:confirmation")
    assert request.contact_email == "claire@example.org"
    confirmation = client.get(response.url)
    assert request.reference in confirmation.content.decode()


def test_resident_submits_without_email_fields(client, resident, topic):
    client.force_login(resident)
    page = client.get(FORM_URL)
    assert 'name="contact_email"' not in page.content.decode()
    client.post(FORM_URL, form_data(topic))
    assert ContactRequest.objects.get().requester == resident


@pytest.mark.parametrize(
    "fields",
    [
        {"subject": ""},
        {"topic": ""},
        {"contact_email": "not-an-address"},
        {"contact_email": ""},
    ],
)
def test_bad_input_reshows_the_form_and_saves_nothing(client, topic, fields):
    data = form_data(topic, contact_name="Claire", contact_email="claire@example.org")
    response = client.post(FORM_URL, {**data, **fields})
    assert response.status_code == 200
    content = response.content.decode()
    assert "error-summary" in content
    assert 'value="Banc cassé"' in content or fields == {"subject": ""}
    assert not ContactRequest.objects.exists()


def test_inactive_topic_is_not_offered(client, topic):
    topic.is_active = False
    topic.save()
    response = client.post(FORM_URL, form_data(topic, contact_email="claire@example.org"))
    assert "error-summary" in response.content.decode()
    assert not ContactRequest.objects.exists()


def test_submissions_are_rate_limited_per_ip(client, resident, topic):
    client.force_login(resident)
    for _ in range(SUBMISSIONS_PER_HOUR):
        assert client.post(FORM_URL, form_data(topic)).status_code == 302
    response = client.post(FORM_URL, form_data(topic))
    assert response.status_code == 429
    assert "réessayer dans une heure" in response.content.decode()
    assert ContactRequest.objects.count() == SUBMISSIONS_PER_HOUR


def test_confirmation_without_a_submission_goes_back_to_the_form(client):
    response = client.get(reverse("contact:confirmation"))
    assert response.url == FORM_URL


def test_requester_sees_the_public_conversation_and_replies(client, resident, agent, submit):
    request = submit(resident)
    actions.reply(request=request, acting_user=agent, body="Réponse publique.")
    actions.reply(request=request, acting_user=agent, body="Note interne.", internal=True)
    client.force_login(resident)
    url = reverse("contact:request_detail", args=[request.reference])
    content = client.get(url).content.decode()
    assert "Réponse publique." in content
    assert "Note interne." not in content
    response = client.post(url, {"body": "Merci !"})
    assert response.status_code == 302
    assert request.messages.filter(author=resident, body="Merci !").exists()


def test_empty_reply_reshows_the_page(client, resident, submit):
    request = submit(resident)
    client.force_login(resident)
    url = reverse("contact:request_detail", args=[request.reference])
    response = client.post(url, {"body": ""})
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    assert not request.messages.exists()


def test_nobody_else_sees_a_request(client, resident, submit):
    request = submit(resident)
    url = reverse("contact:request_detail", args=[request.reference])
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404


def test_public_pages_have_no_inline_script(client, topic):
    content = client.get(FORM_URL).content.decode()
    assert "<script>" not in content
    assert "style=" not in content
