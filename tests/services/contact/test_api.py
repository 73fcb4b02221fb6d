import pytest

from lutetia.core.api.actions import create_api_key
from lutetia.services.contact.models import ContactRequest

pytestmark = pytest.mark.django_db

URL = "/api/contact/requests"


@pytest.fixture
def api_key(db):
    return create_api_key(name="Centre d'appels", acting_user=None)[1]


def payload(topic_obj, **fields):
    return {
        "topic": topic_obj.pk,
        "subject": "Fuite",
        "message": "Une fuite d'eau devant le 3.",
        "contact_name": "Claire",
        "contact_email": "claire@example.org",
        **fields,
    }


def test_topics_are_public(client, topic, other_topic):
    other_topic.is_active = False
    other_topic.save()
    response = client.get("/api/contact/topics")
    assert response.status_code == 200
    assert response.json() == [
        {
            "id": topic.pk,
            "name": topic.name,
            "name_fr": "Propreté",
            "name_en": "Cleanliness",
            "department": "proprete",
        }
    ]


def test_submit_with_an_api_key(client, topic, api_key):
    response = client.post(
        URL, payload(topic), content_type="application/json", HTTP_X_API_KEY=api_key
    )
    assert response.status_code == 201, response.content
    request = ContactRequest.objects.get()
    assert response.json()["reference"] == request.reference
    assert request.requester is None
    assert request.contact_email == "claire@example.org"


def test_submit_with_a_session(client, resident, topic):
    client.force_login(resident)
    response = client.post(URL, payload(topic, contact_email=""), content_type="application/json")
    assert response.status_code == 201, response.content
    assert ContactRequest.objects.get().requester == resident


def test_submit_needs_authentication(client, topic):
    response = client.post(URL, payload(topic), content_type="application/json")
    assert response.status_code == 401
    assert not ContactRequest.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [{"subject": ""}, {"message": "   "}, {"contact_email": "nope"}, {"contact_email": ""}],
)
def test_invalid_payload_answers_400_and_saves_nothing(client, topic, api_key, fields):
    response = client.post(
        URL, payload(topic, **fields), content_type="application/json", HTTP_X_API_KEY=api_key
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert not ContactRequest.objects.exists()


def test_unknown_topic_answers_404(client, topic, api_key):
    response = client.post(
        URL, payload(topic, topic=999999), content_type="application/json", HTTP_X_API_KEY=api_key
    )
    assert response.status_code == 404
    assert not ContactRequest.objects.exists()
