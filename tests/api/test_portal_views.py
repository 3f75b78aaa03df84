"""The partner portal's view code: form parsing, translations, charts, sentences, pages.

Pages are exercised through FastAPI's TestClient against an app holding the portal
router and a small model trained on a seeded demo world (about 40 s to build once).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from datetime import date
from html.parser import HTMLParser
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from api.errors import install_error_handlers
from api.metrics import Metrics
from api.portal import router
from api.portal.charts import HALF, capability_bars, factor_bars
from api.portal.fields import FLAG_OPTIONS
from api.portal.form import (
    ANSWERS_FORMAT,
    MAX_UPLOAD_BYTES,
    AnswersFileError,
    answers_document,
    default_values,
    form_values,
    parse_answers,
    read_answers_file,
    year_options,
)
from api.portal.i18n import Translator, catalogue, check_catalogue, choose_language
from api.portal.view import SHOWN_PER_GROUP, build_results, programme_index, safe_url, window
from api.security import RateLimiter
from api.service import ServingService
from recommender import IneligibleItem, Recommendation
from recommender.adapters.artefact import load_recommender
from recommender.adapters.registry import Registry
from recommender.adapters.store import get_engine, upgrade_database
from recommender.adapters.store.tables import AuditEntry, SavedProfile
from recommender.constants import CAPABILITIES, OTHER_TYPE, TYPE_READINESS_CAPS
from recommender.eligibility import Reason
from recommender.eligibility import reasons as core_reasons
from recommender.explain import Contribution, effect_key, renderer
from recommender.recommend import Recommender
from recommender.simulate import simulate_world
from tests.signing import TEST_SIGNING_KEY
from training.local import train_version

YEARS = [2022, 2023, 2024]
KOREAN_NAME = "중소기업 기술혁신 컨설팅 <지원>"
GOOD_FORM: dict[str, str] = {
    "year": "2024",
    "sector": "mfg_high_tech",
    "region": "seoul",
    "founded_year": "2012",
    "employees": "42",
    "revenue_krw_m": "8,500",
    "revenue_growth_pct": "7",
    "export_share_pct": "25",
    "rnd_spend_krw_m": "640",
    "researchers": "6",
    "patents": "3",
    "has_rnd_lab": "yes",
    "cap_tech_planning": "2",
    "cap_rnd_execution": "3",
    "cap_commercialization": "2",
    "cap_marketing": "4",
    "cap_hr_skills": "3",
    "cap_funding_access": "1",
    "cap_global_orientation": "3",
}
NUMBER = re.compile(r"[-+]?\d+(?:,\d{3})*(?:\.\d+)?%?")


# --- a tiny HTML tree, enough to ask "which element, with which attributes, where" ------
VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


class Node:
    def __init__(self, tag: str, attrs: dict[str, str], parent: Node | None) -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node] = []
        self.text_parts: list[str] = []

    @property
    def text(self) -> str:
        return " ".join(" ".join([*self.text_parts, *(c.text for c in self.children)]).split())

    def iter(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Node]:
        return [
            n
            for n in self.iter()
            if (tag is None or n.tag == tag)
            and all(n.attrs.get(k.rstrip("_")) == v for k, v in attrs.items())
        ]

    def by_id(self, ident: str) -> Node:
        found = [n for n in self.iter() if n.attrs.get("id") == ident]
        assert len(found) == 1, f"{len(found)} elements with id {ident!r}"
        return found[0]

    def ancestor(self, css_class: str) -> Node:
        node = self.parent
        while node is not None and css_class not in node.attrs.get("class", "").split():
            node = node.parent
        assert node is not None, f"no ancestor with class {css_class!r}"
        return node


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.root = Node("#root", {}, None)
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_endtag(self, tag: str) -> None:
        node = self.current
        while node.parent is not None and node.tag != tag:
            node = node.parent
        if node.parent is not None:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.text_parts.append(data)


def dom(html: str) -> Node:
    builder = _Builder()
    builder.feed(html)
    return builder.root


# --- fixtures ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    """A seeded demo world, a model trained on it and a catalogue with partner quirks."""
    ds = simulate_world(n_firms=300, seed=1).dataset
    registry = Registry(tmp_path_factory.mktemp("portal") / "models", signing_key=TEST_SIGNING_KEY)
    train_version(ds, registry=registry, run_evaluation=False, objective="regression")
    programmes = ds.programmes.copy()
    open_rows = programmes.index[
        (programmes["year"] == 2024)
        & (programmes["sectors"] == "*")
        & (programmes["regions"] == "*")
        & programmes["programme_type"].ne(OTHER_TYPE)
        & programmes["max_firm_age"].isna()
        & programmes["min_employees"].isna()
        & programmes["max_employees"].isna()
    ]
    korean, hostile = open_rows[0], open_rows[1]
    programmes.loc[korean, "name"] = KOREAN_NAME
    programmes.loc[korean, "url"] = (
        "https://www.bizinfo.go.kr/web/lay1/bbs/S1T122C128/AS/74/view.do"
    )
    programmes.loc[hostile, "url"] = "javascript:alert(1)"
    rec = load_recommender(registry, programmes=programmes)
    return SimpleNamespace(
        ds=ds, rec=rec, programmes=programmes, korean_id=programmes.loc[korean, "programme_id"]
    )


@pytest.fixture
def engine(scratch_db_url: str) -> Engine:
    """A new, migrated database for one test (what it stores is all it stored)."""
    upgrade_database(scratch_db_url)
    return get_engine(scratch_db_url)


@pytest.fixture(scope="module")
def module_engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    url = f"sqlite:///{tmp_path_factory.mktemp('portal-db') / 'recommender.db'}"
    upgrade_database(url)
    return get_engine(url)


def make_app(rec: Recommender | None, engine: Engine, *, per_minute: int = 600) -> FastAPI:
    """The smallest app the portal runs in: its router and what the API puts on state."""
    app = FastAPI()
    app.state.holder = SimpleNamespace(current=rec)
    app.state.engine = engine
    app.state.rate_limiter = RateLimiter(per_minute)
    app.state.metrics = Metrics()
    app.state.service = ServingService(app.state.holder, app.state.metrics)
    install_error_handlers(app)
    app.include_router(router)
    return app


@pytest.fixture
def client(world: SimpleNamespace, module_engine: Engine) -> TestClient:
    return TestClient(make_app(world.rec, module_engine))


def profile_of(form: dict[str, str]) -> dict[str, Any]:
    parsed = parse_answers(form, years=YEARS)
    assert parsed.profile is not None, parsed.errors
    return parsed.profile


def count(engine: Engine, table: type[Any]) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


# --- form parsing -------------------------------------------------------------------------
def test_a_complete_form_becomes_a_contract_profile() -> None:
    form = {**GOOD_FORM, "employees": "４２", "revenue_growth_pct": "-3 %"}
    profile = profile_of(form)
    assert profile["firm_id"] == "portal"
    assert profile["employees"] == 42 and isinstance(profile["employees"], int)
    assert profile["revenue_krw_m"] == 8500.0
    assert profile["revenue_growth"] == pytest.approx(-0.03)
    assert profile["export_share"] == pytest.approx(0.25)
    assert profile["has_rnd_lab"] is True
    assert profile["cap_tech_planning"] == 2
    assert profile["cap_feedback"] is None  # left blank: unanswered, not refused


def test_optional_answers_may_be_left_blank() -> None:
    form = {
        k: v
        for k, v in GOOD_FORM.items()
        if k not in {"revenue_growth_pct", "has_rnd_lab"} and not k.startswith("cap_")
    }
    profile = profile_of(form)
    assert profile["revenue_growth"] is None
    assert profile["has_rnd_lab"] is False
    assert all(profile[c] is None for c in CAPABILITIES)


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("employees", "", "required"),
        ("employees", "many", "integer"),
        ("employees", "4.5", "integer"),
        ("employees", "0", "min"),
        ("revenue_krw_m", "1e9", "number"),
        ("revenue_krw_m", "-5", "min"),
        ("export_share_pct", "120", "max"),
        ("revenue_growth_pct", "-150", "min"),
        ("sector", "mining", "choose"),
        ("region", "", "choose"),
        ("year", "2031", "choose"),
        ("founded_year", "2030", "founded_after_year"),
        ("researchers", "50", "researchers_over_employees"),
        ("cap_marketing", "6", "rating"),
    ],
)
def test_each_refused_answer_is_named_with_its_reason(field: str, value: str, code: str) -> None:
    parsed = parse_answers({**GOOD_FORM, field: value}, years=YEARS)
    assert parsed.profile is None
    assert set(parsed.errors) == {field}
    assert parsed.errors[field].code == code
    assert parsed.values[field] == value  # shown again as typed


def test_form_values_keep_only_known_fields_trimmed() -> None:
    values = form_values(
        {
            "employees": "  12 ",
            "evil": "x",
            "consent": "yes",
            "cap_feedback": "3",
            "upload": object(),
        }
    )
    assert values == {"employees": "12", "consent": "yes", "cap_feedback": "3"}


def test_answers_survive_a_download_and_upload_round_trip() -> None:
    flags = "women_owned;social_enterprise;venture_certified;innobiz;mainbiz;disabled_owned"
    profile = profile_of({**GOOD_FORM, "firm_flags": flags})  # longer than any other answer
    document = answers_document(profile)
    assert document["format"] == ANSWERS_FORMAT and "firm_id" not in document["profile"]
    values = read_answers_file(json.dumps(document).encode())
    assert profile_of(values) == profile and profile["firm_flags"] == flags


def test_a_bare_api_profile_can_be_uploaded_too() -> None:
    profile = {k: v for k, v in profile_of(GOOD_FORM).items()}
    values = read_answers_file(json.dumps(profile).encode())
    assert profile_of(values) == profile


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "upload_missing"),
        (b" " * (MAX_UPLOAD_BYTES + 1), "upload_too_large"),
        (b"{not json", "upload_invalid"),
        (b"[1, 2]", "upload_invalid"),
        (
            json.dumps({"format": "other-tool", "profile": {"employees": 3}}).encode(),
            "upload_invalid",
        ),
        (json.dumps({"colour": "blue"}).encode(), "upload_invalid"),
    ],
)
def test_a_bad_answers_file_is_refused(data: bytes, code: str) -> None:
    with pytest.raises(AnswersFileError) as info:
        read_answers_file(data)
    assert info.value.code == code


# --- translations ---------------------------------------------------------------------------
def test_every_language_has_every_string() -> None:
    strings = catalogue()
    check_catalogue(strings)
    for lang in ("en", "ko"):
        tr = Translator(lang)
        assert set(tr.strings["capabilities"]) == set(CAPABILITIES)
        for cap in CAPABILITIES:
            for part in ("label", "question", "low", "high"):
                assert tr(f"capabilities.{cap}.{part}").strip()
    broken = json.loads(json.dumps(strings))
    del broken["ko"]["ui"]["submit"]
    with pytest.raises(ValueError, match="ui.submit"):
        check_catalogue(broken)


def test_korean_strings_are_korean() -> None:
    ko = Translator("ko")
    assert re.search("[가-힣]", ko("ui.submit"))
    assert re.search("[가-힣]", ko("capabilities.cap_feedback.high"))


@pytest.mark.parametrize(
    ("asked", "cookie", "header", "expected"),
    [
        ("ko", "en", "en", "ko"),
        (None, "ko", "en-GB,en;q=0.9", "ko"),
        ("fr", None, "ko-KR,ko;q=0.9,en;q=0.5", "ko"),
        (None, None, "fr, de;q=0.8", "en"),
        (None, None, "en;q=0.2, ko;q=0.8", "ko"),
        (None, None, None, "en"),
    ],
)
def test_the_language_is_asked_remembered_or_the_browsers(
    asked: str | None, cookie: str | None, header: str | None, expected: str
) -> None:
    assert choose_language(asked=asked, cookie=cookie, accept_language=header) == expected


# --- charts -----------------------------------------------------------------------------
def test_factor_bars_fold_the_rest_so_the_bars_add_up_to_the_score() -> None:
    contributions = [
        Contribution(f"f{i}", v, {})
        for i, v in enumerate([0.4, -0.3, 0.2, 0.1, -0.05, 0.02, -0.01])
    ]
    rows = factor_bars(contributions, top=3)
    assert [r.factor for r in rows] == ["f0", "f1", "f2", None]
    assert rows[-1].n_folded == 4
    assert sum(r.value for r in rows) == pytest.approx(sum(c.value for c in contributions))
    assert rows[0].bar.width == pytest.approx(HALF)  # the largest reaches the edge
    assert rows[0].bar.x == HALF and rows[0].bar.css == "bar-up"
    assert rows[1].bar.x + rows[1].bar.width == pytest.approx(HALF)  # negative: left of zero
    assert rows[1].bar.css == "bar-down"
    assert rows[1].bar.width == pytest.approx(HALF * 0.3 / 0.4)


def test_capability_bars_scale_to_five_and_flag_large_gaps() -> None:
    bars = capability_bars(2.0, 3.4)
    assert bars.own is not None and bars.own.width == pytest.approx(40.0)
    assert bars.peers.width == pytest.approx(68.0)
    assert bars.highlight
    unanswered = capability_bars(None, 3.0)
    assert unanswered.own is None and not unanswered.highlight
    assert not capability_bars(3.0, 3.5).highlight


# --- sentences and reasons: the core's facts, said in both languages ------------------------
def numbers(text: str) -> list[str]:
    return NUMBER.findall(text)


# facts holding a sum of money: each language writes it in its own units (5천만 원)
MONEY_FACTS = {"finances": "revenue_krw_m", "support_level": "support_krw_m"}


def sums_marked(c: Contribution, say: Any) -> str:
    """``c`` described, its sum of money (written in the language's units) as ``SUM``."""
    text = say.describe(c)
    amount = c.facts.get(MONEY_FACTS.get(c.factor, ""))
    return text if amount is None else text.replace(say.money(amount), "SUM")


def _mean(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None and v == v]
    return sum(known) / len(known) if known else None


@pytest.mark.parametrize(
    "form",
    [
        GOOD_FORM,
        {
            **{k: v for k, v in GOOD_FORM.items() if not k.startswith("cap_")},
            "revenue_growth_pct": "",
            "has_rnd_lab": "",
            "sector": "kbs_ict",
            "region": "jeju",
        },
    ],
)
def test_explanation_facts_are_the_profiles_and_programmes_own_values(
    world: SimpleNamespace, form: dict[str, str]
) -> None:
    profile = profile_of(form)
    rec = world.rec.recommend(profile, k=5, explain="top")
    index = programme_index(world.rec)
    own = {g.capability: g.own for g in rec.profile}
    peers = {g.capability: g.peers for g in rec.profile}
    gaps = {g.capability: g.gap for g in rec.profile}
    answered = [v for v in own.values() if v is not None]
    assert rec.items
    for item in rec.items:
        programme = index[item.programme_id]
        assert item.explanation is not None
        facts = {c.factor: c.facts for c in item.explanation.contributions}
        for cap in CAPABILITIES:
            assert facts[f"gap:{cap}"] == {
                "capability": cap,
                "own": own[cap],
                "peers": pytest.approx(peers[cap]),
            }
        targets = [t for t in programme["targets"].split(";") if t in CAPABILITIES]
        assert facts["target_fit"]["targets"] == tuple(targets)
        assert facts["target_fit"]["gap"] == pytest.approx(_mean([gaps[t] for t in targets]))
        ready = TYPE_READINESS_CAPS[programme["programme_type"]]
        assert facts["readiness"] == {
            "capabilities": ready,
            "value": pytest.approx(_mean([own[c] for c in ready])),
        }
        assert facts["firm_size"] == {"employees": profile["employees"]}
        assert facts["firm_age"] == {"years": profile["year"] - profile["founded_year"]}
        assert facts["finances"] == {
            "revenue_krw_m": profile["revenue_krw_m"],
            "revenue_growth": profile["revenue_growth"],
        }
        assert facts["self_assessment"] == {
            "mean": pytest.approx(_mean(answered)) if answered else None,
            "unanswered": 12 - len(answered),
        }
        assert facts["history"] == {"programmes": 0, "same_type": 0}  # a portal firm
        assert facts["support_level"] == {"support_krw_m": programme["support_krw_m"]}
        assert facts["programme_format"] == {
            "duration_months": programme["duration_months"],
            "capacity": programme["capacity"],
        }
        assert facts["programme_type"] == {"programme_type": programme["programme_type"]}


@pytest.mark.parametrize(
    "form",
    [
        GOOD_FORM,
        {
            **{k: v for k, v in GOOD_FORM.items() if not k.startswith("cap_")},
            "revenue_growth_pct": "",
            "has_rnd_lab": "",
            "sector": "kbs_ict",
            "region": "jeju",
        },
    ],
)
def test_english_and_korean_sentences_carry_the_same_numbers(
    world: SimpleNamespace, form: dict[str, str]
) -> None:
    rec = world.rec.recommend(profile_of(form), k=5, explain="top")
    en, ko = renderer("en"), renderer("ko")
    checked = 0
    assert rec.items
    for item in rec.items:
        assert item.explanation is not None and item.explanation.contributions
        for c in [*item.explanation.contributions, *rec.contrast]:
            english, korean = numbers(sums_marked(c, en)), numbers(sums_marked(c, ko))
            # Korean drops the "/5" and "of 12" wording around numbers
            assert [n for n in korean if n not in {"5", "12"}] == [
                n for n in english if n not in {"5", "12"}
            ], (c, english, korean)
            assert en.sentence(c).startswith(en.describe(c))
            checked += 1
    assert checked > 40


def test_ineligible_programmes_carry_the_cores_reasons_in_both_languages(
    world: SimpleNamespace,
) -> None:
    profile = profile_of(
        {
            **GOOD_FORM,
            "has_rnd_lab": "",
            "employees": "400",
            "researchers": "10",
            "founded_year": "2023",
        }
    )
    rec = world.rec.recommend(profile, k=5, include_ineligible=True)
    assert rec.ineligible
    index = programme_index(world.rec)
    for item in rec.ineligible:
        core = core_reasons(profile, index[item.programme_id])
        assert item.reasons == core and len(core) > 0  # vectorised = one pair at a time
        english, korean = renderer("en").reasons(core), renderer("ko").reasons(core)
        assert len(english) == len(korean) == len(core)
        for mine, theirs in zip(korean, english, strict=True):
            assert numbers(mine) == numbers(theirs), (mine, theirs)


def test_the_results_page_says_what_the_renderer_says(world: SimpleNamespace) -> None:
    profile = profile_of({**GOOD_FORM, "has_rnd_lab": "", "employees": "400"})
    rec = world.rec.recommend(profile, k=5, include_ineligible=True)
    assert rec.items and rec.ineligible
    for lang in ("en", "ko"):
        say = renderer(lang)
        view = build_results(
            rec, programmes=programme_index(world.rec), tr=Translator(lang), today=date(2024, 3, 1)
        )
        first = rec.items[0].explanation
        assert first is not None
        assert view.explained[0].sentences == tuple(
            (say.sentence(c), effect_key(c.value)) for c in first.contributions[:3]
        )
        assert view.contrast == tuple(say.describe(c) for c in rec.contrast)
        by_id = {i.programme_id: i for i in rec.ineligible}
        listed = [c for g in view.ineligible for c in g.cards]
        assert len(listed) == len(rec.ineligible)  # a small catalogue: every one listed
        assert [c.reasons for c in listed] == [
            tuple(say.reasons(by_id[c.programme_id].reasons)) for c in listed
        ]


def test_results_view_follows_the_recommendation(world: SimpleNamespace) -> None:
    profile = profile_of(GOOD_FORM)
    rec = world.rec.recommend_batch(
        [profile], k=100, explain="top", explain_k=10, include_ineligible=True
    )[0]
    view = build_results(
        rec, programmes=programme_index(world.rec), tr=Translator("en"), today=date(2024, 3, 1)
    )
    ranked = [*view.explained, *view.more_ranked]
    assert [c.programme_id for c in ranked] == [i.programme_id for i in rec.items]
    assert len(view.explained) == min(10, len(rec.items))
    assert all(len(c.sentences) == 3 and c.chart for c in view.explained)
    assert [c.rank for c in ranked] == list(range(1, len(ranked) + 1))
    assert len(view.capabilities) == 12
    listed = [c for g in view.ineligible for c in g.cards]
    assert {c.programme_id for c in listed} == {i.programme_id for i in rec.ineligible}
    assert view.ineligible_total == len(rec.ineligible)
    assert all(c.reasons for c in listed)


def test_ineligible_programmes_are_summarised_by_their_reason() -> None:
    """The page groups what a firm cannot join ("1,121 are for other regions"), the
    largest group first, a programme under the first of its reasons' groups in the
    order nothing offered, region, district, sector, ..., and lists at most
    SHOWN_PER_GROUP of each."""
    regional = [
        IneligibleItem(f"r{n}", f"Regional {n}", [Reason("region", ("서울",), "경기")])
        for n in range(SHOWN_PER_GROUP + 7)
    ]
    both = IneligibleItem(
        "b",
        "Small and regional",
        [Reason("max_employees", 10.0, 40.0), Reason("region", ("부산",), "경기")],
    )
    small = IneligibleItem("s", "Small firms", [Reason("max_employees", 10.0, 40.0)])
    nothing = IneligibleItem("n", "Selection results", [Reason("nothing", "선정결과", None)])
    rec = Recommendation(
        "f1",
        2025,
        "v",
        [],
        [],
        [*regional, both, small, nothing],
        [],
        np.full(12, np.nan),
        np.full(12, 3.0),
    )
    for lang, region_summary in (
        ("en", f"{SHOWN_PER_GROUP + 8:,} are for firms in other regions"),
        ("ko", f"{SHOWN_PER_GROUP + 8:,}건은 다른 지역 기업 대상입니다"),
    ):
        view = build_results(rec, programmes={}, tr=Translator(lang), today=date(2025, 3, 1))
        assert [(g.key, g.count) for g in view.ineligible] == [
            ("region", SHOWN_PER_GROUP + 8),
            ("nothing", 1),
            ("size", 1),
        ]
        region = view.ineligible[0]
        assert region.summary == region_summary
        assert len(region.cards) == SHOWN_PER_GROUP and region.more == 8
        assert view.ineligible_total == len(rec.ineligible)


def test_only_web_addresses_become_links() -> None:
    assert safe_url("https://www.bizinfo.go.kr/x?a=1") == "https://www.bizinfo.go.kr/x?a=1"
    for bad in ("javascript:alert(1)", "data:text/html,hi", "//evil.example", "", None, 3):
        assert safe_url(bad) is None


def test_application_windows_are_read_against_today() -> None:
    tr = Translator("en")
    today = date(2024, 3, 10)
    opened = window("2024-03-01", "2024-03-31", today=today, tr=tr)
    assert opened is not None and opened.status == "open" and "21 days" in str(opened.status_text)
    closed = window("2024-01-01", "2024-02-01", today=today, tr=tr)
    assert closed is not None and closed.status == "closed"
    upcoming = window("2024-04-01", None, today=today, tr=tr)
    assert upcoming is not None and upcoming.status == "upcoming"
    assert window(None, "not a date", today=today, tr=tr) is None


# --- pages --------------------------------------------------------------------------------
def test_the_form_labels_every_field(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert "default-src 'none'" in response.headers["content-security-policy"]
    page = dom(response.text)
    controls = [
        n for n in page.iter() if n.tag in {"input", "select"} and n.attrs.get("type") != "hidden"
    ]
    assert len(controls) >= 11 + 12 * 6 + 2
    labels = {n.attrs.get("for") for n in page.find_all("label")}
    for control in controls:
        assert control.attrs["id"] in labels, control.attrs
    year = page.by_id("f-year")
    selected = [o for o in year.find_all("option") if "selected" in o.attrs]
    assert [o.attrs["value"] for o in selected] == ["2024"]  # the latest catalogue year
    # no control may shadow the form's own submit() or action (portal.js calls them)
    form = page.by_id("portal-form")
    shadowing = [
        n
        for n in form.iter()
        if {n.attrs.get("id"), n.attrs.get("name")} & {"submit", "action", "method"}
    ]
    assert shadowing == []
    for cap in CAPABILITIES:  # each item says what a 1 and a 5 look like
        scale = page.by_id(f"{cap}-scale")
        assert Translator("en")(f"capabilities.{cap}.low") in scale.text
        assert Translator("en")(f"capabilities.{cap}.high") in scale.text


def test_assets_come_from_the_product_itself(client: TestClient) -> None:
    page = dom(client.get("/portal").text)
    sources = [
        n.attrs.get("src") or n.attrs.get("href")
        for n in page.iter()
        if n.tag in {"script", "link"}
    ]
    assert sources and all(s.startswith(("/portal/static/", "data:")) for s in sources)
    static = [s for s in sources if s.startswith("/portal/static/")]
    assert static
    for src in static:
        response = client.get(src)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(("text/css", "text/javascript"))
    assert client.get("/portal/static/../app.py").status_code == 404
    assert client.get("/portal/static/secrets.txt").status_code == 404


def test_korean_is_chosen_and_remembered(client: TestClient) -> None:
    response = client.get("/portal?lang=ko")
    assert response.status_code == 200
    assert '<html lang="ko">' in response.text
    assert Translator("ko")("ui.title_form") in response.text
    assert response.cookies.get("portal_lang") == "ko"
    again = client.get("/")
    assert Translator("ko")("ui.submit") in again.text
    back = client.get("/?lang=en")
    assert '<html lang="en">' in back.text


def test_results_rank_and_explain_like_the_recommender(
    client: TestClient, world: SimpleNamespace
) -> None:
    response = client.post("/portal", data=GOOD_FORM)
    assert response.status_code == 200
    page = dom(response.text)
    expected = world.rec.recommend(
        profile_of(GOOD_FORM), k=100, explain="none", include_ineligible=True
    )
    names = [n.text for n in page.find_all("h3", class_="programme__name")]
    assert names == [i.name for i in expected.items[: len(names)]]
    assert len(names) == min(10, len(expected.items))
    first = page.by_id("programme-1")
    assert (
        len(
            first.find_all("li", class_="reason reason--effect_up")
            + first.find_all("li", class_="reason reason--effect_down")
            + first.find_all("li", class_="reason reason--effect_none")
        )
        == 3
    )
    assert len(first.find_all("svg")) >= 5  # the contribution chart
    rows = page.find_all("table", class_="cap-table")[0].find_all("tr")
    assert len(rows) == 1 + 12
    ineligible = page.by_id("ineligible")
    groups = ineligible.find_all("details", class_="ineligible-group")
    assert groups and len(
        ineligible.find_all("li", class_="programme programme--compact programme--ineligible")
    ) == len(expected.ineligible)  # a small catalogue: every one listed
    counts = [int(g.find_all("summary")[0].text.split()[0]) for g in groups]
    assert sum(counts) == len(expected.ineligible)
    unscored = [i.name for i in expected.unscored]
    assert unscored
    for name in unscored:
        assert name in response.text
    assert Translator("en")("ui.not_saved_notice") in response.text


def test_eligible_if_programmes_have_a_section_after_the_ranked_ones(
    world: SimpleNamespace, module_engine: Engine
) -> None:
    """A programme for one district the firm has not named is listed under *Eligible
    if*, with its condition, after the sure ones; naming the district makes it sure."""
    programmes = world.programmes.copy()
    ranked = world.rec.recommend(profile_of(GOOD_FORM), k=100, explain="none").items
    row = programmes.index[programmes["programme_id"] == ranked[0].programme_id][0]
    programmes.loc[row, "districts"] = "강남구"
    name = str(programmes.loc[row, "name"])
    client = TestClient(make_app(world.rec.with_programmes(programmes), module_engine))
    page = dom(client.post("/portal", data=GOOD_FORM).text)
    section = page.by_id("conditional")
    cards = section.find_all("li", class_="programme programme--compact programme--conditional")
    assert [c.find_all("strong")[0].text for c in cards] == [name]
    assert "강남구" in cards[0].text and Translator("en")("ui.to_check") in cards[0].text
    sure = [n.text for n in page.by_id("ranked").find_all("strong")]
    assert name not in sure and name not in [
        n.text for n in page.find_all("h3", class_="programme__name")
    ]
    named = dom(client.post("/portal", data={**GOOD_FORM, "district": "강남구"}).text)
    assert not [n for n in named.iter() if n.attrs.get("id") == "conditional"]
    assert name in [n.text for n in named.find_all("h3", class_="programme__name")]


def test_korean_names_and_links_are_shown_as_they_are(
    client: TestClient, world: SimpleNamespace
) -> None:
    response = client.post("/portal", data=GOOD_FORM)
    assert "중소기업 기술혁신 컨설팅 &lt;지원&gt;" in response.text  # verbatim, escaped
    page = dom(response.text)
    links = [a.attrs["href"] for a in page.find_all("a") if "rel" in a.attrs]
    assert links == ["https://www.bizinfo.go.kr/web/lay1/bbs/S1T122C128/AS/74/view.do"]
    assert "javascript:" not in response.text


def test_results_in_korean(client: TestClient) -> None:
    response = client.post("/portal", data={**GOOD_FORM, "lang": "ko"})
    assert response.status_code == 200
    assert '<html lang="ko">' in response.text
    page = dom(response.text)
    reasons = [
        li.text
        for li in page.by_id("programme-1").find_all("li")
        if "reason" in li.attrs.get("class", "")
    ]
    assert reasons and all(re.search("적합도", r) for r in reasons)


def test_a_refused_answer_is_shown_beside_its_field(client: TestClient) -> None:
    response = client.post("/portal", data={**GOOD_FORM, "employees": "many", "cap_marketing": "9"})
    assert response.status_code == 422
    page = dom(response.text)
    field = page.by_id("f-employees")
    assert field.attrs["aria-invalid"] == "true"
    assert "f-employees-error" in field.attrs["aria-describedby"].split()
    assert field.attrs["value"] == "many"
    error = page.by_id("f-employees-error")
    assert error.ancestor("field") is field.ancestor("field")
    assert Translator("en")("errors.integer") in error.text
    cap = page.by_id("cap_marketing-error")
    assert cap.parent is not None and cap.parent.attrs.get("aria-invalid") == "true"
    summary = page.by_id("error-summary")
    assert [a.attrs["href"] for a in summary.find_all("a")] == [
        "#f-employees",
        "#f-cap_marketing-1",
    ]
    assert page.by_id("f-sector").attrs.get("aria-invalid") is None  # only the culprits


def test_nothing_is_stored_without_consent(
    world: SimpleNamespace, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    client = TestClient(make_app(world.rec, engine))
    with caplog.at_level(logging.DEBUG):
        assert client.post("/portal", data=GOOD_FORM).status_code == 200
    assert count(engine, SavedProfile) == 0
    assert count(engine, AuditEntry) == 0
    assert not [
        r for r in caplog.records if "8500" in r.getMessage() or "mfg_high_tech" in r.getMessage()
    ]


def test_consent_keeps_the_profile_and_audits_the_list(
    world: SimpleNamespace, engine: Engine
) -> None:
    client = TestClient(make_app(world.rec, engine))
    response = client.post("/portal", data={**GOOD_FORM, "consent": "yes"})
    assert response.status_code == 200
    with engine.connect() as conn:
        saved = conn.execute(select(SavedProfile.id, SavedProfile.profile)).all()
        audit = conn.execute(
            select(AuditEntry.firm_id, AuditEntry.key_name, AuditEntry.endpoint, AuditEntry.items)
        ).all()
    assert len(saved) == 1
    ref, stored = saved[0]
    expected = {k: v for k, v in profile_of(GOOD_FORM).items() if k != "firm_id"}
    assert stored == expected
    assert [(a.firm_id, a.key_name, a.endpoint) for a in audit] == [
        (f"saved-profile:{ref}", "portal", "POST /portal")
    ]
    assert audit[0].items[0]["rank"] == 1
    assert Translator("en")("ui.saved_notice", ref=ref) in response.text
    # switching language on the results page does not store the profile twice
    page = dom(response.text)
    hidden = {n.attrs["name"] for n in page.by_id("answers").find_all("input")}
    assert "consent" not in hidden


def test_the_portal_is_rate_limited_per_address(
    world: SimpleNamespace, module_engine: Engine
) -> None:
    client = TestClient(make_app(world.rec, module_engine, per_minute=2))
    assert client.post("/portal", data=GOOD_FORM).status_code == 200
    assert client.post("/portal", data=GOOD_FORM).status_code == 200
    third = client.post("/portal", data=GOOD_FORM)
    assert third.status_code == 429
    assert int(third.headers["retry-after"]) >= 1
    assert third.headers["content-type"].startswith("text/html")
    assert client.get("/portal").status_code == 200  # reading the form is not limited


def test_without_a_model_the_page_says_so(module_engine: Engine) -> None:
    client = TestClient(make_app(None, module_engine))
    for response in (client.get("/"), client.post("/portal", data=GOOD_FORM)):
        assert response.status_code == 503
        assert Translator("en")("ui.no_model") in response.text


def test_answers_download_as_json(client: TestClient) -> None:
    response = client.post("/portal/answers.json", data=GOOD_FORM)
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="sme-answers-2024.json"'
    document = response.json()
    assert document["profile"]["export_share"] == pytest.approx(0.25)
    refused = client.post("/portal/answers.json", data={**GOOD_FORM, "employees": ""})
    assert refused.status_code == 422
    assert dom(refused.text).by_id("f-employees-error")


def test_uploaded_answers_prefill_the_form(client: TestClient) -> None:
    document = client.post("/portal/answers.json", data=GOOD_FORM).content
    response = client.post(
        "/portal/upload",
        data={"lang": "en"},
        files={"answers": ("answers.json", document, "application/json")},
    )
    assert response.status_code == 200
    page = dom(response.text)
    assert page.by_id("f-revenue_krw_m").attrs["value"] == "8500"
    assert page.by_id("f-export_share_pct").attrs["value"] == "25"
    assert "checked" in page.by_id("f-has_rnd_lab").attrs
    assert "checked" in page.by_id("f-cap_marketing-4").attrs
    assert "checked" in page.by_id("f-cap_feedback-na").attrs
    sector = [
        o.attrs["value"] for o in page.by_id("f-sector").find_all("option") if "selected" in o.attrs
    ]
    assert sector == ["mfg_high_tech"]
    assert Translator("en")("ui.upload_loaded") in response.text


def test_a_bad_upload_is_refused_beside_the_file_field(client: TestClient) -> None:
    response = client.post(
        "/portal/upload",
        data={"lang": "ko"},
        files={"answers": ("answers.json", b"%PDF-1.4", "application/pdf")},
    )
    assert response.status_code == 422
    page = dom(response.text)
    assert page.by_id("f-upload").attrs["aria-invalid"] == "true"
    assert Translator("ko")("errors.upload_invalid") in page.by_id("f-upload-error").text


def test_change_answers_and_switch_language_keep_the_answers(client: TestClient) -> None:
    response = client.post("/portal/edit", data={**GOOD_FORM, "lang": "en", "switch_lang": "ko"})
    assert response.status_code == 200
    assert '<html lang="ko">' in response.text
    assert response.cookies.get("portal_lang") == "ko"
    page = dom(response.text)
    assert page.by_id("f-employees").attrs["value"] == "42"
    assert "checked" in page.by_id("f-cap_tech_planning-2").attrs
    assert page.find_all("div", class_="error-summary") == []  # no judgement while editing


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_pages_say_a_model_ranks_and_the_list_is_no_eligibility_decision(
    client: TestClient, lang: str
) -> None:
    tr = Translator(lang)
    plain = {"en": "is not an eligibility decision", "ko": "자격 판정이 아닙니다"}[lang]
    assert plain in tr("ui.model_notice")
    form = dom(client.get(f"/portal?lang={lang}").text)
    results = dom(client.post("/portal", data={**GOOD_FORM, "lang": lang}).text)
    for page in (form, results):
        notice = page.by_id("model-notice")
        assert tr("ui.model_notice_heading") in notice.text
        assert " ".join(tr("ui.model_notice").split()) in " ".join(notice.text.split())


def test_a_programme_for_one_district_is_listed_last_with_the_condition_to_check(
    world: SimpleNamespace, module_engine: Engine
) -> None:
    # the portal does not ask a district: a district programme is "eligible if ..."
    programmes = world.programmes.copy()
    profile = profile_of(GOOD_FORM)
    first = world.rec.recommend(profile, k=3).items[0].programme_id
    programmes.loc[programmes["programme_id"] == first, "districts"] = "포천시"
    rec = world.rec.with_programmes(programmes)
    out = rec.recommend(profile, k=1000)
    assert out.items[-1].programme_id == first
    assert renderer("en").reasons(out.items[-1].to_check) == [
        "only for firms in 포천시: check that yours is there"
    ]
    assert all(i.to_check == () for i in out.items[:-1])
    response = TestClient(make_app(rec, module_engine)).post(
        "/portal", data={**GOOD_FORM, "lang": "ko"}
    )
    assert response.status_code == 200
    assert "신청 가능 조건" in response.text
    assert "포천시 소재 기업만 신청할 수 있습니다. 귀사의 소재지를 확인하세요" in response.text


def test_the_portal_asks_district_industry_description_and_statuses_but_no_name() -> None:
    asked = {**GOOD_FORM, "district": "성남시", "industry_code": "27112"}
    asked["business_description"] = "체외진단 의료기기 개발·제조"
    asked["firm_flags"] = "women_owned;innobiz"
    profile = profile_of(asked)
    assert (profile["district"], profile["industry_code"]) == ("성남시", "27112")
    assert profile["business_description"] == "체외진단 의료기기 개발·제조"
    assert profile["firm_flags"] == "women_owned;innobiz"
    assert "firm_name" not in profile
    assert profile_of({**GOOD_FORM, "firm_flags": "none"})["firm_flags"] == "none"
    blank = profile_of(GOOD_FORM)
    assert (
        blank["district"],
        blank["industry_code"],
        blank["business_description"],
        blank["firm_flags"],
    ) == (None, None, None, None)
    refused = parse_answers({**GOOD_FORM, "industry_code": "27a12"}, years=YEARS)
    assert refused.profile is None and set(refused.errors) == {"industry_code"}


@pytest.mark.parametrize(
    ("flags", "code"),
    [
        ("women_owned;martian", "unknown_status"),
        ("small_merchant", "unknown_status"),  # follows from size and sector, never asked
        ("none;innobiz", "status_none_and_more"),
    ],
)
def test_a_status_the_form_does_not_offer_is_refused_with_the_field_named(
    flags: str, code: str
) -> None:
    parsed = parse_answers({**GOOD_FORM, "firm_flags": flags}, years=YEARS)
    assert parsed.profile is None and set(parsed.errors) == {"firm_flags"}
    assert parsed.errors["firm_flags"].code == code


def test_the_statuses_are_checkboxes_in_both_languages_and_refused_beside_them(
    client: TestClient,
) -> None:
    for lang, none in (("en", "None of these"), ("ko", "해당 없음")):
        page = dom(client.get(f"/portal?lang={lang}").text)
        boxes = [page.by_id(f"f-firm_flags-{flag}") for flag in FLAG_OPTIONS]
        assert [b.attrs["value"] for b in boxes] == list(FLAG_OPTIONS)
        assert all(b.attrs["type"] == "checkbox" and b.attrs["name"] == "firm_flags" for b in boxes)
        assert none in page.by_id("f-firm_flags-hint").parent.text
    ticked = client.post(
        "/portal/edit", data={**GOOD_FORM, "firm_flags": ["women_owned", "innobiz"]}
    )
    page = dom(ticked.text)
    assert "checked" in page.by_id("f-firm_flags-women_owned").attrs
    assert "checked" in page.by_id("f-firm_flags-innobiz").attrs
    assert "checked" not in page.by_id("f-firm_flags-none").attrs
    refused = client.post(
        "/portal", data={**GOOD_FORM, "lang": "en", "firm_flags": ["innobiz", "martian"]}
    )
    assert refused.status_code == 422
    page = dom(refused.text)
    error = page.by_id("f-firm_flags-error")
    assert Translator("en")("errors.unknown_status", value="martian") in error.text
    assert error.parent is not None and error.parent.attrs.get("aria-invalid") == "true"
    links = [a.attrs["href"] for a in page.by_id("error-summary").find_all("a")]
    assert links == [f"#f-firm_flags-{FLAG_OPTIONS[0]}"]


def test_declared_statuses_decide_a_group_programme_instead_of_a_condition_to_check(
    world: SimpleNamespace, module_engine: Engine
) -> None:
    programmes = world.programmes.copy()
    profile = profile_of(GOOD_FORM)
    first = world.rec.recommend(profile, k=3).items[0].programme_id
    programmes.loc[programmes["programme_id"] == first, "target_groups"] = "women_owned"
    rec = world.rec.with_programmes(programmes)
    condition = "여성기업만 신청할 수 있습니다. 귀사가 해당하는지 확인하세요"
    client = TestClient(make_app(rec, module_engine))
    unsaid = client.post("/portal", data={**GOOD_FORM, "lang": "ko"})
    assert unsaid.status_code == 200 and condition in unsaid.text
    for flags in ("none", "innobiz"):
        out = rec.recommend(profile_of({**GOOD_FORM, "firm_flags": flags}), k=1000)
        assert first not in [i.programme_id for i in out.items]
        said = client.post("/portal", data={**GOOD_FORM, "lang": "ko", "firm_flags": flags})
        assert said.status_code == 200 and condition not in said.text
    held = rec.recommend(profile_of({**GOOD_FORM, "firm_flags": "women_owned"}), k=1000)
    assert [i.to_check for i in held.items if i.programme_id == first] == [()]


def test_a_description_on_the_portal_reaches_the_ranking_and_is_said(
    world: SimpleNamespace, module_engine: Engine
) -> None:
    client = TestClient(make_app(world.rec, module_engine))
    named = world.rec.recommend(profile_of(GOOD_FORM), k=1).items[0].name
    form = {**GOOD_FORM, "business_description": f"We want {named}", "lang": "en"}
    response = client.post("/portal", data=form)
    assert response.status_code == 200
    said = re.findall(r'class="programme__match">matches your business: ([^<]+)<', response.text)
    assert said, "the text-match factor is said on the results page"
    assert any(term in named for line in said for term in line.split(", "))
    page = client.get("/portal").text
    assert 'name="business_description"' in page and 'name="industry_code"' in page
    assert 'name="firm_name"' not in page and 'name="firm_flags"' in page


# --- what a person reads: one sign for gaps, support stated or "not stated", the years ---
MISSING = re.compile(r"\b(None|nan|NaN|unknown)\b|알 수 없음")  # words of a missing value
BELOW_PEERS_FORM: dict[str, str] = {**GOOD_FORM, **{c: "1" for c in CAPABILITIES}}


@pytest.mark.parametrize(
    ("lang", "cell", "sentence"),
    [("en", " below", "points below firms like yours"), ("ko", "점 낮음", "점 낮습니다")],
)
def test_the_table_and_the_sentences_agree_in_sign_for_a_firm_below_its_peers(
    world: SimpleNamespace, lang: str, cell: str, sentence: str
) -> None:
    rec = world.rec.recommend(profile_of(BELOW_PEERS_FORM), k=10, explain="top")
    tr, say = Translator(lang), renderer(lang)
    view = build_results(rec, programmes=programme_index(world.rec), tr=tr, today=date(2024, 6, 1))
    assert [row.capability for row in view.capabilities] == list(CAPABILITIES)
    assert all(row.versus.endswith(cell) for row in view.capabilities), view.capabilities
    assert all("−" not in row.versus and "+" not in row.versus for row in view.capabilities)
    # the cell is the renderer's words for the profile's gap (peers minus own)
    assert [row.versus for row in view.capabilities] == [
        say.gap(g.peers - (g.own or 0.0), short=True) for g in rec.profile
    ]
    fits = [
        c
        for i in rec.items
        for c in (i.explanation.contributions if i.explanation else ())
        if c.factor == "target_fit"
    ]
    assert len(fits) == len(rec.items) > 0
    assert all(sentence in say.sentence(c) and "+" not in say.sentence(c) for c in fits)


def test_a_programme_that_states_no_support_says_so_on_every_card(
    world: SimpleNamespace,
) -> None:
    programmes = world.programmes.copy()
    programmes["support_krw_m"] = np.nan
    rec = world.rec.with_programmes(programmes)
    result = rec.recommend(profile_of(GOOD_FORM), k=5, explain="top", include_ineligible=True)
    for lang, words in (("en", "support not stated"), ("ko", "지원 규모 미기재")):
        view = build_results(
            result, programmes=programme_index(rec), tr=Translator(lang), today=date(2024, 6, 1)
        )
        cards = [*view.explained, *view.more_ranked, *view.unscored]
        cards += [c for g in view.ineligible for c in g.cards]
        assert len(cards) > 5
        assert {c.support for c in cards} == {words}
        said = [s for c in view.explained for s, _ in c.sentences]
        assert said and not [s for s in said if MISSING.search(s)]


def test_the_results_page_shows_each_programmes_support_and_window(client: TestClient) -> None:
    for lang, amount in (("en", "million KRW per firm"), ("ko", "기업당 최대 ")):
        page = dom(client.post("/portal", data={**GOOD_FORM, "lang": lang}).text)
        ranked = page.by_id("programme-1")
        support = ranked.find_all("dd", class_="programme__support")
        assert len(support) == 1 and amount in support[0].text
        assert not MISSING.findall(page.text)  # nothing rendered from a missing value


def test_a_window_with_one_end_is_said_without_a_blank() -> None:
    tr, today = Translator("en"), date(2024, 3, 31)
    until = window(None, "2024-03-31", today=today, tr=tr)
    assert until is not None and until.text == "until 2024-03-31"
    assert until.status_text == "open now, last day today"
    since = window("2024-04-02", None, today=today, tr=Translator("ko"))
    assert since is not None and since.text == "2024-04-02부터" and since.status == "upcoming"


@pytest.mark.parametrize(
    ("years", "today", "default"),
    [
        ([2022, 2023, 2024], date(2026, 12, 2), 2024),  # the catalogue's latest, not a fixed year
        ([2025, 2026, 2027], date(2026, 12, 2), 2026),  # today's year when there is one
        ([2027, 2028], date(2026, 12, 2), 2027),  # a catalogue wholly ahead: its first year
    ],
)
def test_the_year_choices_follow_the_catalogue_and_today(
    years: list[int], today: date, default: int
) -> None:
    assert default_values(years, today) == {"year": str(default)}
    options = year_options(years, today, Translator("en"))
    assert [v for v, _ in options] == [str(y) for y in sorted(years, reverse=True)]
    this_year = f"{today.year} (this year)" if today.year in years else None
    assert dict(options).get(str(today.year)) == this_year
    assert default_values([], today) == {}
