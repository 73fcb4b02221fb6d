"""Signed links that let a resident manage a booking from an e-mail, without signing in."""

from urllib.parse import urljoin

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import translation

from lutetia.services.appointments.models import Booking

SALT = "lutetia.appointments.manage"


def manage_token(booking: Booking) -> str:
    return signing.dumps(str(booking.uid), salt=SALT)


def booking_uid(token: str) -> str | None:
    """The booking a token names, or None if it was tampered with."""
    try:
        return signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None


def manage_path(booking: Booking) -> str:
    return reverse("appointments:manage", args=[manage_token(booking)])


def manage_url(booking: Booking, *, language: str) -> str:
    with translation.override(language):
        return urljoin(settings.WAGTAILADMIN_BASE_URL, manage_path(booking))
