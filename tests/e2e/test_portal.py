"""The partner portal in a real browser: headless Chromium (Debian's) driven by Playwright,
against the product's own app served by uvicorn on 127.0.0.1.

The browser comes from ``tests/e2e/install_browser.sh`` (``make test`` runs it); when it
is missing these tests fail - they never skip. Screenshots go to ``tests/artifacts/``; the
four shown in the README are copied to ``docs/screenshots/``.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

from api.app import create_app
from api.portal.i18n import Translator
from recommender.adapters.registry import Registry
from recommender.adapters.store import dispose_engines, get_engine, import_dataset, upgrade_database
from recommender.settings import Settings
from recommender.simulate import simulate_world
from tests.api.conftest import LiveServer
from tests.signing import TEST_SIGNING_KEY
from training.local import train_version

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
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
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
EN, KO = Translator("en"), Translator("ko")
# Partner catalogues carry Korean names and announcement links; give the demo two.
KOREAN_PROGRAMMES = {
    "consulting": (
        "중소기업 기술경영 컨설팅 지원사업",
        "https://www.bizinfo.go.kr/web/lay1/bbs/S1T122C128/AS/74/list.do",
    ),
    "rnd_planning": (
        "기업부설연구소 R&D 기획역량 강화사업",
        "https://www.bizinfo.go.kr/web/lay1/bbs/S1T122C128/AS/74/list.do",
    ),
}
FIRM: dict[str, Any] = {
    "sector": "mfg_high_tech",
    "region": "gyeonggi",
    "founded_year": "2012",
    "employees": "42",
    "revenue_krw_m": "8500",
    "revenue_growth_pct": "7",
    "export_share_pct": "25",
    "rnd_spend_krw_m": "640",
    "researchers": "6",
    "patents": "3",
    "caps": {
        "cap_tech_planning": 2,
        "cap_rnd_execution": 3,
        "cap_commercialization": 2,
        "cap_marketing": 2,
        "cap_hr_skills": 3,
        "cap_funding_access": 2,
        "cap_internal_coordination": 3,
        "cap_nontech_innovation": 2,
        "cap_tech_acquisition": 4,
        "cap_global_orientation": 3,
        "cap_global_partnerships": 1,
    },  # cap_feedback left unanswered
}
TEXT_FIELDS = (
    "founded_year",
    "employees",
    "revenue_krw_m",
    "revenue_growth_pct",
    "export_share_pct",
    "rnd_spend_krw_m",
    "researchers",
    "patents",
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The product's app on a demo world, served by uvicorn in a thread."""
    root = tmp_path_factory.mktemp("portal-e2e")
    settings = Settings(
        var_dir=root / "var",
        models_dir=root / "models",
        signing_key=TEST_SIGNING_KEY,
        rate_limit_per_minute=1000,
        champion_poll_seconds=30,
    )
    ds = simulate_world(n_firms=300, seed=1).dataset
    programmes = ds.programmes.copy()
    for ptype, (name, url) in KOREAN_PROGRAMMES.items():
        row = programmes.index[
            (programmes["year"] == 2024) & (programmes["programme_type"] == ptype)
        ][0]
        programmes.loc[row, ["name", "url"]] = [name, url]
    ds = dataclasses.replace(ds, programmes=programmes)
    upgrade_database(settings.db_url)
    import_dataset(get_engine(settings.db_url), ds)
    # a fixed version name keeps the screenshots byte-stable from run to run
    train_version(
        ds,
        registry=Registry(settings.models_dir, signing_key=TEST_SIGNING_KEY),
        version="demo-portal",
        run_evaluation=False,
        objective="regression",
    )
    with LiveServer(create_app(settings)) as server:
        yield server.url
    dispose_engines()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's headless Chromium; a missing browser is a failure, not a skip."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run tests/e2e/install_browser.sh "
            "(apt-get install chromium fonts-noto-cjk)"
        )
    with sync_playwright() as pw:
        yield _launch(pw)


def _launch(pw: Playwright) -> Browser:
    return pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP, locale="en-GB", accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == []  # the page's JavaScript never throws


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="ko-KR"
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == []


def shot(
    page: Page,
    name: str,
    *,
    full_page: bool = True,
    readme: str | None = None,
    until: str | None = None,
) -> Path:
    """Save a screenshot under tests/artifacts (and a copy for the README when named).

    ``until`` names an element: the picture then runs from the top of the page to
    just below it.
    """
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    if until is not None:
        bottom = page.evaluate(
            "sel => { const r = document.querySelector(sel).getBoundingClientRect();"
            " return r.bottom + window.scrollY; }",
            until,
        )
        width = page.viewport_size["width"] if page.viewport_size else DESKTOP["width"]
        page.screenshot(
            path=str(path),
            full_page=True,
            clip={"x": 0, "y": 0, "width": width, "height": bottom + 24},
        )
    else:
        page.screenshot(path=str(path), full_page=full_page)
    if readme is not None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, SCREENSHOTS / readme)
    return path


