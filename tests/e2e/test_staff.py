"""The staff pages in a real browser: headless Chromium (Debian's) driven by Playwright,
against the product's own app served by uvicorn on 127.0.0.1.

The caseworker's main path - sign in, find a firm, open its list, record feedback - in
English at desktop width and in Korean at phone width. Screenshots go to
``tests/artifacts/``; the ones the README shows are copied to ``docs/screenshots/``.
A missing browser fails these tests (``tests/e2e/install_browser.sh``), never skips.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from api.app import create_app
from api.staff.i18n import StaffTranslator
from recommender.adapters.registry import Registry
from recommender.adapters.store import (
    create_key,
    dispose_engines,
    get_engine,
    import_dataset,
    session_scope,
    upgrade_database,
)
from recommender.settings import Settings
from recommender.simulate import simulate_world
from tests.api.conftest import LiveServer
from tests.e2e.test_portal import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    PHONE,
    no_horizontal_scroll,
    shot,
)
from tests.signing import TEST_SIGNING_KEY
from training.local import train_version

EN, KO = StaffTranslator("en"), StaffTranslator("ko")
# Stored firms carry names a caseworker searches by; give a few of the demo's theirs.
NAMED_FIRMS = {
    "F000001": ("Hanbit Precision", "수원시"),
    "F000002": ("한빛정밀 주식회사", "포천시"),
    "F000003": ("Daehan Bio Lab", "유성구"),
}


@dataclass(frozen=True)
class Site:
    """The served app and a caseworker key for it."""

    url: str
    key: str


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The product's app on a demo world whose firms have names, served by uvicorn."""
    root = tmp_path_factory.mktemp("staff-e2e")
    settings = Settings(
        var_dir=root / "var",
        models_dir=root / "models",
        signing_key=TEST_SIGNING_KEY,
        rate_limit_per_minute=1000,
        champion_poll_seconds=30,
    )
    ds = simulate_world(n_firms=300, seed=1).dataset
    firms = ds.firms.copy()
    for firm_id, (name, district) in NAMED_FIRMS.items():
        firms.loc[firms["firm_id"] == firm_id, ["firm_name", "district"]] = [name, district]
    ds = dataclasses.replace(ds, firms=firms)
    upgrade_database(settings.db_url)
    engine = get_engine(settings.db_url)
    import_dataset(engine, ds)
    with session_scope(engine) as session:
        key = create_key(session, name="caseworker-kim", role="caseworker")
    train_version(  # a fixed version name keeps the screenshots stable from run to run
        ds,
        registry=Registry(settings.models_dir, signing_key=TEST_SIGNING_KEY),
        version="demo-staff",
        run_evaluation=False,
        objective="regression",
    )
    with LiveServer(create_app(settings)) as server:
        yield Site(server.url, key)
    dispose_engines()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's headless Chromium; a missing browser is a failure, not a skip."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run tests/e2e/install_browser.sh")
    with sync_playwright() as pw:
        yield pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)


def _refusal(kind: str, text: str) -> bool:
    """A console error other than the browser noting a page's own error status (the
    sign-in form answers a wrong key with 401): a CSP refusal, a failed asset."""
    return kind == "error" and "the server responded with a status of 401" not in text


def _page(browser: Browser, **context: object) -> Iterator[Page]:
    ctx = browser.new_context(**context)  # type: ignore[arg-type]
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if _refusal(m.type, m.text) else None)
    yield page
    ctx.close()
    assert errors == []  # no script error, nothing refused by the CSP


@pytest.fixture
def desktop(browser: Browser) -> Iterator[Page]:
    yield from _page(browser, viewport=DESKTOP, locale="en-GB")


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    yield from _page(
        browser,
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="ko-KR",
    )


def sign_in(page: Page, site: Site, tr: StaffTranslator) -> None:
    page.goto(site.url + "/staff/firms")  # no session yet: the sign-in form
    expect(page.locator("h1")).to_have_text(tr("staff.title_sign_in"))
    page.get_by_label(tr("staff.api_key_label")).fill(site.key)
    page.click("#sign-in")
    expect(page.locator("h1")).to_have_text(tr("staff.title_firms"))


def find_and_open(page: Page, tr: StaffTranslator, query: str, name: str) -> None:
    page.get_by_label(tr("staff.search_label")).fill(query)
    page.click("#search")
    row = page.locator(".firms-table tbody tr")
    expect(row).to_have_count(1)
    row.get_by_role("link", name=name).click()
    expect(page.locator("h1")).to_have_text(name)


def record_feedback(page: Page, tr: StaffTranslator, status: str, note: str) -> str:
    """Record feedback on the list's first programme; its name."""
    first = page.locator("ol.programmes > li").first
    name = first.locator(".programme__name").inner_text()
    first.get_by_label(tr("staff.status_label")).select_option(status)
    first.get_by_label(tr("staff.note_label")).fill(note)
    first.get_by_role("button", name=tr("staff.record_button")).click()
    notice = tr("staff.done_feedback", status=tr(f"staff.statuses.{status}"))
    expect(page.locator("#done")).to_have_text(notice)
    expect(page.locator(".feedback-table tbody tr").first).to_contain_text(note)
    return name


