"""Online procedures in a real browser: the list, a form's start, steps and summary, the
confirmation and My procedures, each checked by axe-core (WCAG 2.1 A/AA) and for console
errors on the way through a whole demand; the pages on a phone."""

import pytest

from tests.browser.conftest import (
    assert_current_page_clean,
    assert_pages_clean,
    assert_pages_fit_phone,
)

# Serialized rollback: see the demo_city fixture.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(serialized_rollback=True)]

UNSAFE_BUILDING = "/demarches/signaler-un-immeuble-dangereux/"
LIST_PAGES = ["/demarches/", UNSAFE_BUILDING, "/en/demarches/"]


def continue_to_next_page(page, button: str = "main form [type=submit]") -> None:
    with page.expect_navigation():
        page.locator(button).first.click()


def test_list_and_start_pages_pass_axe(city_visit):
    assert_pages_clean(city_visit, LIST_PAGES)


def test_a_whole_demand_passes_axe_at_each_page(resident_visit):
    page = resident_visit.page
    resident_visit.goto(UNSAFE_BUILDING)
    continue_to_next_page(page)
    assert "/etape-1/" in page.url
    assert_current_page_clean(resident_visit)

    # A refused step re-shows itself with its errors next to the fields.
    continue_to_next_page(page, "main [name=next]")
    assert "/etape-1/" in page.url
    assert page.locator("main [aria-invalid=true]").count() >= 1
    assert_current_page_clean(resident_visit)

    address = page.locator("[data-address-map]")
    address.locator("input[type=text]").fill("12 rue de Rivoli")
    address.locator("input[type=number]").nth(0).fill("48.8556")
    address.locator("input[type=number]").nth(1).fill("2.3572")
    page.get_by_label("Fissures").check()
    continue_to_next_page(page, "main [name=next]")
    assert "/etape-2/" in page.url
    assert_current_page_clean(resident_visit)

    page.locator("main textarea").fill("Une large fissure traverse la façade.")
    continue_to_next_page(page, "main [name=next]")
    assert "/recapitulatif/" in page.url
    assert_current_page_clean(resident_visit)

    continue_to_next_page(page)
    assert page.url.endswith("/demarches/envoyee/"), page.url
    assert_current_page_clean(resident_visit)

    resident_visit.goto("/demarches/mes-demarches/")
    assert_current_page_clean(resident_visit)
    with page.expect_navigation():
        page.locator("main a[href*='/mes-demarches/']").first.click()
    assert_current_page_clean(resident_visit)


def test_pages_fit_a_phone_screen(resident_phone_visit):
    visit = resident_phone_visit
    visit.goto(UNSAFE_BUILDING)
    continue_to_next_page(visit.page)
    step = visit.page.url.removeprefix(visit.base_url)
    assert_pages_fit_phone(visit, [*LIST_PAGES, step, "/demarches/mes-demarches/"])
