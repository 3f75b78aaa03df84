"""Explanation facts and eligibility reasons, said by the English and the Korean renderer.

The facts are data (no prose); each language's renderer is the one place its sentences
are written, for the API's JSON, batch outputs and the portal alike.
"""

from __future__ import annotations

import pytest

from recommender.constants import SUPPORT_KINDS
from recommender.eligibility import Reason, window_reason
from recommender.errors import RecommenderError
from recommender.explain import LANGUAGES, Contribution, effect_key, phrases, renderer

GAP = Contribution(
    "gap:cap_marketing", 0.12, {"capability": "cap_marketing", "own": 2.0, "peers": 3.4}
)


SENTENCES: list[tuple[Contribution, str, str | None]] = [  # facts, English, Korean or None
    (
        GAP,
        "Marketing and sales channels: self-rated 2/5, peers in your sector and size 3.4: "
        "raises fit",
        "마케팅·판로: 자가진단 2/5점, 같은 업종·규모 기업 평균 3.4점 → 적합도를 높임",
    ),
    (
        Contribution(
            "gap:cap_feedback", -0.2, {"capability": "cap_feedback", "own": None, "peers": 2.96}
        ),
        "Learning from finished projects: not answered, peers in your sector and size 3.0: "
        "lowers fit",
        None,
    ),
    (
        Contribution(
            "target_fit", 0.3, {"targets": ("cap_marketing", "cap_tech_planning"), "gap": 1.25}
        ),
        "The programme strengthens marketing and sales channels, technology and R&D planning; "
        "there your firm is on average 1.2 points below firms like yours: raises fit",
        "이 사업은 마케팅·판로, 기술·R&D 기획 역량을 강화합니다. 해당 역량에서 귀사는 평균 "
        "동종 기업보다 1.2점 낮습니다 → 적합도를 높임",
    ),
    (  # the firm rates itself above its peers: the gap is negative, said as "above"
        Contribution("target_fit", -0.1, {"targets": ("cap_marketing",), "gap": -0.6}),
        "The programme strengthens marketing and sales channels; "
        "there your firm is on average 0.6 points above firms like yours: lowers fit",
        "이 사업은 마케팅·판로 역량을 강화합니다. 해당 역량에서 귀사는 평균 "
        "동종 기업보다 0.6점 높습니다 → 적합도를 낮춤",
    ),
    (
        Contribution("target_fit", 0.001, {"targets": (), "gap": None}),
        "The programme strengthens no stated capabilities; your firm has not rated these: "
        "hardly changes fit",
        "이 사업은 명시된 역량 없음 역량을 강화합니다. 귀사는 해당 역량을 자가진단하지 "
        "않았습니다 → 적합도에 거의 영향 없음",
    ),
    (
        Contribution("finances", -0.01, {"revenue_krw_m": 8500.0, "revenue_growth": 0.07}),
        "Revenue 8.5 billion KRW, growth +7%: lowers fit",
        "매출 85억 원, 증가율 +7% → 적합도를 낮춤",
    ),
    (
        Contribution("finances", 0.01, {"revenue_krw_m": 420.0, "revenue_growth": None}),
        "Revenue 420 million KRW, growth not known: raises fit",
        "매출 4억 2천만 원, 증가율 미기재 → 적합도를 높임",
    ),
    (
        Contribution("rnd_base", 0.02, {"researchers": 6.0, "patents": 3.0, "has_rnd_lab": True}),
        "R&D base: 6 researchers, 3 patents, with an R&D lab: raises fit",
        None,
    ),
    (
        Contribution("exports", 0.02, {"export_share": 0.25}),
        "Exports: 25% of revenue: raises fit",
        "수출: 매출의 25% → 적합도를 높임",
    ),
    (
        Contribution("sector", 0.02, {"sector": "kbs_ict"}),
        "Sector: ICT services: raises fit",
        "업종: ICT 서비스업 → 적합도를 높임",
    ),
    (
        Contribution("self_assessment", 0.02, {"mean": 2.714, "unanswered": 5}),
        "Self-diagnosis average 2.7/5 with 5 of 12 items unanswered: raises fit",
        "자가진단 평균 2.7/5점, 12개 문항 중 5개 미응답 → 적합도를 높임",
    ),
    (  # a firm that rated none of the readiness capabilities: said, never "unknown/5"
        Contribution("readiness", 0.0, {"capabilities": ("cap_marketing",), "value": None}),
        "Readiness to absorb this support (marketing and sales channels): not rated: "
        "hardly changes fit",
        "이 지원을 소화할 준비도(마케팅·판로): 자가진단 안 함 → 적합도에 거의 영향 없음",
    ),
    (
        Contribution("self_assessment", -0.02, {"mean": None, "unanswered": 12}),
        "Self-diagnosis: none of the 12 items answered: lowers fit",
        "자가진단: 12개 문항 모두 미응답 → 적합도를 낮춤",
    ),
    (
        Contribution("history", 0.02, {"programmes": 2, "same_type": 1}),
        "Took part in 2 programmes before, 1 of this type: raises fit",
        None,
    ),
    (
        Contribution("support_level", -0.13, {"support_krw_m": None}),
        "Support per firm not stated: lowers fit",
        "기업당 지원금 미기재 → 적합도를 낮춤",
    ),
    (
        Contribution("support_level", 0.13, {"support_krw_m": 50.0}),
        "Support per firm: up to 50 million KRW: raises fit",
        "기업당 지원금: 최대 5천만 원 → 적합도를 높임",
    ),
    (
        Contribution("programme_format", 0.02, {"duration_months": 6.0, "capacity": None}),
        "Format: 6 months: raises fit",
        "형식: 6개월 → 적합도를 높임",
    ),
    (
        Contribution("programme_format", 0.0, {"duration_months": None, "capacity": None}),
        "Format: duration and places not stated: hardly changes fit",
        "형식: 기간·선정 규모 미기재 → 적합도에 거의 영향 없음",
    ),
    (
        Contribution("programme_type", 0.02, {"programme_type": "rnd_planning"}),
        "Programme type: R&D planning: raises fit",
        "사업 유형: R&D 기획 → 적합도를 높임",
    ),
    (
        Contribution("text_match", 0.4, {"match": 0.213}),
        "The announcement's words are close to your business description (match 21 of 100): "
        "raises fit",
        "공고의 표현이 귀사의 사업 설명과 가깝습니다(일치도 100점 중 21점) → 적합도를 높임",
    ),
    (
        Contribution("text_match", -0.1, {"match": 0.031}),
        "The announcement has few words in common with your business description "
        "(match 3 of 100): lowers fit",
        "공고와 귀사의 사업 설명에 겹치는 표현이 적습니다(일치도 100점 중 3점) → 적합도를 낮춤",
    ),
    (
        Contribution("text_match", 0.05, {"match": None}),
        "No business description given: scored as a firm whose match is not known: raises fit",
        "사업 설명이 없어 일치도를 모르는 기업으로 평가했습니다 → 적합도를 높임",
    ),
]


