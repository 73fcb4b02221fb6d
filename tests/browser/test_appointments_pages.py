"""Appointments in a real browser: the services, a service's free slots and month view, the
booking form and the booking's page; axe-core (WCAG 2.1 A/AA), console, phone width, and a
booking made with the keyboard only."""

from datetime import timedelta

import pytest

from tests.browser.conftest import (
    assert_current_page_clean,
    assert_pages_clean,
    assert_pages_fit_phone,
    choose_with_keyboard,
    press_until_focused,
)

# Serialized rollback: see the demo_city fixture.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(serialized_rollback=True)]

SERVICE = "/rendez-vous/cartes-identite-passeports/"


@pytest.fixture(scope="module")
def paths(demo_city):
    """The public pages, the month after this one and a free slot's booking form."""
    from django.utils import timezone

    from lutetia.services.appointments.models import Slot

    slot = (
        Slot.objects.filter(
            location__service__slug="cartes-identite-passeports", starts_at__gt=timezone.now()
        )
        .order_by("starts_at")
        .first()
    )
    following = (timezone.localdate().replace(day=28) + timedelta(days=7)).strftime("%Y-%m")
    return {
        "public": ["/rendez-vous/", SERVICE, f"{SERVICE}?mois={following}", "/en/rendez-vous/"],
        "book": f"{SERVICE}reserver/{slot.pk}/",
    }


def test_pages_pass_axe_without_console_errors(city_visit, paths):
    assert_pages_clean(city_visit, paths["public"])


def test_booking_form_passes_axe(resident_visit, paths):
    assert_pages_clean(resident_visit, [paths["book"]])


def test_pages_fit_a_phone_screen(resident_phone_visit, paths):
    assert_pages_fit_phone(resident_phone_visit, [*paths["public"], paths["book"]])


def test_book_with_the_keyboard_only(resident_visit):
    """The type, a free time, the questions, sent with Tab, arrows, typing and Enter."""
    page = resident_visit.page
    resident_visit.goto(SERVICE)
    choose_with_keyboard(page, "#id_type", "Carte d'identité (15 min)")
    press_until_focused(page, "main .appointment-choice [type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    press_until_focused(page, "main .slot-list a")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/reserver/" in page.url

    press_until_focused(page, "#id_telephone")
    page.keyboard.type("01 23 45 67 89")
    press_until_focused(page, "#id_passeports")
    page.keyboard.type("0")
    press_until_focused(page, "main form [type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/rendez-vous/gerer/" in page.url, page.url
    assert_current_page_clean(resident_visit)
