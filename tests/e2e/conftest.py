"""Playwright (Python) driving the system Chromium against pytest-django's live server."""

from __future__ import annotations

import os
import re
import shutil
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.factories import PASSWORD

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# No internet here: without these flags Chromium keeps trying to reach Google's services.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {
    "viewport": {"width": 375, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
LAPTOP = {"viewport": {"width": 1280, "height": 900}}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        message = f"Chromium not found at {CHROMIUM}: apt-get install chromium"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls in the
    # tests are still plain synchronous calls. Undone afterwards: later tests start
    # subprocesses that must not inherit it.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


# The console's lines about one request a test made fail (`failed_fetch(n)`: n of them, each
# line once per request; a line missing fails the test as an error left over would).
FAILED_FETCH = (
    re.compile(r"htmx:sendError, "),
    re.compile(r"htmx:afterRequest, "),
    re.compile(r"Failed to load resource: net::ERR_FAILED$"),
)


def log_in(page: Any, base: str, email: str, *, landing: str = r"/today/$") -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(landing))


@pytest.fixture(params=[LAPTOP, PHONE], ids=["laptop", "phone"])
def page(request: pytest.FixtureRequest, browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="de-DE", timezone_id="Europe/Berlin", **request.param)
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    yield page
    context.close()
    _let_requests_finish()
    marker = request.node.get_closest_marker("failed_fetch")
    for _ in range(marker.args[0] if marker else 0):  # what htmx and Chromium say of each, once
        for line in FAILED_FETCH:
            said = next((error for error in errors if line.match(error)), None)
            assert said is not None, f"a failed fetch without {line.pattern!r} in the console: {errors}"
            errors.remove(said)
    assert errors == [], f"the page reported errors: {errors}"


def _let_requests_finish(within: float = 15.0) -> None:
    """Wait for the live server's request threads before the test's tables are emptied.

    A page closed while its lazy parts were loading leaves their requests running on the
    server. pytest-django then empties every table with one TRUNCATE, which can deadlock
    with such a request's reads, and PostgreSQL may give up the TRUNCATE: the next test
    fails on "couldn't be flushed". The server starts a daemon thread per connection and
    keeps no list of them; Python names each after its target. A keep-alive connection's
    thread ends once the closed browser's socket does.
    """
    deadline = time.monotonic() + within
    for thread in threading.enumerate():
        if thread.name.endswith("(process_request_thread)"):
            thread.join(max(0.0, deadline - time.monotonic()))
            assert not thread.is_alive(), f"a request to the live server still runs after {within} s"


def no_sideways_scroll(tab: Any) -> None:
    """The page is no wider than the device. Against the viewport's width: a phone's browser
    widens window.innerWidth to a page that is too wide (and zooms out), so comparing with it
    passes the very page that scrolls."""
    width = tab.evaluate("document.documentElement.scrollWidth")
    assert width <= tab.viewport_size["width"], f"{tab.url} is {width} px wide"


def go_by_menu(page: Any, href: str) -> None:
    """Click a link of the main menu, opening it first where it is folded (a phone)."""
    toggle = page.locator("header .menu-toggle > summary")
    if toggle.is_visible() and page.locator("nav.mainnav").is_hidden():
        toggle.click()
    page.click(f"nav.mainnav a[href='{href}']")
