"""The import fills contract v1 from what the announcement says and carries the rest.

Regions, firm age, headcount and the per-firm support amount go into the contract's own
columns; districts, required groups, industries, kind of support, offers-nothing and the
second programme type travel in extra columns, each beside its evidence, for the
contract-v2 step to map.
"""

from __future__ import annotations

import pandas as pd
import pytest

from recommender.adapters.bizinfo.industry_rules import load_industry_rules
from recommender.adapters.bizinfo.rules import load_type_rules
from recommender.bizinfo.importer import announcements_to_programmes, validate_programmes
from recommender.bizinfo.reading import NOT_STATED


@pytest.fixture(scope="module")
def rules():
    return load_type_rules()


def row(**values: str) -> dict[str, str]:
    base = {
        "id": "PBLN_1",
        "title": "[경기] 포천시 2025년 포장재 지원사업 참여기업 모집 공고",
        "link": "",
        "author": "경기도",
        "excInsttNm": "경기대진테크노파크",
        "lcategory": "경영",
        "pubDate": "2025-03-02",
        "apply_start": "",
        "apply_end": "",
        "trgetNm": "중소기업",
        "description": "<p>개요</p><p>☞ 포천시 소재 중소기업(사업자등록증상 제조업)</p>"
        "<p>☞ 포장재 제작비용 최대 500만원 이내 지원</p>",
    }
    return base | values


def imported(rules, *rows: dict[str, str], industries: bool = True) -> pd.DataFrame:
    return announcements_to_programmes(
        pd.DataFrame(list(rows)),
        rules=rules,
        industry_rules=load_industry_rules() if industries else None,
    )


def test_contract_columns_get_the_amount_and_extra_columns_the_district_and_industry(rules):
    out = imported(rules, row()).iloc[0]
    assert out["regions"] == "gyeonggi" and out["support_krw_m"] == 5
    assert out["districts"] == "포천시" and "포천시" in out["district_evidence"]
    assert out["industries"].split(";") == [str(d) for d in range(10, 35)]
    assert out["support_kind"] == "grant" and "최대 500만원" in out["support_amount_evidence"]
    assert out["offers_nothing"] is False and out["offers_nothing_evidence"] == NOT_STATED
    assert len(validate_programmes(imported(rules, row()))) == 1


def test_a_guarantee_is_a_finance_programme_the_model_scores(rules):
    out = imported(
        rules,
        row(
            title="[전북] 익산시 희망더드림 특례보증 대출지원사업 공고",
            lcategory="금융",
            description="<p>☞ 익산시 소재 소상공인</p>"
            "<p>☞ 업체당 최대 50백만원 이내 특례보증 지원</p>",
        ),
    ).iloc[0]
    assert (out["programme_type"], out["type_v2"]) == ("finance", "finance")
    assert out["support_kind"] == "guarantee" and out["support_krw_m"] == 50
    assert out["target_groups"] == "small_merchant"


def test_a_summary_naming_a_region_restricts_a_ministrys_programme(rules):
    out = imported(
        rules,
        row(
            title="2025년 뿌리기업 기술첨단화 지원사업",
            author="중소벤처기업부",
            excInsttNm="한국생산기술연구원",
            description="<p>☞ 울산지역 소재 뿌리기술 분야 중소기업</p><p>☞ 시제품 제작 지원</p>",
        ),
    ).iloc[0]
    assert out["regions"] == "ulsan" and "울산지역" in out["region_evidence"]


def test_preliminary_founders_only_are_at_most_zero_years_old(rules):
    out = imported(
        rules,
        row(
            title="2025년 예비창업패키지 모집 공고",
            author="중소벤처기업부",
            description="<p>☞ 예비창업자</p><p>☞ 사업화 자금 지원</p>",
        ),
    ).iloc[0]
    assert out["max_firm_age"] == 0 and pd.isna(out["min_firm_age"])
    assert "예비창업자" in out["eligibility_evidence"]


def test_an_award_call_offers_nothing_and_says_why(rules):
    out = imported(
        rules,
        row(
            title="2025년 기업가정신 확산 및 진흥 유공 포상 신청 공고",
            description="<p>☞ 개인 및 단체</p><p>☞ 장관표창 지원</p>",
        ),
    ).iloc[0]
    assert out["offers_nothing"] is True and "award" in out["offers_nothing_evidence"]
    assert out["programme_type"] == "other" and out["targets"] is None
    assert pd.isna(out["support_krw_m"]) and out["support_kind"] is None


def test_without_an_industry_mapping_industries_are_not_read_and_that_is_said(rules):
    out = imported(rules, row(), industries=False).iloc[0]
    assert out["industries"] is None and "no industry mapping" in out["industries_evidence"]