def fill_form(page: Page, firm: dict[str, Any] = FIRM) -> None:
    """Answer the form the way a person does: choose, type, tick, click ratings."""
    page.select_option("#f-sector", firm["sector"])
    page.select_option("#f-region", firm["region"])
    for name in TEXT_FIELDS:
        page.fill(f"#f-{name}", firm[name])
    page.check("#f-has_rnd_lab")
    for cap, rating in firm["caps"].items():
        page.click(f"label[for='f-{cap}-{rating}']")


def no_horizontal_scroll(page: Page) -> bool:
    return bool(
        page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
    )


# --- the journey --------------------------------------------------------------------------
def test_a_firm_gets_ranked_explained_programmes(server: str, page: Page) -> None:
    page.goto(server + "/")
    expect(page.locator("h1")).to_have_text(EN("ui.title_form"))
    expect(page.locator("#f-year")).to_have_value("2024")
    fill_form(page)
    shot(page, "portal-form-filled-en-desktop.png")
    page.click("#submit-answers")
    expect(page.locator("h1")).to_have_text(EN("ui.title_results"))

    cap_rows = page.locator(".cap-table tbody tr")
    expect(cap_rows).to_have_count(12)
    expect(cap_rows.first.locator("td.num").first).to_have_text("2")  # own rating shown
    ranked = page.locator("ol.programmes > li.programme")
    assert ranked.count() >= 3
    first = ranked.first
    expect(first.locator(".programme__rank")).to_have_text(EN("ui.rank", rank=1))
    expect(first.locator("li.reason")).to_have_count(3)
    assert all(t.strip() for t in first.locator("li.reason").all_inner_texts())
    assert first.locator(".factor-table tr").count() >= 5
    assert first.locator(".factor-table rect").first.bounding_box() is not None
    # what the firm cannot join is summarised by reason; a group opens to its programmes
    cannot = page.locator("#ineligible li.programme--ineligible").first
    expect(cannot).to_be_hidden()
    page.locator("#ineligible details.ineligible-group > summary").first.click()
    expect(cannot).to_be_visible()
    expect(page.locator("#ineligible .ineligible-reasons li").first).not_to_be_empty()
    # a Korean programme name is shown as it is, with its announcement link
    page.evaluate("document.querySelectorAll('#ineligible details').forEach(d => d.open = true)")
    korean = page.get_by_text(KOREAN_PROGRAMMES["consulting"][0])
    expect(korean.first).to_be_visible()
    expect(page.locator("a[rel~='external']").first).to_have_attribute(
        "href", KOREAN_PROGRAMMES["consulting"][1]
    )
    shot(page, "portal-results-en-desktop.png")
    shot(
        page,
        "portal-results-en-desktop-top.png",
        until="#programme-2",
        readme="portal-results-en.png",
    )


def test_a_refused_answer_is_shown_beside_its_field(server: str, page: Page) -> None:
    page.goto(server + "/portal")
    fill_form(page)
    page.fill("#f-employees", "about forty")
    page.click("#submit-answers")
    error = page.locator("#f-employees-error")
    expect(error).to_contain_text(EN("errors.integer"))
    field = page.locator("#f-employees")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_value("about forty")
    box_error, box_field = error.bounding_box(), field.bounding_box()
    assert box_error is not None and box_field is not None
    assert 0 <= box_field["y"] - box_error["y"] < 80  # right above the input, same column
    assert abs(box_field["x"] - box_error["x"]) < 5
    # focus starts on the summary, whose link leads to the field
    assert page.evaluate("document.activeElement.id") == "error-summary"
    page.click("#error-summary a")
    assert page.evaluate("document.activeElement.id") == "f-employees"
    shot(
        page,
        "portal-validation-error-desktop.png",
        until=".field--error",
        readme="portal-validation.png",
    )
    # answers typed elsewhere are kept
    expect(page.locator("#f-revenue_krw_m")).to_have_value("8500")
    expect(page.locator("#f-cap_tech_planning-2")).to_be_checked()


