"""Programme type by keyword rules: decisions, evidence, confidence and the rules file."""

from __future__ import annotations

import tomllib

import pytest

from recommender.adapters.bizinfo.rules import load_type_rules
from recommender.bizinfo.classify import (
    V2_TYPES,
    classify_text,
    classify_v2,
    parse_type_rules,
)
from recommender.bizinfo.text import html_to_text, split_sections
from recommender.constants import (
    CAPABILITIES,
    PROGRAMME_TYPES,
    SCORED_TYPES,
    V1_PROGRAMME_TYPES,
)
from recommender.errors import DataValidationError


@pytest.fixture(scope="module")
def rules():
    return load_type_rules()


def decide(rules, title, html="", category=None):
    return classify_text(title, split_sections(html_to_text(html)), category, rules=rules)


@pytest.mark.parametrize(
    ("title", "html", "category", "expected"),
    [
        (
            "[제주] 2025년 중소기업육성자금 융자지원계획 공고",
            "<p>☞ 도내 중소기업</p><p>☞ 경영안정자금 지원</p>",
            "금융",
            "other",
        ),
        (
            "[경남] 2025년 소상공인 맞춤 컨설팅 지원 사업 시행 공고",
            "<p>☞ 소상공인</p><p>☞ 1:1 현장 방문 컨설팅 지원</p>",
            "경영",
            "consulting",
        ),
        (
            "[인천] 우즈베키스탄 타슈켄트 무역사절단 참가업체 모집 공고",
            "<p>☞ 인천 소재 중소기업</p><p>☞ 현지 바이어 상담 주선</p>",
            "수출",
            "globalization",
        ),
        (
            "[충북] RISE 첨단바이오 공동연구센터 산학공동기술개발과제 공고",
            "<p>☞ 충북 기업</p><p>☞ 산학공동기술개발과제 지원</p>",
            "기술",
            "industry_academic",
        ),
        (
            "2025년 로컬 장인학교 예비창업 교육생 모집 공고",
            "<p>☞ 예비창업자</p><p>☞ 특화 창업교육 지원</p>",
            "창업",
            "education",
        ),
        (
            "[경남] 2025년 디자인주도 제조혁신 신제품 R&D 기획 지원사업",
            "<p>☞ 도내 중소기업</p><p>☞ R&amp;D 과제 기획 지원</p>",
            "경영",
            "rnd_planning",
        ),
        (
            "2025년 지능형반도체 시제품제작지원 모집 공고",
            "<p>☞ 팹리스 기업</p><p>☞ 시제품 제작 비용 지원</p>",
            "경영",
            "commercialization",
        ),
    ],
)
def test_fixed_examples_get_the_type_a_reader_would_give(rules, title, html, category, expected):
    assert decide(rules, title, html, category).programme_type == expected


def test_evidence_names_the_rule_the_part_and_the_keywords(rules):
    d = decide(
        rules, "2025년 중소기업육성자금 융자지원계획 공고", "<p>☞ 기업</p><p>☞ 이차보전</p>", "금융"
    )
    assert "loan_guarantee->other[title:융자,육성자금; support:이차보전]" in d.evidence
    assert "category 금융->other" in d.evidence


def test_unless_phrases_are_not_evidence(rules):
    d = decide(rules, "바이오 기업지원 공고", "<p>☞ 기업</p><p>☞ 비R&amp;D 지원 프로그램</p>")
    assert d.scores["rnd_planning"] == 0
    assert "R&D" not in d.evidence


def test_latin_keywords_match_whole_words_only(rules):
    d = decide(rules, "2025년 스케일업 TIPS 기업 공고", "")
    assert "ip_design" not in d.evidence  # "IP" inside "TIPS" is not intellectual property


def test_nothing_matched_is_other_with_zero_confidence(rules):
    d = decide(rules, "안내", "<p>내용</p>", None)
    assert (d.programme_type, d.confidence, d.targets, d.evidence) == (
        "other",
        0.0,
        (),
        "no rule matched",
    )


def test_confidence_grows_with_agreement_and_stays_in_unit_interval(rules):
    clear = decide(
        rules, "2025년 중소기업육성자금 융자지원계획", "<p>☞ 기업</p><p>☞ 융자 지원</p>", "금융"
    )
    mixed = decide(rules, "수출기업 컨설팅 및 교육 지원", "<p>☞ 기업</p><p>☞ 컨설팅, 교육</p>")
    assert 0 < mixed.confidence < clear.confidence <= 1


