"""Residents' pages: availability, booking, the "no longer available" answer, signed links."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from lutetia.accounts.models import VerificationLevel
from lutetia.services.appointments import account, actions, links, views
from lutetia.services.appointments.models import Booking
from tests.factories import UserFactory
from tests.services.appointments.conftest import question

pytestmark = pytest.mark.django_db


def test_index_and_service_pages_list_free_slots(client, service, make_slot):
    slot = make_slot(days=2)
    make_slot(days=2, minutes=30, booked=1)  # full: not shown
    assert "passeport" in client.get("/rendez-vous/").text
    page = client.get(f"/rendez-vous/{service.slug}/")
    assert page.status_code == 200
    booking_links = page.text.count(f"/rendez-vous/{service.slug}/reserver/")
    book_url = reverse("appointments:book", args=[service.slug, slot.pk])
    assert book_url in page.text and booking_links >= 1
    assert client.get(f"/en/rendez-vous/{service.slug}/").status_code == 200


def test_month_view_follows_the_month_parameter(client, service, make_slot):
    slot = make_slot(days=40)
    month = timezone.localtime(slot.starts_at).strftime("%Y-%m")
    page = client.get(f"/rendez-vous/{service.slug}/?mois={month}")
    assert reverse("appointments:book", args=[service.slug, slot.pk]) in page.text
    assert client.get(f"/rendez-vous/{service.slug}/?mois=nonsense").status_code == 200


def test_booking_needs_an_account(client, service, make_slot):
    response = client.get(reverse("appointments:book", args=[service.slug, make_slot().pk]))
    assert response.status_code == 302 and "login" in response.url


def test_booking_needs_the_service_level(client, service, make_slot):
    service.required_level = VerificationLevel.RESIDENT
    service.save()
    client.force_login(UserFactory())
    response = client.get(reverse("appointments:book", args=[service.slug, make_slot().pk]))
    assert response.status_code == 302 and "verification" in response.url


def test_book_then_manage_from_the_signed_link(
    client, resident, service, make_slot, django_capture_on_commit_callbacks
):
    service.booking_fields = [question("phone", "phone", "Phone")]
    service.save()
    client.force_login(resident)
    url = reverse("appointments:book", args=[service.slug, make_slot(capacity=3).pk])
    response = client.post(url, {"persons": "1", "phone": "not a phone"})
    assert response.status_code == 200 and not Booking.objects.exists()
    assert 'id="id_phone_error"' in response.text  # the message is next to the field
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"persons": "2", "phone": "01 23 45 67 89"})
    booking = Booking.objects.get()
    assert response.status_code == 302  # to the signed link (its timestamp may differ by a second)
    token = response.url.rstrip("/").rsplit("/", 1)[-1]
    assert links.booking_uid(token) == str(booking.uid)
    assert booking.answers == {"phone": "01 23 45 67 89"} and booking.persons == 2
    assert len(mail.outbox) == 1
    client.logout()
    page = client.get(response.url)
    assert booking.reference in page.text
    ics = client.get(reverse("appointments:manage_ics", args=[links.manage_token(booking)]))
    assert ics["Content-Type"].startswith("text/calendar") and b"BEGIN:VEVENT" in ics.content
    client.post(response.url, {"action": "cancel"})
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED and booking.slot.booked == 0


def test_reschedule_from_the_link(client, resident, make_slot):
    booking = actions.book(slot=make_slot(days=2), acting_user=resident)
    later = make_slot(days=6)
    response = client.post(
        links.manage_path(booking), {"action": "reschedule", "slot": str(later.pk)}
    )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.slot == later and booking.sequence == 1


def test_a_tampered_link_is_not_found(client):
    assert client.get("/rendez-vous/gerer/forged:token/").status_code == 404


def test_a_full_slot_answers_no_longer_available_with_next_slots(
    client, resident, service, make_slot
):
    full = make_slot(booked=1)
    later = make_slot(days=5)
    client.force_login(resident)
    response = client.post(
        reverse("appointments:book", args=[service.slug, full.pk]), {"persons": "1"}
    )
    assert response.status_code == 409
    assert "n’est plus disponible" in response.text
    assert reverse("appointments:book", args=[service.slug, later.pk]) in response.text


def test_bookings_are_rate_limited_per_account(client, resident, service, make_slot, settings):
    client.force_login(resident)
    slots = [make_slot(days=2, minutes=15 * i, capacity=50) for i in range(3)]
    settings.LUTETIA_API_RATE_LIMIT_PER_IP = 1000
    views.BOOKINGS_PER_USER_PER_HOUR, before = 2, views.BOOKINGS_PER_USER_PER_HOUR
    try:
        codes = [
            client.post(
                reverse("appointments:book", args=[service.slug, s.pk]), {"persons": "1"}
            ).status_code
            for s in slots
        ]
    finally:
        views.BOOKINGS_PER_USER_PER_HOUR = before
    assert codes == [302, 302, 429]
    assert Booking.objects.count() == 2


def test_mon_compte_lists_the_bookings(client, resident, make_slot):
    booking = actions.book(slot=make_slot(), acting_user=resident)
    items = account.account_items(resident)
    assert items[0].url == links.manage_path(booking)
    assert booking.reference in items[0].title


def test_service_pages_are_gated_with_the_service(client, service):
    assert client.get("/rendez-vous/unknown/").status_code == 404


def test_the_per_resident_limit_through_the_form(client, resident, service, make_slot):
    service.limit_count = 1
    service.save()
    client.force_login(resident)
    first, second = make_slot(days=2), make_slot(days=3)
    url = "appointments:book"
    assert (
        client.post(reverse(url, args=[service.slug, first.pk]), {"persons": "1"}).status_code
        == 302
    )
    page = client.post(reverse(url, args=[service.slug, second.pk]), {"persons": "1"})
    assert page.status_code == 200 and "Vous avez déjà 1 rendez-vous" in page.text
    assert Booking.objects.count() == 1
