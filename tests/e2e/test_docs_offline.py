"""``/docs`` and ``/redoc`` in headless Chromium with every request off this machine
blocked: both render the API from the product's own assets, nothing is fetched from
another origin, and the Content-Security-Policy they are served under blocks nothing
they need (the one violation is ReDoc's own badge from its CDN, which it must block)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, Request, Route, sync_playwright

from api.app import create_app
from tests.api.conftest import LiveServer, make_settings
from tests.e2e.test_portal import CHROMIUM, _launch


@pytest.fixture(scope="module")
def docs_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The product's app (no model needed for its documentation pages)."""
    settings = make_settings(tmp_path_factory.mktemp("docs-e2e"))
    with LiveServer(create_app(settings)) as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run tests/e2e/install_browser.sh")
    with sync_playwright() as pw:
        yield _launch(pw)


class Offline:
    """A page whose requests may only reach the test server; what else it tried and
    what the browser said about the CSP are kept."""

    def __init__(self, browser: Browser, origin: str) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.origin = origin
        self.elsewhere: list[str] = []
        self.console: list[str] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._only_here)
        self.page: Page = self.context.new_page()
        self.page.on("console", lambda m: self.console.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _only_here(self, route: Route, request: Request) -> None:
        if request.url.startswith((self.origin, "data:", "blob:")):
            route.continue_()
        else:
            self.elsewhere.append(request.url)
            route.abort()

    def violations(self) -> list[str]:
        return [m for m in self.console if "Content Security Policy" in m]


@pytest.fixture
def offline(browser: Browser, docs_server: LiveServer) -> Iterator[Offline]:
    session = Offline(browser, docs_server.url)
    yield session
    session.context.close()


def test_swagger_ui_renders_offline_under_its_csp(
    offline: Offline, docs_server: LiveServer
) -> None:
    offline.page.goto(f"{docs_server.url}/docs")
    offline.page.wait_for_selector(".opblock-summary-path", timeout=30_000)
    paths = offline.page.locator(".opblock-summary-path").all_inner_texts()
    assert any(p.replace("\u200b", "") == "/v1/recommendations" for p in paths)
    assert (offline.elsewhere, offline.violations(), offline.errors) == ([], [], [])


def test_redoc_renders_offline_under_its_csp(offline: Offline, docs_server: LiveServer) -> None:
    offline.page.goto(f"{docs_server.url}/redoc")
    offline.page.wait_for_selector("h1", timeout=30_000)
    offline.page.wait_for_function(
        "document.body.innerText.includes('/v1/recommendations/batch')", timeout=30_000
    )
    assert "SME programme recommender" in offline.page.locator("h1").first.inner_text()
    # ReDoc's own "by Redocly" badge points at its CDN: the CSP is what stops it
    blocked = [v for v in offline.violations() if "cdn.redoc.ly/redoc/logo-mini.svg" not in v]
    assert (offline.elsewhere, blocked, offline.errors) == ([], [], [])


def test_the_pages_are_not_blank(offline: Offline, docs_server: LiveServer) -> None:
    offline.page.goto(f"{docs_server.url}/docs")
    offline.page.wait_for_selector(".opblock", timeout=30_000)
    assert offline.page.locator(".opblock").count() >= 13
