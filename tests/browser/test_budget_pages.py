"""The participatory budget in a real browser: ideas list, idea page and form (with its map
point), the voting page; axe-core (WCAG 2.1 A/AA), console, phone width."""

import re

import pytest

from lutetia.services.budget.demo import CITY_WIDE, IDEAS_SLUG, SLUG
from tests.browser.conftest import (
    assert_current_page_clean,
    assert_pages_clean,
    assert_pages_fit_phone,
)

# Serialized rollback: see the demo_city fixture.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(serialized_rollback=True)]

IDEAS = f"/budget-participatif/campagnes/{IDEAS_SLUG}/idees/"


@pytest.fixture(scope="module")
def budget_demo(demo_city):
    """The demo's paths: an idea with a point and a voting envelope."""
    from lutetia.services.budget.models import Envelope, Idea

    idea = Idea.objects.filter(campaign__slug=IDEAS_SLUG, latitude__isnull=False).first()
    envelope = Envelope.objects.filter(campaign__slug=SLUG).order_by("pk").first()
    return {
        "paths": [
            "/budget-participatif/",
            IDEAS,
            f"/budget-participatif/idees/{idea.pk}/",
            f"/budget-participatif/enveloppes/{envelope.pk}/",
        ],
        "envelope": envelope,
    }


def test_pages_pass_axe_without_console_errors(city_visit, budget_demo):
    assert_pages_clean(city_visit, budget_demo["paths"])


def test_signed_in_pages_pass_axe(resident_visit, budget_demo):
    """The idea form and the ballot as the verified resident sees them."""
    paths = [f"{IDEAS}proposer/", f"/budget-participatif/enveloppes/{budget_demo['envelope'].pk}/"]
    assert_pages_clean(resident_visit, paths)


def test_pages_fit_a_phone_screen(resident_phone_visit, budget_demo):
    assert_pages_fit_phone(resident_phone_visit, [*budget_demo["paths"], f"{IDEAS}proposer/"])


def test_idea_form_map_click_sets_the_point(resident_visit):
    page = resident_visit.page
    resident_visit.goto(f"{IDEAS}proposer/")
    map_ = page.locator("#idea-map")
    map_.wait_for(state="visible")
    map_.click()  # its centre: where the map starts, the centre of Paris
    assert abs(float(page.input_value("#id_latitude")) - 48.8566) < 0.001
    assert abs(float(page.input_value("#id_longitude")) - 2.3522) < 0.001
    assert page.locator("#idea-map .leaflet-marker-icon").count() == 1

    page.fill("#id_title", "Des bancs le long du canal")
    page.fill("#id_description", "Des bancs à l'ombre tous les cent mètres.")
    city_wide = page.locator("#id_envelope option", has_text=CITY_WIDE).get_attribute("value")
    page.select_option("#id_envelope", city_wide)
    page.fill("#id_estimated_cost", "20000")
    page.select_option("#id_theme", index=1)
    with page.expect_navigation():
        page.locator("main form [type=submit]").click()
    assert re.search(r"/idees/\d+/$", page.url), page.url
    assert "Des bancs le long du canal" in page.get_by_role("heading", level=1).inner_text()
    assert_current_page_clean(resident_visit)
