"""Headless Debian Chromium driven by Playwright against pytest-django's live server."""

import base64
import os
import shutil
from dataclasses import dataclass, field

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made here
# (fixtures building the demo) are still synchronous and safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
# The demo's city site answers on 127.0.0.1 (its participation site on localhost).
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE_VIEWPORT = {"width": 375, "height": 812}
FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"
VERIFIED_RESIDENT = "habitant.verifie@paris.example"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    if executable is None:
        pytest.skip("Chromium not installed: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Visit:
    """A browser tab on the live server, with what its console printed."""

    page: object
    base_url: str
    console: list[str] = field(default_factory=list)

    def goto(self, path: str):
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.ok, (
            f"{path} answered {response and response.status}"
        )
        return response

    def csp_errors(self) -> list[str]:
        return [text for text in self.console if "Content Security Policy" in text]


@pytest.fixture
def demo_site(django_db_serialized_rollback, transactional_db, live_server):
    """The demo city, served by the live server.

    Serialized rollback restores what migrations created (Wagtail's root page, the
    locales) after each test's flush, as the demo builds on it.
    """
    load_demo()
    return live_server.url


def load_demo() -> None:
    """``lutetia demo`` with the tests' password hasher (tests/conftest.py), so the demo
    passwords work in the tests, and a new districts version first: the district lookup tree
    of an earlier demo, flushed since, must not answer for this one's districts."""
    from django.core.management import call_command
    from django.test import override_settings

    from lutetia.core.districts import version

    version.bump()
    with override_settings(PASSWORD_HASHERS=[FAST_HASHER]):
        call_command("demo", verbosity=0)


def _visit(browser, base_url, **context_options):
    context = browser.new_context(**context_options)
    page = context.new_page()
    visit = Visit(page=page, base_url=base_url)
    page.on(
        "console",
        lambda message: visit.console.append(
            f"{message.type}: {message.text} @ {message.location.get('url', '')}"
        ),
    )
    page.on("pageerror", lambda error: visit.console.append(f"pageerror: {error}"))
    return context, visit


@pytest.fixture
def visit(browser, demo_site):
    context, tab = _visit(browser, demo_site)
    yield tab
    context.close()


@pytest.fixture
def phone_visit(browser, demo_site):
    context, tab = _visit(
        browser, demo_site, viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True
    )
    yield tab
    context.close()


@pytest.fixture(scope="module")
def demo_city(django_db_setup, django_db_blocker):
    """The demo city loaded once for a whole module of page checks (loading takes a minute),
    served by a live server of the module's own.

    pytest-django's ``live_server`` would flush the database after every test, so the
    module runs its own server. Its tests are marked ``django_db(serialized_rollback=True)``:
    each runs in a transaction rolled back and reads the demo committed here, and the
    database's state after migrations is serialized, to start from and to restore at the end.
    """
    from django.core.management import call_command
    from django.db import connection
    from pytest_django.live_server_helper import LiveServer

    def back_to_migrated_state():
        # As TransactionTestCase does: sequences go on, past the ids deserialized next.
        call_command(
            "flush",
            verbosity=0,
            interactive=False,
            reset_sequences=False,
            inhibit_post_migrate=True,
        )
        connection.creation.deserialize_db_from_string(migrated_state)

    # pytest-django serialized the migrated database at set-up, but on the connection object of
    # that moment; once other tests have run, this thread may hold another one: serialize now
    # (earlier tests rolled their changes back, so the database is still as migrated).
    migrated_state = getattr(connection, "_test_serialized_contents", None)

    with django_db_blocker.unblock():
        if migrated_state is None:
            migrated_state = connection.creation.serialize_db_to_string()
        back_to_migrated_state()
        load_demo()
        server = LiveServer(os.environ["DJANGO_LIVE_TEST_SERVER_ADDRESS"])
        server._live_server_modified_settings.enable()
        try:
            yield server.url
        finally:
            server._live_server_modified_settings.disable()
            server.stop()
            back_to_migrated_state()


# A 1x1 transparent PNG answered for map tiles: the tests never reach the internet.
BLANK_TILE = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def _city_visit(browser, base_url, **context_options):
    context, tab = _visit(browser, base_url, **context_options)
    context.route(
        "https://*.tile.openstreetmap.org/**",
        lambda route: route.fulfill(body=BLANK_TILE, content_type="image/png"),
    )
    return context, tab


@pytest.fixture
def city_visit(browser, demo_city):
    context, tab = _city_visit(browser, demo_city)
    yield tab
    context.close()


@pytest.fixture
def city_phone_visit(browser, demo_city):
    context, tab = _city_visit(
        browser, demo_city, viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True
    )
    yield tab
    context.close()


@pytest.fixture
def resident_visit(city_visit):
    """A tab signed in as the demo's verified resident."""
    sign_in(city_visit)
    return city_visit


@pytest.fixture
def resident_phone_visit(city_phone_visit):
    sign_in(city_phone_visit)
    return city_phone_visit


def wcag_violations(page) -> list[str]:
    """axe-core's violations of WCAG 2.1 A/AA rules, each with its impact and targets."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}}
    results = Axe().run(page, options=options)
    return [
        f"{violation['id']} ({violation['impact']}): "
        + ", ".join(str(node["target"]) for node in violation["nodes"])
        for violation in results.response["violations"]
    ]


def console_problems(visit: Visit) -> list[str]:
    """Console errors (CSP violations among them) and uncaught script errors, then forgets
    them so that the next page starts clean."""
    visit.page.wait_for_load_state("networkidle")
    # A refused form answers 400 by design: Chromium reports it as a failed load of the page.
    own_status = "error: Failed to load resource: the server responded with a status of 4"
    problems = [
        line
        for line in visit.console
        if line.startswith(("error", "pageerror"))
        and not (line.startswith(own_status) and line.endswith(f" @ {visit.page.url}"))
    ]
    visit.console.clear()
    return problems


def sideways_overflow(page) -> int:
    """How many pixels the page scrolls sideways (0 when it fits the viewport)."""
    page.wait_for_load_state("networkidle")
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def page_problems(visit: Visit, path: str | None = None) -> list[str]:
    """Console errors and WCAG violations of ``path`` (or of the page already in the tab)."""
    if path is not None:
        visit.goto(path)
    return [
        f"{visit.page.url}: {problem}"
        for problem in console_problems(visit) + wcag_violations(visit.page)
    ]


def phone_problems(visit: Visit, path: str) -> list[str]:
    """What is wrong with ``path`` on a phone: sideways scrolling."""
    visit.goto(path)
    overflow = sideways_overflow(visit.page)
    return [f"{path} scrolls sideways by {overflow}px at 375px wide"] if overflow > 0 else []


def assert_pages_clean(visit: Visit, paths: list[str]) -> None:
    problems = [problem for path in paths for problem in page_problems(visit, path)]
    assert not problems, "\n".join(problems)


def assert_pages_fit_phone(visit: Visit, paths: list[str]) -> None:
    problems = [problem for path in paths for problem in phone_problems(visit, path)]
    assert not problems, "\n".join(problems)


def assert_current_page_clean(visit: Visit) -> None:
    problems = page_problems(visit)
    assert not problems, "\n".join(problems)


def sign_in(visit: Visit, email: str = VERIFIED_RESIDENT) -> None:
    """Sign in through the login page, so the session is the live server's own write
    (a test's own writes stay in its transaction, out of the server's sight on PostgreSQL)."""
    from lutetia.core.demo_city import DEMO_PASSWORD

    visit.goto("/accounts/login/")
    visit.page.fill("main [name=login]", email)
    visit.page.fill("main [name=password]", DEMO_PASSWORD)
    with visit.page.expect_navigation():
        visit.page.locator("main form").filter(has=visit.page.locator("[name=password]")).locator(
            "[type=submit]"
        ).first.click()
    assert "/accounts/login/" not in visit.page.url, visit.page.locator("main").inner_text()


def press_until_focused(page, selector: str, limit: int = 60) -> None:
    """Tab through the page until ``selector`` has the focus, as a keyboard user does."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.matches({selector!r})"):
            return
    raise AssertionError(f"Tab never reaches {selector}")


def choose_with_keyboard(page, selector: str, label: str) -> None:
    """Focus a select with Tab and move through its options with the arrow keys."""
    press_until_focused(page, selector)
    for _ in range(200):
        if page.evaluate("document.activeElement.selectedOptions[0].text") == label:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{selector}: no option {label!r}")