@pytest.mark.parametrize(("contribution", "english"), [(c, en) for c, en, _ in SENTENCES])
def test_a_contribution_is_said_from_its_facts(contribution: Contribution, english: str) -> None:
    assert renderer("en").sentence(contribution) == english


@pytest.mark.parametrize(
    ("contribution", "korean"), [(c, ko) for c, _, ko in SENTENCES if ko is not None]
)
def test_a_contribution_is_said_in_korean(contribution: Contribution, korean: str) -> None:
    assert renderer("ko").sentence(contribution) == korean


def test_describe_is_the_sentence_without_its_effect() -> None:
    en = renderer("en")
    assert en.describe(GAP) == (
        "Marketing and sales channels: self-rated 2/5, peers in your sector and size 3.4"
    )
    assert en.sentence(GAP) == f"{en.describe(GAP)}: {en.effect(GAP.value)}"


@pytest.mark.parametrize(
    ("value", "key"),
    [(0.1, "effect_up"), (-0.1, "effect_down"), (0.004, "effect_none"), (-0.004, "effect_none")],
)
def test_small_contributions_hardly_change_fit(value: float, key: str) -> None:
    assert effect_key(value) == key


def test_factor_labels_name_the_capability_of_a_gap() -> None:
    assert (
        renderer("en").factor_label("gap:cap_marketing") == "Marketing and sales channels vs peers"
    )
    assert renderer("ko").factor_label("gap:cap_marketing") == "마케팅·판로 (동종 기업 대비)"
    assert renderer("ko").factor_label("support_level") == "지원 규모"


