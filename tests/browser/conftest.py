"""Headless Debian Chromium driven by Playwright against pytest-django's live server."""

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
    from django.core.management import call_command

    call_command("demo", verbosity=0)
    return live_server.url


def _visit(browser, base_url, **context_options):
    context = browser.new_context(**context_options)
    page = context.new_page()
    visit = Visit(page=page, base_url=base_url)
    page.on("console", lambda message: visit.console.append(f"{message.type}: {message.text}"))
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
