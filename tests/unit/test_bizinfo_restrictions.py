"""Restrictions the readers catch beyond the plain "who may apply" line: a part of a 시도,
a trade named in the title or narrowed on the line, a group named only in the title,
a gloss in parentheses, public bodies as the only applicants, alternative age limits.
Each reading names the words that decided."""

from __future__ import annotations

import pytest

from recommender.adapters.bizinfo.industry_rules import load_industry_rules
from recommender.bizinfo.criteria import read_max_firm_age
from recommender.bizinfo.districts import read_districts
from recommender.bizinfo.groups import read_target_groups
from recommender.bizinfo.holdings import read_lab_required, read_patent_required
from recommender.bizinfo.industries import read_industries
from recommender.bizinfo.offers import read_offers_nothing
from recommender.bizinfo.places import SUBREGIONS
from recommender.bizinfo.reading import NOT_STATED
from tests.unit.test_bizinfo_fields import notice

SHIPPED = load_industry_rules()
GYEONGGI_NORTH = SUBREGIONS["경기북부"][1]


# --- a named part of a 시도 ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("title", "intro"),
    [
        ("[경기] 북부 K-콘텐츠 수출도약 지원사업 참가기업 모집 공고", ""),
        ("[경기] 북부권역 2025년 새일여성인턴 사업 참여 기업 모집 공고", ""),
        ("2025년 수출도약 지원사업 공고", "2025 경기북부 K콘텐츠 수출도약 지원사업"),
    ],
)
def test_gyeonggi_north_is_its_ten_cities_and_counties(title, intro):
    reading = read_districts(notice(title, intro=intro), frozenset({"gyeonggi"}))
    assert reading.value.split(";") == list(GYEONGGI_NORTH)
    assert "북부" in reading.evidence and "10 시군구" in reading.evidence


def test_gyeonggi_north_lists_no_southern_city():
    assert len(GYEONGGI_NORTH) == 10 and "부천시" not in GYEONGGI_NORTH


# --- industries --------------------------------------------------------------------------
def test_a_narrower_trade_beside_manufacturing_decides_the_line():
    reading = read_industries(
        notice(target="국내 체외진단의료기기 제조기업 중 기술지원 수요기업"), rules=SHIPPED
    )
    assert reading.value == ("27",) and "medical_devices[" in reading.evidence
    assert "manufacturing" not in reading.evidence


def test_the_title_names_the_trade_when_the_applicants_line_does_not():
    reading = read_industries(
        notice(
            "2025년 소규모 식품업체 맞춤형 기술지원 서비스 사업 공고",
            target="연 매출액 10억 미만의 업소",
        ),
        rules=SHIPPED,
    )
    assert reading.value == ("10",) and reading.evidence == "title: food[식품업체]"


def test_a_title_keyword_that_is_not_the_applicants_trade_restricts_nothing():
    reading = read_industries(
        notice("2025년 스마트공장 사업 반도체 특강 안내", target="도내 중소기업"), rules=SHIPPED
    )
    assert reading == ((), NOT_STATED)


@pytest.mark.parametrize(
    ("target", "prefixes"),
    [
        ("글로벌향 SaaS 서비스를 개발·보유하고 해외 진출 역량이 우수한 중소기업", "58"),
        ("투자 유치를 희망하는 서울 소재 중소 콘텐츠 기업(법인기업)", "581"),
        ("플랜트기자재 수출기업", "251"),
        ("정보통신망연결기기등 정보보호인증을 받은 제품", "26"),
        ("방위산업분야에서 부품을 생산하는 중소기업", "252"),
        ("친환경선박 건조 계약을 체결한 외항화물운송사업자", "50"),
    ],
)
def test_shipped_keywords_give_the_trades_own_prefixes(target, prefixes):
    reading = read_industries(notice(target=target), rules=SHIPPED)
    assert prefixes in reading.value


def test_content_is_not_software_and_a_shipping_line_is_not_a_shipyard():
    content = read_industries(notice(target="중소 콘텐츠 기업"), rules=SHIPPED)
    shipping = read_industries(
        notice(target="친환경선박 건조 계약을 체결한 외항화물운송사업자"), rules=SHIPPED
    )
    assert not any("58222".startswith(p) for p in content.value)
    assert not any("31114".startswith(p) for p in shipping.value)


def test_an_iot_meter_any_plant_fits_is_no_industry():
    reading = read_industries(
        notice(target="사물인터넷(IoT) 측정기기 부착대상 시설을 운영하는 중소기업"), rules=SHIPPED
    )
    assert reading == ((), NOT_STATED)


# --- target groups -----------------------------------------------------------------------
def test_a_title_names_the_group_when_the_summary_names_no_applicant():
    reading = read_target_groups(
        notice(
            "2025년 소상공인 상품개선 지원사업(BIㆍ캐릭터 디자인 개선ㆍ제작) 소상공인 모집 공고",
            target="온라인 판매가 가능한 B2C 상품(유형상품)",
        )
    )
    assert reading.value == ("small_merchant",) and reading.evidence.startswith("title")


