"""The public pages in a real browser: landmarks, keyboard use, forms, axe-core, CSP.

Each test loads the whole demo city (the live server needs a transactional database,
flushed after every test), so each test checks one page thoroughly.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.browser

BLOCKING_IMPACTS = {"serious", "critical"}
SIGNUP_FIELDS = ["email", "password1", "password2"]


def assert_no_serious_violation(page) -> None:
    """axe-core finds nothing serious or critical; otherwise list each rule and its targets."""
    results = Axe().run(page)
    violations = [
        f"{violation['id']} ({violation['impact']}): "
        + ", ".join(str(node["target"]) for node in violation["nodes"])
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]
    assert not violations, f"axe-core on {page.url}:\n" + "\n".join(violations)


def assert_clean_console(visit) -> None:
    """No Content Security Policy violation and no uncaught script error."""
    visit.page.wait_for_load_state("networkidle")
    problems = visit.csp_errors() + [line for line in visit.console if line.startswith("pageerror")]
    assert not problems, "\n".join(problems)


def submit_signup_without_browser_validation(page) -> None:
    """Post the form as a browser without constraint validation would, to see server errors."""
    form = page.locator("main form").filter(has=page.locator("[name=email]"))
    form.evaluate("form => { form.noValidate = true; }")
    with page.expect_navigation():
        form.locator("[type=submit]").first.click()


def assert_error_linked(page, name: str) -> None:
    """The field's error sits next to it and is announced with it (aria-describedby)."""
    field = page.locator(f"main [name={name}]")
    described_by = (field.get_attribute("aria-describedby") or "").split()
    errors = [page.locator(f"[id='{id_}']") for id_ in described_by]
    errors = [error for error in errors if error.count()]
    assert errors, f"{name}: aria-describedby={described_by} points at nothing"
    assert field.get_attribute("aria-invalid") == "true", f"{name} is not marked aria-invalid"
    beside = field.evaluate(
        "(input, ids) => ids.some(id => input.parentElement.contains(document.getElementById(id)))",
        described_by,
    )
    assert beside, f"{name}: its error is not next to the field"
    assert any(error.is_visible() and error.inner_text().strip() for error in errors), (
        f"{name}: the linked error is empty or hidden"
    )


def test_home_page(visit):
    visit.goto("/")
    assert "Paris" in visit.page.title()
    assert visit.page.locator("main#main").count() == 1
    assert visit.page.get_by_role("heading", level=1).count() == 1

    visit.page.keyboard.press("Tab")
    skip_link = visit.page.locator(".skip-link")
    assert skip_link.evaluate("link => link === document.activeElement"), "Tab misses the skip link"
    assert skip_link.is_visible(), "the skip link stays hidden when focused"
    visit.page.keyboard.press("Enter")
    visit.page.wait_for_function("document.activeElement && document.activeElement.id === 'main'")

    assert_clean_console(visit)
    assert_no_serious_violation(visit.page)


def test_signup_form(visit):
    visit.goto("/accounts/signup/")
    assert_clean_console(visit)
    assert_no_serious_violation(visit.page)

    submit_signup_without_browser_validation(visit.page)
    for name in SIGNUP_FIELDS:
        assert_error_linked(visit.page, name)
    assert_no_serious_violation(visit.page)

    visit.page.fill("main [name=email]", "lea.dupont@example.org")
    submit_signup_without_browser_validation(visit.page)
    assert visit.page.input_value("main [name=email]") == "lea.dupont@example.org"
    assert_error_linked(visit.page, "password1")
    assert_clean_console(visit)


def test_home_page_fits_a_phone_screen(phone_visit):
    phone_visit.goto("/")
    phone_visit.page.wait_for_load_state("networkidle")
    phone_visit.page.screenshot(path="/tmp/lutetia-home-phone.png", full_page=True)
    overflow = phone_visit.page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at 375px wide"
