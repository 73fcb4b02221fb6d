"""Dans ma rue in a real browser: axe-core (WCAG 2.1 A/AA), console, phone width, the report
form with the keyboard only and with the map.

The demo city is loaded once for the module (``demo_city``); the tests only read it, except
the submissions, which add reports to it.
"""

from urllib.parse import urlencode

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

# The demo resident's bulky-items report stands at the map's starting centre (Paris).
CENTRE_CATEGORY = "objets-encombrants"
CENTRE = {"latitude": "48.8566", "longitude": "2.3522"}


@pytest.fixture(scope="module")
def demo_report(demo_city):
    """The public, open demo report at the centre of Paris, with its family's name."""
    from lutetia.services.reports.models import Report

    report = Report.objects.select_related("category__parent").get(
        category__code=CENTRE_CATEGORY, source=Report.Source.WEB
    )
    assert report.published_at is not None and not report.hidden
    return report


def pages(report) -> list[str]:
    # At the demo report's point: step 2 lists it, with its "follow" form.
    details = urlencode({"category": CENTRE_CATEGORY, **CENTRE})
    return [
        "/dans-ma-rue/",
        "/dans-ma-rue/signaler/",
        f"/dans-ma-rue/signaler/details/?{details}",
        f"/dans-ma-rue/{report.reference}/",
        "/dans-ma-rue/carte/",
        "/dans-ma-rue/carte/?page=2",
        "/en/dans-ma-rue/carte/",
    ]


def test_pages_pass_axe_without_console_errors(city_visit, demo_report):
    assert_pages_clean(city_visit, pages(demo_report))


def test_pages_fit_a_phone_screen(city_phone_visit, demo_report):
    assert_pages_fit_phone(city_phone_visit, pages(demo_report))


def test_refused_step_one_shows_errors_next_to_fields(city_visit):
    """Step 2 reached without a type or a point re-shows step 1 with linked errors, in sight
    even while the family select hides the sub-types."""
    page = city_visit.page
    response = page.goto(city_visit.base_url + "/dans-ma-rue/signaler/details/")
    assert response.status == 400
    for name in ("category", "latitude", "longitude"):
        field = page.locator(f"#report-where [name={name}]")
        assert field.get_attribute("aria-invalid") == "true", name
        described = (field.get_attribute("aria-describedby") or "").split()
        assert any(page.locator(f"[id='{id_}']").is_visible() for id_ in described), name
    assert_current_page_clean(city_visit)


def test_report_with_the_keyboard_only(city_visit, demo_report):
    """Type, typed coordinates and the details, sent with Tab, arrows, typing and Enter."""
    page = city_visit.page
    city_visit.goto("/dans-ma-rue/signaler/")
    category = demo_report.category
    choose_with_keyboard(page, "#id_family", category.parent.name)
    choose_with_keyboard(page, "#id_category", category.name)
    press_until_focused(page, "#id_latitude")
    page.keyboard.type("48.85300")
    press_until_focused(page, "#id_longitude")
    page.keyboard.type("2.34700")
    press_until_focused(page, "#report-where [type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/signaler/details/" in page.url

    press_until_focused(page, "#id_description")
    page.keyboard.type("Une armoire abandonnée sur le trottoir.")
    press_until_focused(page, "#id_email")
    page.keyboard.type("passante@example.org")
    press_until_focused(page, "main form[enctype] [type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/dans-ma-rue/signaler/merci/"), page.url
    assert_current_page_clean(city_visit)


def test_map_click_sets_the_point_and_shows_nearby_reports(city_visit, demo_report):
    page = city_visit.page
    city_visit.goto("/dans-ma-rue/signaler/")
    category = demo_report.category
    page.select_option("#id_family", label=category.parent.name)
    page.select_option("#id_category", label=category.name)
    map_ = page.locator("#point-map")
    map_.wait_for(state="visible")
    map_.click()  # its centre: where the map starts, the centre of Paris

    assert abs(float(page.input_value("#id_latitude")) - float(CENTRE["latitude"])) < 0.001
    assert abs(float(page.input_value("#id_longitude")) - float(CENTRE["longitude"])) < 0.001
    assert page.locator("#point-map .leaflet-marker-icon").count() == 1
    nearby = page.locator("#nearby-live")
    nearby.get_by_role("link", name=demo_report.reference).wait_for()
    assert nearby.get_by_role("heading", level=2).count() == 1
    assert_current_page_clean(city_visit)
