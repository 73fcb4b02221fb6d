"""The contact service's JSON API, mounted at /api/contact/.

Topics are public. Submitting needs an API key (a partner such as the city's call
centre, answers go to the e-mail given) or a signed-in session (answers go to the account).
"""

from datetime import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import django_auth
from pydantic import field_validator

from lutetia.core.api.auth import ApiKeyAuth
from lutetia.services.contact import actions, selectors
from lutetia.services.contact.models import Topic

router = Router()


class TopicOut(Schema):
    id: int
    name: str
    name_fr: str
    name_en: str
    department: str = Field(..., alias="department.code")


class RequestIn(Schema):
    topic: int
    subject: str = Field(..., min_length=1, max_length=200)
    message: str = Field(..., min_length=1, max_length=5000)
    contact_name: str = Field("", max_length=200)
    contact_email: str = Field("", max_length=254)

    @field_validator("subject", "message")
    @classmethod
    def not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value

    @field_validator("contact_email")
    @classmethod
    def valid_email(cls, value: str) -> str:
        if value:
            try:
                validate_email(value)
            except DjangoValidationError as error:
                raise ValueError("is not a valid e-mail address") from error
        return value


class RequestOut(Schema):
    reference: str
    status: str
    topic: int = Field(..., alias="topic_id")
    created_at: datetime


@router.get("/topics", response=list[TopicOut])
def list_topics(request):
    return selectors.active_topics().select_related("department")


@router.post("/requests", response={201: RequestOut}, auth=[ApiKeyAuth(), django_auth])
def submit_request(request, payload: RequestIn):
    topic = get_object_or_404(Topic, pk=payload.topic)
    try:
        submitted = actions.submit_request(
            acting_user=request.user,
            topic=topic,
            subject=payload.subject,
            message=payload.message,
            contact_name=payload.contact_name,
            contact_email=payload.contact_email,
        )
    except DjangoValidationError as error:
        raise HttpError(400, " ".join(error.messages)) from error
    return Status(201, submitted)
