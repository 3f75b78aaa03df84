"""Field parsers: regions, dates and year, agency, URL, and the stated eligibility rules."""

from __future__ import annotations

import datetime as dt

import pytest

from recommender.bizinfo.parse import (
    announcement_url,
    apply_window,
    parse_agency,
    parse_date,
    parse_employees,
    parse_firm_age,
    parse_max_revenue,
    parse_regions,
    parse_sectors,
    programme_year,
)
from recommender.bizinfo.regions import REGION_NAMES
from recommender.constants import ALL, REGIONS


# --- regions -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("title", "regions"),
    [
        ("[경기] 수원시 2025년 수출보험 지원", "gyeonggi"),
        ("[서울] 강서구 상담회", "seoul"),
        ("[제주] 지역혁신클러스터", "jeju"),
        ("[전북특별자치도] 공고", "jeonbuk"),
        ("[전라북도] 공고", "jeonbuk"),
        ("[강원특별자치도] 공고", "gangwon"),
        ("[대구ㆍ경북] 메이커 스페이스", "daegu;gyeongbuk"),
        ("[부산ㆍ울산ㆍ경남] 동남권", "busan;ulsan;gyeongnam"),
        ("[서울·인천·경기] 일경험", "seoul;incheon;gyeonggi"),
        ("[전국] 솔라리그", ALL),
    ],
)
def test_the_leading_title_tag_names_the_regions_in_contract_order(title, regions):
    assert parse_regions(title, "중소벤처기업부").regions == regions


def test_non_capital_area_tag_is_every_region_outside_seoul_incheon_gyeonggi():
    regions = parse_regions("[비수도권] 지원", None).regions.split(";")
    assert set(regions) == set(REGIONS) - {"seoul", "incheon", "gyeonggi"}


def test_every_short_province_tag_maps_to_a_distinct_region():
    short = [
        "서울",
        "부산",
        "대구",
        "인천",
        "광주",
        "대전",
        "울산",
        "세종",
        "경기",
        "강원",
        "충북",
        "충남",
        "전북",
        "전남",
        "경북",
        "경남",
        "제주",
    ]
    assert sorted(REGION_NAMES[s] for s in short) == sorted(REGIONS)


@pytest.mark.parametrize(
    ("author", "regions"),
    [
        ("경기도", "gyeonggi"),
        ("부산광역시", "busan"),
        ("전북특별자치도", "jeonbuk"),
        ("강원특별자치도", "gangwon"),
        ("세종특별자치시", "sejong"),
        ("제주특별자치도", "jeju"),
        ("중소벤처기업부", ALL),
        ("산업통상자원부", ALL),
    ],
)
def test_without_a_tag_a_local_government_author_decides_and_a_ministry_means_all(author, regions):
    result = parse_regions("2025년 스마트공장 지원사업 공고", author)
    assert result.regions == regions
    assert author in result.evidence


def test_a_bracket_that_is_not_a_place_falls_back_to_the_author():
    assert parse_regions("[추경] 2025년 수출바우처", "경상북도").regions == "gyeongbuk"


def test_no_tag_and_no_author_is_all_regions():
    assert parse_regions("공고", None).regions == ALL


def test_the_tag_wins_over_the_author():
    assert parse_regions("[인천] 무역사절단", "중소벤처기업부").regions == "incheon"


# --- dates, window, year -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("2025-08-12", dt.date(2025, 8, 12)),
        ("2025.8.1", dt.date(2025, 8, 1)),
        ("2025년 8월 1일", dt.date(2025, 8, 1)),
        ("20250801", dt.date(2025, 8, 1)),
        ("2025-08-12 18:00", dt.date(2025, 8, 12)),
        ("2025-02-30", None),
        ("예산 소진시까지", None),
        ("", None),
        (None, None),
        (float("nan"), None),
    ],
)
def test_parse_date_reads_common_forms_and_refuses_the_rest(value, day):
    assert parse_date(value) == day


def test_a_present_window_is_kept_as_iso_dates():
    window = apply_window("2025.7.14", "2025-08-19")
    assert (window.start, window.end, window.evidence) == ("2025-07-14", "2025-08-19", "")


def test_an_absent_window_stays_empty_without_complaint():
    assert apply_window("", None) == (None, None, "")


def test_an_unreadable_end_stays_empty_and_is_named_in_the_evidence():
    window = apply_window("2025-01-02", "상시")
    assert (window.start, window.end) == ("2025-01-02", None)
    assert "apply_end '상시' unreadable" in window.evidence


def test_a_reversed_window_is_flagged():
    assert "before" in apply_window("2025-03-01", "2025-02-01").evidence


def test_year_comes_from_the_window_start_before_the_publication_date():
    window = apply_window("2026-01-05", "2026-02-01")
    assert programme_year(window, "2025-12-20") == (2026, "year from apply_start")


def test_year_falls_back_to_the_publication_date():
    assert programme_year(apply_window("", ""), "2024-11-03") == (2024, "year from pubDate")


