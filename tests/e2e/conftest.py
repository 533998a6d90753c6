"""Browser journeys: Playwright drives Debian's Chromium (never a downloaded browser) against
pytest-django's live_server, and axe-core checks every page a journey visits."""

from __future__ import annotations

import os

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

# Playwright's sync API runs an event loop in this thread; the ORM calls that the test itself makes
# (creating data) are ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    # Tests reach nothing beyond loopback: every other host name fails to resolve at once.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser(chromium_path_session):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path_session, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def chromium_path_session():
    from tests.conftest import CHROMIUM, require

    require(os.path.exists(CHROMIUM), "Debian's chromium")
    return CHROMIUM


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="sv-SE", timezone_id="Europe/Stockholm")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


class AxeChecker:
    def __init__(self) -> None:
        self.axe = Axe()

    def assert_no_serious_violations(self, page) -> None:
        results = self.axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        serious = [
            violation
            for violation in results.response["violations"]
            if violation.get("impact") in {"serious", "critical"}
        ]
        details = "\n".join(
            f"{v['id']} ({v['impact']}): {v['help']} – {[n['target'] for n in v['nodes']][:3]}"
            for v in serious
        )
        assert not serious, f"axe hittade allvarliga brister på {page.url}:\n{details}"


@pytest.fixture
def axe():
    return AxeChecker()