def test_targets_come_from_fired_rules_or_the_type_default(rules):
    loan = decide(rules, "중소기업 운전자금 융자 공고", "", "금융")
    assert loan.targets == ("cap_funding_access",)
    export = decide(rules, "해외 수출상담회 참가기업 모집", "", "수출")
    assert export.targets == ("cap_global_orientation", "cap_global_partnerships")


def test_ties_go_to_the_type_listed_first(rules):
    d = decide(rules, "수출 컨설팅", "")  # export 3.5x3 vs consulting 2.5x3: globalization
    assert d.programme_type == "globalization"


def test_the_shipped_rules_cover_every_type_and_name_only_real_capabilities(rules):
    assert {r.type for r in rules.rules} == set(V1_PROGRAMME_TYPES)
    assert {r.v2_type for r in rules.rules} == set(PROGRAMME_TYPES)
    assert all(set(r.targets) <= set(CAPABILITIES) for r in rules.rules)


def test_rules_with_an_unknown_type_or_target_are_refused_by_name():
    raw = tomllib.loads(
        '[scoring]\ntype_order = ["other", "globalization", "rnd_planning", '
        '"industry_academic", "education", "consulting", "commercialization"]\n'
        '[[rule]]\nname = "x"\ntype = "marketing"\nkeywords = ["a"]\n'
        '[[rule]]\nname = "y"\ntype = "other"\nkeywords = ["b"]\n'
        'targets = ["cap_money"]\n'
    )
    with pytest.raises(DataValidationError) as caught:
        parse_type_rules(raw, source="rules.toml")
    text = str(caught.value)
    assert "rules.toml" in text and "rule 1 (x)" in text and "'marketing'" in text
    assert "rule 2 (y)" in text and "cap_money" in text


# --- the second classification: finance and workforce out of other ----------------------
def decide_v2(rules, title, html="", category=None):
    return classify_v2(title, split_sections(html_to_text(html)), category, rules=rules)


@pytest.mark.parametrize(
    ("title", "html", "category", "expected"),
    [
        (
            "[제주] 2025년 중소기업육성자금 융자지원계획 공고",
            "<p>☞ 도내 중소기업</p><p>☞ 경영안정자금 지원</p>",
            "금융",
            "finance",
        ),
        (
            "중소기업에 대한 특별세액감면 안내",
            "<p>☞ 중소기업</p><p>☞ 세액감면</p>",
            "기타",
            "finance",
        ),
        (
            "[광주] 2025년 우수인재 유치 인건비 지원사업",
            "<p>☞ 창업기업</p><p>☞ 인건비 지원</p>",
            "인력",
            "workforce",
        ),
        (
            "[경남] 2025년 소상공인 맞춤 컨설팅 지원 사업 시행 공고",
            "<p>☞ 소상공인</p><p>☞ 1:1 현장 방문 컨설팅 지원</p>",
            "경영",
            "consulting",
        ),
    ],
)
def test_v2_splits_finance_and_workforce_from_other_and_keeps_the_rest(
    rules, title, html, category, expected
):
    assert decide_v2(rules, title, html, category).programme_type == expected


def test_v2_evidence_names_the_new_type_and_v1_still_says_other(rules):
    html = "<p>☞ 기업</p><p>☞ 이차보전</p>"
    v2 = decide_v2(rules, "2025년 중소기업육성자금 융자지원계획 공고", html, "금융")
    assert "loan_guarantee->finance[title:융자,육성자금; support:이차보전]" in v2.evidence
    assert "category 금융->finance" in v2.evidence and v2.targets == ("cap_funding_access",)
    v1 = decide(rules, "2025년 중소기업육성자금 융자지원계획 공고", html, "금융")
    assert v1.programme_type == "other" and v2.programme_type == "finance"


def test_the_second_classification_speaks_the_contracts_programme_types():
    assert V2_TYPES == PROGRAMME_TYPES
    assert {"finance", "workforce"} <= set(SCORED_TYPES)  # the model scores both


def test_a_rule_with_an_unknown_v2_type_is_refused_by_name():
    raw = tomllib.loads(
        '[[rule]]\nname = "z"\ntype = "other"\nv2_type = "banking"\nkeywords = ["a"]\n'
    )
    with pytest.raises(DataValidationError, match=r"rule 1 \(z\).*banking"):
        parse_type_rules(raw, source="rules.toml")