REASONS: list[tuple[Reason, str, str | None]] = [  # facts, English, Korean or None
    (
        Reason("min_employees", 10.0, 4.0),
        "needs at least 10 employees; your firm has 4",
        "종업원 10명 이상이어야 합니다. 귀사는 4명입니다",
    ),
    (
        Reason("max_firm_age", 1.0, 6.0),
        "takes firms at most 1 year old; your firm is 6 years old",
        "업력 1년 이하 기업만 신청할 수 있습니다. 귀사는 6년입니다",
    ),
    (
        Reason("max_revenue_krw_m", 5000.0, 8500.0),
        "takes firms with revenue up to 5,000 million KRW; your firm has 8,500 million KRW",
        None,
    ),
    (
        Reason("sector", ("kbs_ict", "mining"), "mfg_high_tech"),
        "open to firms in ICT services, mining; your firm is in high-tech manufacturing",
        None,
    ),
    (
        Reason("region", ("seoul", "busan"), "gyeonggi"),
        "open to firms in Seoul, Busan; your firm is in Gyeonggi",
        "서울, 부산 지역 기업만 신청할 수 있습니다. 귀사는 경기입니다",
    ),
    (
        Reason("lab"),
        "needs a registered corporate R&D lab; your firm has none",
        "기업부설연구소가 있어야 합니다. 귀사는 없습니다",
    ),
    (
        window_reason("2025-03-01", None, "2025-08-20"),
        "applications are open from 2025-03-01, not on 2025-08-20",
        "신청은 2025-03-01부터이며, 2025-08-20에는 신청할 수 없습니다",
    ),
    (
        window_reason(None, "2025-03-31", "2025-08-20"),
        "applications are open until 2025-03-31, not on 2025-08-20",
        "신청은 2025-03-31까지이며, 2025-08-20에는 신청할 수 없습니다",
    ),
]


@pytest.mark.parametrize(("reason", "english"), [(r, en) for r, en, _ in REASONS])
def test_a_reason_is_said_from_its_facts(reason: Reason, english: str) -> None:
    assert renderer("en").reason(reason) == english


@pytest.mark.parametrize(("reason", "korean"), [(r, ko) for r, _, ko in REASONS if ko])
def test_a_reason_is_said_in_korean(reason: Reason, korean: str) -> None:
    assert renderer("ko").reason(reason) == korean


def test_every_language_has_the_same_phrases() -> None:
    def keys(tree: dict, prefix: str = "") -> set[str]:
        return {
            k
            for key, v in tree.items()
            for k in (keys(v, f"{prefix}{key}.") if isinstance(v, dict) else {prefix + key})
        }

    trees = [keys(phrases()[lang]) for lang in LANGUAGES]
    assert all(t == trees[0] for t in trees)


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(RecommenderError, match="'fr'"):
        renderer("fr")


# --- one sign convention for gaps: peers minus own, said in words ----------------------
@pytest.mark.parametrize(
    ("gap", "short", "english", "korean"),
    [
        (1.34, False, "1.3 points below firms like yours", "동종 기업보다 1.3점 낮습니다"),
        (-0.4, False, "0.4 points above firms like yours", "동종 기업보다 0.4점 높습니다"),
        (0.02, False, "level with firms like yours", "동종 기업과 같은 수준입니다"),
        (1.34, True, "1.3 below", "1.3점 낮음"),
        (-0.4, True, "0.4 above", "0.4점 높음"),
        (None, False, "not rated by your firm", "귀사가 자가진단하지 않음"),
    ],
)
def test_a_gap_is_said_as_below_or_above_peers(
    gap: float | None, short: bool, english: str, korean: str
) -> None:
    assert renderer("en").gap(gap, short=short) == english
    assert renderer("ko").gap(gap, short=short) == korean


# --- support: kind and per-firm amount where stated, "not stated" where not ------------
@pytest.mark.parametrize(
    ("amount", "kind", "english", "korean"),
    [
        (50.0, "grant", "Grant, up to 50 million KRW per firm", "보조금, 기업당 최대 5천만 원"),
        (150.0, None, "up to 150 million KRW per firm", "기업당 최대 1억 5천만 원"),
        (1000.0, "loan", "Loan, up to 1 billion KRW per firm", "융자, 기업당 최대 10억 원"),
        (
            25.0,
            "voucher",
            "Voucher, up to 25 million KRW per firm",
            "바우처, 기업당 최대 2,500만 원",
        ),
        (None, "guarantee", "Credit guarantee; amount not stated", "보증, 지원 금액 미기재"),
        (None, None, "support not stated", "지원 규모 미기재"),
        (float("nan"), "", "support not stated", "지원 규모 미기재"),
    ],
)
def test_support_is_said_where_stated_and_never_from_a_missing_value(
    amount: float | None, kind: str | None, english: str, korean: str
) -> None:
    assert renderer("en").support(amount, kind) == english
    assert renderer("ko").support(amount, kind) == korean


@pytest.mark.parametrize(
    ("krw_m", "korean"),
    [(0.5, "50만 원"), (12.3, "1,230만 원"), (12345.6, "123억 4,560만 원"), (0.005, "5,000원")],
)
def test_sums_are_written_in_korean_units(krw_m: float, korean: str) -> None:
    assert renderer("ko").money(krw_m) == korean


def test_every_support_kind_of_the_contract_has_a_label() -> None:
    for lang in LANGUAGES:
        assert set(phrases()[lang]["support_kinds"]) == set(SUPPORT_KINDS)