def test_year_is_unknown_when_no_date_is_readable():
    assert programme_year(apply_window("", ""), "언젠가")[0] is None


# --- agency and url ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("executing", "author", "agency"),
    [
        ("인천테크노파크", "인천광역시", "인천테크노파크"),
        ("기초자치단체", "경기도", "경기도"),
        ("직접수행", "고용노동부", "고용노동부"),
        ("", "", None),
    ],
)
def test_agency_is_the_executing_agency_unless_it_names_none(executing, author, agency):
    assert parse_agency(executing, author) == agency


def test_relative_links_get_the_bizinfo_host_and_absolute_ones_are_kept():
    assert announcement_url("/web/view.do?pblancId=PBLN_1") == (
        "https://www.bizinfo.go.kr/web/view.do?pblancId=PBLN_1"
    )
    assert announcement_url("https://example.org/a") == "https://example.org/a"
    assert announcement_url("") is None


# --- eligibility stated in the "who may apply" part --------------------------------------
@pytest.mark.parametrize(
    ("target", "low", "high"),
    [
        ("☞ 서울시 소재 상시근로자 수 5인 이상 기업체", 5, None),
        ("☞ 관내 상시 근로자 10인 미만 소공인", None, 9),
        ("☞ 상시근로자 수 5인 이상~1,000인 미만 기업", 5, 999),
        ("☞ 상시근로자 5인이상 500인 이하 중소기업", 5, 500),
        ("☞ 고용보험 피보험자 10인 이상 기업", 10, None),
        ("☞ 상시근로자 5인~100인 미만 기업", 5, 99),
    ],
)
def test_explicit_headcount_limits_become_inclusive_bounds(target, low, high):
    bounds = parse_employees(target)
    assert (bounds.low, bounds.high) == (low, high)


@pytest.mark.parametrize(
    "target",
    [
        "☞ 도내 중소기업",
        "☞ 상시근로자 5인 이상 1,000인 미만\n"
        "- 단, 상시근로자 수 5인 미만의 기업이라도 다음 기업은 참여 가능",
        "☞ 제조업 : 상시근로자 10명 미만 업체\n- 서비스업 : 상시근로자 5명 미만 업체",
        "☞ 소상공인 : 상시근로자 5인 미만 사업자(제조·건설·운수·광업은 10인 미만)",
    ],
)
def test_hedged_or_industry_dependent_headcounts_make_no_rule(target):
    bounds = parse_employees(target)
    assert (bounds.low, bounds.high) == (None, None)


@pytest.mark.parametrize(
    ("target", "low", "high"),
    [
        ("☞ 창업 7년 이내 중소기업", None, 7),
        ("☞ 업력 3년 미만의 청년 소상공인", None, 2),
        ("☞ 대전 소재 예비창업자 또는 7년 이내 창업기업", None, 7),
        ("☞ 업력이 만 2년 이상인 기업", 2, None),
        ("☞ 창업 후 3년 이내 기업\n- 창업 후 7년 이내 기업", None, None),
    ],
)
def test_firm_age_limits(target, low, high):
    bounds = parse_firm_age(target)
    assert (bounds.low, bounds.high) == (low, high)


def test_revenue_cap_in_million_krw():
    assert parse_max_revenue("☞ 연매출 120억 이하 중소기업").high == 12_000
    assert parse_max_revenue("☞ 연매출액(부가세 포함) 1억원 이하 소상공인").high == 100
    assert parse_max_revenue("☞ 도내 중소기업").high is None


MFG = "mfg_high_tech;mfg_mid_tech;mfg_low_tech"


@pytest.mark.parametrize(
    ("target", "group", "sectors"),
    [
        ("☞ 관내 공장등록 중소기업(제조업 영위)", "중소기업", MFG),
        ("☞ 포천지역 가구제조업(C32) 소공인", "소상공인", MFG),
        (
            "☞ 창원시에 본사가 있는 중소기업 (제조업, 소프트웨어 개발업)",
            "중소기업",
            MFG + ";kbs_ict",
        ),
        ("☞ 전북소재 ICT/SW 기업", "중소기업", "kbs_ict"),
        ("☞ 부산 지역 게임 및 콘텐츠 기업", "중소기업", "kbs_content"),
        ("☞ 도내 중소기업", "제조업", MFG),
    ],
)
def test_sectors_only_where_the_applicants_are_named_plainly(target, group, sectors):
    assert parse_sectors(target, group).sectors == sectors


@pytest.mark.parametrize(
    "target",
    [
        "☞ 도내 중소기업",
        "☞ 인천소재 제조업 또는 제조업관련업 중소기업",
        "☞ 제조업, 제조업 관련 서비스업, 지식기반(서비스)산업, 호텔업",
        "☞ 도내 중소 제조업체, 사회적경제기업, 제조업 관련 서비스업",
        "☞ 경북 지역 수출입 기업 및 수출물품 제조업체",
    ],
)
def test_sectors_stay_open_when_other_firms_are_admitted_too(target):
    assert parse_sectors(target, "중소기업").sectors == ALL