def test_the_language_switches_and_keeps_the_answers(server: str, page: Page) -> None:
    page.goto(server + "/portal")
    fill_form(page)
    page.check("#f-firm_flags-women_owned")  # one checkbox per status, several may be ticked
    page.check("#f-firm_flags-innobiz")
    page.click("a.lang-switch")
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.locator("h1")).to_have_text(KO("ui.title_form"))
    expect(page.locator("#f-employees")).to_have_value("42")  # carried across
    expect(page.locator("#f-cap_marketing-2")).to_be_checked()
    expect(page.locator("#f-firm_flags-women_owned")).to_be_checked()
    expect(page.locator("#f-firm_flags-innobiz")).to_be_checked()
    expect(page.locator("#f-firm_flags-none")).not_to_be_checked()
    expect(page.locator("label[for='f-firm_flags-none']")).to_have_text(
        KO("fields.firm_flags.none")
    )
    page.evaluate("window.scrollTo(0, 0)")
    shot(
        page,
        "portal-form-ko-desktop.png",
        until="fieldset.cap:nth-of-type(2)",
        readme="portal-form-ko.png",
    )
    shot(page, "portal-form-ko-desktop-full.png")
    page.click("#submit-answers")
    expect(page.locator("h1")).to_have_text(KO("ui.title_results"))
    first_ko = page.locator("h3.programme__name").first.inner_text()
    effects = {KO("sentences.effect_up"), KO("sentences.effect_down")}
    assert any(e in page.content() for e in effects)  # reasons in Korean
    shot(page, "portal-results-ko-desktop.png")
    page.click("button.lang-switch")  # results: the same list, in English
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text(EN("ui.title_results"))
    assert page.locator("h3.programme__name").first.inner_text() == first_ko
    page.goto(server + "/portal")  # the choice is remembered
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_the_page_works_at_phone_width(server: str, phone: Page) -> None:
    phone.goto(server + "/")
    expect(phone.locator("html")).to_have_attribute("lang", "ko")  # the phone asks for Korean
    assert no_horizontal_scroll(phone)
    for selector in (
        "#f-employees",
        "#f-sector",
        "label[for='f-cap_feedback-na']",
        "#submit-answers",
    ):
        box = phone.locator(selector).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    shot(phone, "portal-form-ko-phone.png")
    fill_form(phone)
    phone.click("#submit-answers")
    expect(phone.locator("h1")).to_have_text(KO("ui.title_results"))
    assert no_horizontal_scroll(phone)
    expect(phone.locator("li.programme").first).to_be_visible()
    phone.locator("#ranked-heading").scroll_into_view_if_needed()
    phone.evaluate("document.getElementById('ranked-heading').scrollIntoView()")
    shot(phone, "portal-results-ko-phone-ranked.png", full_page=False, readme="portal-phone.png")
    shot(phone, "portal-results-ko-phone.png")


def tab_to(page: Page, element_id: str, *, back: bool = False, limit: int = 200) -> None:
    """Press Tab (Shift+Tab with ``back``) until the element ``element_id`` has focus."""
    for _ in range(limit):
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Shift+Tab" if back else "Tab")
    raise AssertionError(f"Tab never reached #{element_id}")


def test_the_form_works_by_keyboard_alone(server: str, page: Page) -> None:
    page.goto(server + "/portal?lang=en")
    tab_to(page, "f-sector")
    page.keyboard.press("ArrowDown")  # first sector: high-tech manufacturing
    tab_to(page, "f-region")
    page.keyboard.press("ArrowDown")  # first region: Seoul
    for name in TEXT_FIELDS:
        tab_to(page, f"f-{name}")
        page.keyboard.type(FIRM[name])
    tab_to(page, "f-has_rnd_lab")
    page.keyboard.press("Space")
    tab_to(page, "f-cap_tech_planning-na")  # a radio group is one Tab stop
    page.keyboard.press("ArrowRight")  # wraps to 1
    page.keyboard.press("ArrowRight")  # 2
    expect(page.locator("#f-cap_tech_planning-2")).to_be_checked()
    focus_ring = page.evaluate(
        "getComputedStyle(document.querySelector(\"label[for='f-cap_tech_planning-2']\"))"
        ".outlineStyle"
    )
    assert focus_ring == "solid"  # the focused rating is visibly marked
    tab_to(page, "f-patents", back=True)  # in a text field, Enter submits the form
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text(EN("ui.title_results"))
    expect(page.locator("li.programme").first).to_be_visible()


def test_answers_download_and_upload_again(server: str, page: Page, tmp_path: Path) -> None:
    page.goto(server + "/portal?lang=en")
    fill_form(page)
    with page.expect_download() as info:
        page.click("button[formaction='/portal/answers.json']")
    saved = tmp_path / "answers.json"
    info.value.save_as(saved)
    document = json.loads(saved.read_text())
    assert document["profile"]["employees"] == 42
    assert document["profile"]["cap_feedback"] is None
    page.goto(server + "/portal")
    page.click("details.upload summary")
    page.set_input_files("#f-upload", str(saved))
    page.click(".upload__form button[type='submit']")
    expect(page.locator(".notice")).to_have_text(EN("ui.upload_loaded"))
    expect(page.locator("#f-employees")).to_have_value("42")
    expect(page.locator("#f-sector")).to_have_value("mfg_high_tech")
    expect(page.locator("#f-cap_global_partnerships-1")).to_be_checked()


def test_results_print_without_controls(server: str, page: Page) -> None:
    page.goto(server + "/portal?lang=en")
    fill_form(page)
    page.click("#submit-answers")
    expect(page.locator("h1")).to_have_text(EN("ui.title_results"))
    expect(page.locator("button.js-print")).to_be_visible()  # JS offers printing
    page.emulate_media(media="print")
    for hidden in (".site-header", "form#answers"):
        expect(page.locator(hidden)).to_be_hidden()
    expect(page.locator("li.programme").first).to_be_visible()
    expect(page.locator(".cap-table")).to_be_visible()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    (ARTIFACTS / "portal-results-en.pdf").write_bytes(pdf)