@pytest.mark.parametrize(
    ("title", "target"),
    [
        ("2025년 소상공인 판로 지원사업 참여기업 모집 공고", "온라인 판매가 가능한 상품"),
        ("2025년 소상공인 상품개선 소상공인 모집 공고", "도내 중소기업"),
    ],
)
def test_the_title_does_not_decide_when_it_or_the_summary_names_firms(title, target):
    assert read_target_groups(notice(title, target=target)) == ((), NOT_STATED)


def test_a_parenthesis_glosses_the_group_and_admits_no_one_else():
    reading = read_target_groups(
        notice(target="IT 인력이 필요한 국내 벤처기업 (과거 벤처기업확인 이력 있는 기업 포함)")
    )
    open_to_all = read_target_groups(notice(target="중소기업(소상공인 포함)"))
    assert reading.value == ("venture_certified",)
    assert open_to_all == ((), NOT_STATED)


# --- notices for public bodies -------------------------------------------------------------
def test_a_call_for_public_research_institutes_offers_firms_nothing():
    reading = read_offers_nothing(
        notice(target="국가 또는 지방자치단체가 직접 설치하여 운영하는 연구기관")
    )
    assert reading.value is True and "public bodies" in reading.evidence


@pytest.mark.parametrize(
    "target",
    [
        "해양수산 분야 산ㆍ학ㆍ연 연구자(연구기관) 전체 대상",
        "관련 지자체 또는 사업장",
        "기업, 대학, 연구기관",
    ],
)
def test_public_bodies_beside_firms_still_offer_something(target):
    assert read_offers_nothing(notice(target=target)) == (False, NOT_STATED)


# --- firm age ----------------------------------------------------------------------------
def test_alternative_age_limits_in_the_laws_wording_give_the_loosest():
    text = (
        "중소기업을 창업하여 사업을 개시한 날부터 7년이 지나지 아니한 기업 또는 "
        "신산업 분야 사업을 개시한 날로부터 10년이 지나지 않은 중소기업"
    )
    reading = read_max_firm_age(notice(target=text), ())
    assert reading.value == 10 and "10년" in reading.evidence


def test_upstream_and_downstream_industries_are_not_defence():
    reading = read_industries(
        notice("CCU 전후방산업 기업지원 프로그램", target="CCU 전후방산업 기업"), rules=SHIPPED
    )
    assert "252" not in reading.value


# --- what the applicant must hold: an R&D lab, a patent ----------------------------------
@pytest.mark.parametrize(
    ("target", "required"),
    [
        (
            "「중소기업기본법」제2조에 따른 중소기업으로, "
            "기업부설연구소 또는 연구개발전담부서를 보유한 중소기업",
            True,
        ),
        ("연구인력 채용수요가 있고, 기업부설연구소(또는 연구개발전담부서)가 설치된 중소기업", True),
        ("소규모(연구활동종사자 10인∼49인) 기업부설연구소 및 연구개발전담부서", True),
        (
            "인천지역에 본사 및 기업부설연구소(또는 연구개발전담부서)가 설립된 기업(법인사업자)",
            True,
        ),
        # a place the firm may be located at, not something it must have
        (
            "공고일 현재 본사, 지사, 공장, 기업부설연구소 중 1개 이상 "
            "영암군 소재지로 등록된 중소기업",
            False,
        ),
        ("전북특별자치도에 본사, 지점, 공장 또는 기업부설연구소를 둔 개인 및 법인기업", False),
        ("경남지역 내 사업장 또는 공장(부설연구소 포함)을 보유한 기업", False),
        # something the programme helps to set up
        ("전국 기업 대상 대구지역 내 연구소/전담부서 및 전문연구사업자 설립 희망 기업", False),
    ],
)
def test_an_rnd_lab_is_required_only_when_the_applicant_must_have_one(target, required):
    reading = read_lab_required(notice(target=target))
    assert reading.value is required
    assert reading.evidence == (f"applicants: {target}" if required else NOT_STATED)


@pytest.mark.parametrize(
    ("target", "required"),
    [
        ("특허권을 보유 및 사업화하여 활용하고 있는 중소기업 및 초기 중견기업", True),
        (
            "출원 특허 또는 등록된 특허권을 보유하고 사업화하여 활용하고 있는 국내 등록된 사업자",
            True,
        ),
        # another right would do as well
        ("특허권, 임치기술, 실용신안권, 디자인권을 보유한 국내소재 중소기업", False),
        ("대상 국가에 유효 또는 출원한 지식재산권(상표/디자인/특허 등)을 보유한 기업", False),
        # a patent pledged for a loan, or transferred: not a holding the call asks for
        ("특허(IP)를 담보로 금융기관에서 대출을 받은 소방산업체", False),
        ("자체 연구ㆍ개발한 특허권, 실용신안권, 기술비법 또는 기술을 이전하는 중소기업", False),
    ],
)
def test_a_patent_is_required_only_when_the_applicant_must_hold_one(target, required):
    reading = read_patent_required(notice(target=target))
    assert reading.value is required
    assert reading.evidence == (f"applicants: {target}" if required else NOT_STATED)


def test_women_founders_among_smes_are_a_group_a_law_name_does_not_open():
    reading = read_target_groups(
        notice(target="여성 (예비)창업자 및 「중소기업기본법」 상 중소기업인 중 여성기업")
    )
    assert "women_owned" in reading.value