def test_a_caseworker_finds_a_firm_and_records_feedback_in_english(
    site: Site, desktop: Page
) -> None:
    page = desktop
    sign_in(page, site, EN)
    shot(page, "staff-firms-en-desktop.png", readme="staff-firms-en-desktop.png")
    find_and_open(page, EN, "hanbit prec", "Hanbit Precision")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".cap-table tbody tr")).to_have_count(12)
    cards = page.locator("ol.programmes > li")
    expect(cards.first).to_be_visible()
    assert 3 <= cards.count() <= 10  # the firm's eligible programmes, at most ten
    expect(cards.first.locator(".reasons li").first).not_to_be_empty()
    shot(
        page,
        "staff-firm-en-desktop.png",
        readme="staff-firm-en-desktop.png",
        until="#list-heading ~ ol > li:nth-child(2)",
    )
    name = record_feedback(page, EN, "contacted", "Called the CEO; wants the guidelines")
    # the same firm's outreach list of that programme, feedback in place there too
    page.locator("ol.programmes > li").first.get_by_role(
        "link", name=EN("staff.outreach_link")
    ).click()
    expect(page.locator("h1")).to_contain_text(EN("staff.title_outreach", name=name))
    expect(page.locator("ol.candidates > li").first.locator(".reasons li").first).not_to_be_empty()
    shot(page, "staff-outreach-en-desktop.png", until="ol.candidates > li:nth-child(2)")
    page.click("#sign-out")
    expect(page.locator(".notice")).to_have_text(EN("staff.signed_out"))
    page.goto(site.url + "/staff/firms")
    expect(page.locator("h1")).to_have_text(EN("staff.title_sign_in"))


def test_the_same_path_in_korean_at_phone_width(site: Site, phone: Page) -> None:
    page = phone
    sign_in(page, site, KO)  # the browser asks for Korean
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    assert no_horizontal_scroll(page)
    find_and_open(page, KO, "한빛", "한빛정밀 주식회사")
    expect(page.locator(".cap-table tbody tr")).to_have_count(12)
    expect(page.locator("#list-heading")).to_contain_text("추천 사업 순위")
    assert no_horizontal_scroll(page)
    record_feedback(page, KO, "interested", "대표와 통화, 신청 희망")
    assert no_horizontal_scroll(page)
    shot(
        page,
        "staff-firm-ko-phone.png",
        readme="staff-firm-ko-phone.png",
        until="ol.programmes > li:nth-child(1)",
    )
    firm_page = page.url.split("#")[0]
    page.locator("ol.programmes > li").first.get_by_role(
        "link", name=KO("staff.outreach_link")
    ).click()
    expect(page.locator("ol.candidates > li").first).to_be_visible()
    assert no_horizontal_scroll(page)
    page.get_by_role("link", name=KO("staff.nav_allocations")).click()
    expect(page.locator("h1")).to_have_text(KO("staff.title_allocations"))
    page.click("#run-allocation")
    expect(page.locator("#done")).to_be_visible()
    expect(page.locator(".assignments-table tbody tr").first).to_be_visible()
    assert no_horizontal_scroll(page)
    shot(page, "staff-allocation-ko-phone.png", until=".seats-table")
    page.goto(firm_page)
    page.get_by_role("link", name=KO("ui.switch_label")).click()  # to English, same firm
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#list-heading")).to_contain_text("Ranked programmes for")


A11Y_CHECK = """() => {
  const problems = [];
  for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
    if (!el.labels || el.labels.length === 0) problems.push('no label: ' + (el.id || el.name));
  }
  const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
  const twice = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (twice.length) problems.push('ids twice: ' + [...new Set(twice)].join(', '));
  const levels = [...document.querySelectorAll('h1, h2, h3, h4')].map(h => +h.tagName[1]);
  if (levels.filter(l => l === 1).length !== 1) problems.push('h1 count ' + levels.join(''));
  levels.forEach((l, i) => { if (i && l > levels[i - 1] + 1) problems.push('skip to h' + l); });
  if (!document.documentElement.lang) problems.push('no lang');
  return problems;
}"""


def test_every_page_labels_its_controls_and_keeps_its_headings_in_order(
    site: Site, desktop: Page
) -> None:
    page = desktop
    page.goto(site.url + "/staff/sign-in")
    problems_signed_out = page.evaluate(A11Y_CHECK)
    sign_in(page, site, EN)
    visited = [page.url]
    find_and_open(page, EN, "F000003", "Daehan Bio Lab")
    visited.append(page.url)
    page.locator("ol.programmes > li").first.get_by_role(
        "link", name=EN("staff.outreach_link")
    ).click()
    visited.append(page.url)
    page.goto(site.url + "/staff/allocations")
    visited.append(page.url)
    problems: dict[str, list[str]] = {}
    for url in visited:  # sign-in form, firms, a firm, its outreach list, allocations
        page.goto(url)
        problems[url] = page.evaluate(A11Y_CHECK)
    assert problems_signed_out == []
    assert len(problems) == 4 and all(v == [] for v in problems.values()), problems


def test_keyboard_focus_starts_at_the_skip_link_and_reaches_the_key(
    site: Site, desktop: Page
) -> None:
    page = desktop
    page.goto(site.url + "/staff/sign-in")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Enter")  # to the main content, then the first control there
    page.keyboard.press("Tab")
    expect(page.locator("#f-api_key")).to_be_focused()
    expect(page.locator("#f-api_key")).to_have_attribute("type", "password")


def test_a_wrong_key_is_named_beside_the_field(site: Site, desktop: Page) -> None:
    page = desktop
    page.goto(site.url + "/staff/sign-in")
    page.get_by_label(EN("staff.api_key_label")).fill("rk_wrong")
    page.click("#sign-in")
    expect(page.locator("#f-api_key-error")).to_contain_text(EN("staff.sign_in_failed"))
    expect(page.locator("#f-api_key")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-api_key")).to_be_focused()
