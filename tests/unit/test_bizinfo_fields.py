"""What an announcement says, field by field: places, groups, industries, limits, support,
notices that offer nothing; each reading keeps the words that decided or "not stated"."""

from __future__ import annotations

import pytest

from recommender.bizinfo.amounts import per_firm_maximum
from recommender.bizinfo.criteria import read_max_employees, read_max_firm_age
from recommender.bizinfo.districts import read_districts
from recommender.bizinfo.groups import read_target_groups
from recommender.bizinfo.industries import parse_industry_rules, read_industries
from recommender.bizinfo.offers import read_offers_nothing
from recommender.bizinfo.places import DISTRICT_REGIONS, SIGUNGU
from recommender.bizinfo.reading import NOT_STATED, Notice
from recommender.bizinfo.regions import read_regions
from recommender.bizinfo.support import read_support_amount, read_support_kind
from recommender.bizinfo.text import html_to_text, split_sections
from recommender.constants import ALL, REGIONS
from recommender.errors import DataValidationError

MANUFACTURING = tuple(str(d) for d in range(10, 35))
INDUSTRIES = parse_industry_rules(
    {
        "industry": [
            {
                "name": "manufacturing",
                "keywords": ["제조업", "제조기업", "소공인"],
                "unless": ["제조업 관련 서비스업"],
                "ksic": list(MANUFACTURING),
            },
            {"name": "food_services", "keywords": ["음식점"], "ksic": ["561"]},
            {"name": "cosmetics", "keywords": ["화장품"], "ksic": ["20423"]},
            {"name": "robots", "keywords": ["로봇"], "ksic": ["29"]},
        ]
    }
)


def notice(
    title: str = "2025년 지원사업 공고",
    *,
    target: str = "",
    support: str = "",
    intro: str = "",
    author: str = "",
    agency: str = "",
    group: str = "",
    category: str = "",
) -> Notice:
    html = "".join(
        f"<p>{p}</p>" for p in (intro, target and f"☞ {target}", support and f"☞ {support}") if p
    )
    return Notice(
        title=title,
        author=author,
        agency=agency,
        category=category,
        target_group=group,
        sections=split_sections(html_to_text(html)),
    )


# --- the shipped table of 시도 and 시군구 ------------------------------------------------------
def test_the_table_has_every_region_and_226_districts_plus_jeju_and_incheon_2026():
    assert set(SIGUNGU) == set(REGIONS)
    assert sum(len(v) for v in SIGUNGU.values()) == 226 + 2 + 3
    assert {"제주시", "서귀포시"} == set(SIGUNGU["jeju"])
    assert {"제물포구", "영종구", "검단구", "중구", "동구"} <= set(SIGUNGU["incheon"])
    assert SIGUNGU["sejong"] == ()
    assert "군위군" in SIGUNGU["daegu"] and "군위군" not in SIGUNGU["gyeongbuk"]


def test_a_gu_name_shared_by_several_cities_knows_them_all():
    assert set(DISTRICT_REGIONS["북구"]) == {"busan", "daegu", "gwangju", "ulsan"}
    assert DISTRICT_REGIONS["화성시"] == ("gyeonggi",)


# --- regions and districts -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("title", "target", "districts"),
    [
        ("[경기] 포천시 2025년 포장재 지원사업", "☞ 포천시 소재 제조업", "포천시"),
        ("[경기 화성] 2025년 수출 지원", "기업", "화성시"),
        ("[경기] 연천군ㆍ포천시ㆍ동두천시 2025년 공동 지원", "기업", "연천군;포천시;동두천시"),
        ("[충남] 서천군 2025년 방지시설 설치 지원사업", "중소기업", "서천군"),
        ("2025년 광주광역시 북구 단체관광객 유치 인센티브", "여행업체", "북구"),
        ("[전북] 2025년 식품 상품화 지원", "전주시에 등록된 식품제조가공업소", "전주시"),
        ("[전남] 2025년 고용안정 지원", "사업장이 여수 소재 화학공정 기업", "여수시"),
    ],
)
def test_districts_from_the_title_or_a_located_city_in_the_applicants(title, target, districts):
    assert (
        read_regions(notice(title, target=target, author="광주광역시" if "광주" in title else ""))[
            1
        ].value
        == districts
    )


def test_a_district_implies_its_region():
    regions, districts = read_regions(
        notice(
            "2025년 영천시 단체관광객 유치 인센티브", target="여행업 등록 업체", author="경상북도"
        )
    )
    assert (regions.value, districts.value) == ("gyeongbuk", "영천시")


def test_a_district_outside_the_notices_region_is_not_taken():
    # 북구 of 광주 for a 부산 notice is not a 광주 district; 광주시 is 경기's, not 광주광역시
    assert (
        read_regions(notice("[부산] 북구 2025년 음식점 지원", target="북구 소재 음식점"))[1].value
        == "북구"
    )
    regions, districts = read_regions(
        notice("2025년 소상공인 지원", author="광주광역시", target="광주시 소재 소상공인")
    )
    assert districts.value == ALL and regions.value == "gwangju"


def test_a_city_agency_gives_the_district_but_a_university_does_not():
    assert (
        read_districts(
            notice(target="기업", agency="시흥산업진흥원"), frozenset({"gyeonggi"})
        ).value
        == "시흥시"
    )
    assert (
        read_districts(
            notice(target="기업", agency="순천향대학교 산학협력단"), frozenset({"chungnam"})
        ).value
        == ALL
    )


def test_a_province_wide_condition_means_no_district_even_with_a_city_agency():
    reading = read_districts(
        notice(target="도내 중소기업", agency="창원산업진흥원"), frozenset({"gyeongnam"})
    )
    assert reading.value == ALL and "도내" in reading.evidence


def test_the_summary_restricts_a_ministrys_programme_to_the_region_it_names():
    regions, _ = read_regions(
        notice(
            "2025년 뿌리기업 기술지원사업",
            author="중소벤처기업부",
            target="울산지역 소재 뿌리기술 분야 중소기업",
        )
    )
    assert regions.value == "ulsan" and "울산지역" in regions.evidence


def test_inside_and_outside_the_region_restricts_nothing():
    regions, _ = read_regions(
        notice(
            "2025년 반도체 기업지원",
            author="부산광역시",
            target="부산 지역 내ㆍ외 반도체 관련 기업",
        )
    )
    assert regions.value == ALL


def test_do_nae_with_a_provincial_author_is_the_authors_region():
    regions, _ = read_regions(
        notice("2025년 소상공인 지원", author="경상남도", target="도내 소상공인")
    )
    assert regions.value == "gyeongnam"


def test_a_regional_foundation_without_a_location_condition_is_open_to_all():
    regions, districts = read_regions(
        notice(
            "2025년 로봇연구센터 장비활용 기업지원",
            author="경상남도",
            agency="경남로봇랜드재단",
            target="제반시설이 취약한 스타트업기업, 중소기업",
        )
    )
    assert (regions.value, districts.value) == (ALL, ALL)
    assert "no location condition" in regions.evidence and districts.evidence == NOT_STATED


def test_a_regional_operator_of_a_national_programme_restricts_to_its_region():
    regions, _ = read_regions(
        notice(
            "2025년 청년 일경험 지원사업",
            author="고용노동부",
            agency="제주상공회의소",
            target="피보험자 10인 이상 기업",
        )
    )
    assert regions.value == "jeju"


def test_the_capital_areas_crowding_zone_is_seoul_incheon_gyeonggi():
    regions, _ = read_regions(
        notice(
            "법인 본사 이전 과세특례",
            author="중소벤처기업부",
            target="본사를 수도권과밀억제권역 밖으로 이전하는 내국법인",
        )
    )
    assert regions.value == "seoul;incheon;gyeonggi"


# --- target groups -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("target", "groups"),
    [
        ("「소상공인기본법」 제2조에 따른 소상공인", ("small_merchant",)),
        ("C25, C29업종 소공인(상시 근로자 수 10인 미만 제조업) 업체", ("small_merchant",)),
        ("광역지방자치단체가 운영하는 온라인 쇼핑몰에 입점한 소상공인", ("small_merchant",)),
        ("「여성기업법」제2조에 따른 여성기업", ("women_owned",)),
        ("서구 소재 사회적경제기업, (예비)마을기업, 협동조합", ("social_enterprise",)),
        ("장애인기업 확인서가 유효한 장애인 기업", ("disabled_owned",)),
        ("만 39세 이하의 청년 예비창업자", ("preliminary_founder", "youth_founder")),
        (
            "경영혁신형 중소기업(Main-Biz) 또는 기술혁신형 중소기업(Inno-Biz)",
            ("innobiz", "mainbiz"),
        ),
    ],
)
def test_a_group_named_as_the_applicant_is_required(target, groups):
    reading = read_target_groups(notice(target=target))
    assert reading.value == groups and reading.evidence.startswith("applicants: ")


@pytest.mark.parametrize(
    "target",
    [
        "중소기업ㆍ소상공인",  # any SME may apply
        "익산시 소재 소기업ㆍ소상공인 중 다음 사항을 충족하는 자",
        "경상남도 소재 중소ㆍ벤처기업",
        "스타트업기업, 벤처기업, 중소기업",
        "도내 중소기업\n- 여성기업 우대",  # a priority is not a requirement
        "신청일 기준 정상 영업 중인 식품접객업소",  # Bizinfo labels it 소상공인, the text does not
    ],
)
def test_groups_alongside_firms_at_large_or_as_a_priority_are_not_required(target):
    reading = read_target_groups(notice(target=target, group="소상공인"))
    assert reading.value == () and reading.evidence == NOT_STATED


# --- industries --------------------------------------------------------------------------
def test_industry_keywords_give_their_ksic_prefixes_and_name_the_keyword():
    reading = read_industries(
        notice(target="포천시 소재 중소기업(사업자등록증상 제조업)"), rules=INDUSTRIES
    )
    assert reading.value == MANUFACTURING and "manufacturing[제조업]" in reading.evidence


def test_explicit_ksic_codes_decide_alone():
    reading = read_industries(notice(target="C25, C29업종 소공인 업체"), rules=INDUSTRIES)
    assert reading.value == ("25", "29")


def test_priority_lines_and_unless_phrases_restrict_nothing():
    text = "제반시설이 취약한 중소기업\n- 로봇 관련 기업 우선 지원\n- 제조업 관련 서비스업 포함"
    reading = read_industries(notice(target=text), rules=INDUSTRIES)
    assert reading.value == () and reading.evidence == NOT_STATED


def test_an_industry_mapping_with_bad_prefixes_or_no_keywords_is_refused_by_entry():
    with pytest.raises(DataValidationError) as caught:
        parse_industry_rules(
            {
                "industry": [
                    {"name": "x", "keywords": ["a"], "ksic": ["C10"]},
                    {"name": "y", "keywords": [], "ksic": ["10"]},
                ]
            }
        )
    text = str(caught.value)
    assert "industry 1 (x)" in text and "C10" in text and "industry 2 (y)" in text


# --- firm age and headcount --------------------------------------------------------------
def test_firm_age_from_the_text_and_preliminary_founders_only_as_zero():
    assert read_max_firm_age(notice(target="광주광역시 소재 7년 이내 창업기업"), ()).value == 7
    founders = read_max_firm_age(notice(target="예비창업자"), ("preliminary_founder",))
    assert founders.value == 0 and "예비창업자" in founders.evidence


def test_firm_age_in_the_laws_wording_and_early_stage_founders():
    legal = (
        "「중소기업창업 지원법」 제2조에 따른 중소기업을 창업하여 "
        "사업을 개시한 날부터 7년이 지나지 아니한 기업"
    )
    assert read_max_firm_age(notice(target=legal), ()).value == 7
    early = read_max_firm_age(notice(target="비수도권 소재 초기창업기업"), ())
    assert early.value == 3 and "초기창업기업" in early.evidence
    stated = read_max_firm_age(notice(target="창업 5년 이내 초기창업기업"), ())
    assert stated.value == 5  # a stated limit wins over the law's default


def test_contradictory_firm_ages_give_no_value_and_say_not_stated():
    reading = read_max_firm_age(notice(target="창업 후 3년 이내 기업\n- 창업 후 7년 이내 기업"), ())
    assert reading.value is None and reading.evidence.startswith(NOT_STATED)
    assert "conflicting" in reading.evidence


def test_headcount_limit_and_one_person_merchants():
    assert read_max_employees(notice(target="상시 근로자 수 10인 미만 소공인")).value == 9
    assert read_max_employees(notice(target="출산한 1인 소상공인")).value == 1
    assert read_max_employees(notice(target="도내 중소기업")) == (None, NOT_STATED)


# --- support amount ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "krw_m"),
    [
        ("최대 5천만원 지원", 50),
        ("업체당 2억원 이내", 200),
        ("대출한도 10억", 1000),
        ("기업당 1억 5천만원", 150),
        ("업체당 최대 50백만원 이내 특례보증", 50),
        ("개소당 20,000천원 ~ 30,000천원 지원", 30),
        ("특별지원금 50만원 지원", 0.5),
        ("기업당 최대 1천5백만원 이내 지원", 15),
        ("기업 최대 30억원, 기업가형 소상공인 최대 5억원", 3000),
        ("융자 72억원(업체당 최대 1억원) 지원", 100),
        ("1인당 월 최대 200만원×3개월=총 600만원 이내", 6),
    ],
)
def test_the_largest_per_firm_sum_in_million_krw(text, krw_m):
    assert per_firm_maximum(text)[0] == pytest.approx(krw_m)


@pytest.mark.parametrize(
    "text",
    [
        "원자력 분야 총 6개 과제(270백만원) 지원",  # a programme's total
        "연매출 10억원 이상 기업",  # a threshold
        "참여청년 1인당 주 5만원 지원",  # per person and week, no firm cap
        "인건비 지원(150만원/인턴/월)",
        "수출실적 2,000만불 이하",  # dollars
        "중소기업육성기금 융자 2,000억원, 협조 융자 1조 8,000억원 지원",
        "융자 지원(금리 2.5%)",
    ],
)
def test_totals_thresholds_and_per_person_sums_are_not_per_firm_support(text):
    assert per_firm_maximum(text) == (None, "")


def test_the_amount_reading_quotes_its_sum_and_a_missing_one_says_not_stated():
    reading = read_support_amount(notice(target="기업", support="업체당 최대 1백만원 이내 컨설팅"))
    assert reading.value == 1 and "업체당 최대 1백만원" in reading.evidence
    assert read_support_amount(notice(target="기업", support="컨설팅 지원")) == (None, NOT_STATED)


def test_sums_in_the_applicants_part_are_never_support():
    assert (
        read_support_amount(
            notice(target="매출액 120억원 미만 기업", support="포장 디자인 개선 지원")
        ).value
        is None
    )


# --- support kind ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("title", "support", "kind"),
    [
        (
            "[전북] 익산시 희망더드림 특례보증 대출지원사업",
            "업체당 최대 50백만원 이내 특례보증 지원",
            "guarantee",
        ),
        (
            "[전북] 전주시 중소기업육성자금 지원계획",
            "운전자금에 대한 이차보전금 지급 지원",
            "interest_subsidy",
        ),
        ("[대전] 구매조건 생산지원자금 지원", "생산지원자금 업체당 5억원 이내", "loan"),
        ("중소기업 특별세액감면 안내", "소기업 세액감면", "tax"),
        ("ESG 진단평가 참가기업 모집", "기업 ESG 진단ㆍ평가 지원", "consulting"),
        ("포장재 지원사업", "포장재 제작비용 최대 500만원 이내 지원", "grant"),
        (
            "전북생생장터 입점사 모집",
            "입점 상품 판촉, 온라인 판로확대, 홍보 및 마케팅 지원",
            "in_kind",
        ),
        ("뿌리기업 기술첨단화", "시제품제작 18,000천원 상당의 현물지원", "in_kind"),
        (
            "자율프로그램",
            "공정개선, 시제품 제작, 컨설팅, 마케팅 기업당 5,000만원 한도 지원",
            "grant",
        ),
        ("조달청 우수제품 지정계획", "조달청 우수제품 지정 지원", "other"),
        ("수출바우처 참여기업 모집", "수출바우처 지원", "voucher"),
    ],
)
def test_support_kind_finance_first_then_the_first_kind_named(title, support, kind):
    amount = read_support_amount(notice(title, target="기업", support=support))
    reading = read_support_kind(
        notice(title, target="기업", support=support), has_amount=amount.value is not None
    )
    assert reading.value == kind


def test_no_kind_named_and_no_sum_is_not_stated():
    reading = read_support_kind(
        notice(target="기업", support="업종전환 토대 마련"), has_amount=False
    )
    assert reading == (None, NOT_STATED)


# --- notices that offer nothing ----------------------------------------------------------
@pytest.mark.parametrize(
    ("title", "target", "reason"),
    [
        ("2025년 기업가정신 확산 및 진흥 유공 포상 신청 공고", "개인 및 단체", "award"),
        ("2025년 수출기업인의 날 표창 공고", "기업", "award"),
        ("2025년 창업패키지 최종 선정결과 안내", "", "results"),
        ("2025년 스마트공장 사업설명회 개최 안내", "", "briefing"),
        ("2025년 시제품 지원사업 공고 취소", "", "cancelled"),
        (
            "[경기] 여주시 신재생에너지보급 사업",
            "여주시 소재 주택(단독ㆍ다세대)소유자",
            "not firms",
        ),
    ],
)
def test_awards_results_briefings_cancellations_and_homeowners_offer_nothing(title, target, reason):
    reading = read_offers_nothing(notice(title, target=target))
    assert reading.value is True and reason in reading.evidence


@pytest.mark.parametrize(
    "title",
    [
        "2025년 사업설명회 및 참여기업 모집 공고",  # a briefing within a recruitment
        "중소기업에 대한 특별세액감면 안내(2025년 중소기업 조세지원)",
        "2025년 해외전시회 참가기업 모집 공고",
    ],
)
def test_recruitments_and_tax_information_offer_something(title):
    assert read_offers_nothing(notice(title, target="중소기업")) == (False, NOT_STATED)


def test_an_empty_or_garbled_announcement_reads_as_nulls_that_say_not_stated():
    empty = Notice(title="")
    garbled = Notice.from_row({"title": "@@@", "description": "<p>☞ ??? ☞ ###</p><<>"})
    for item in (empty, garbled):
        assert read_regions(item)[1] == (ALL, NOT_STATED)
        assert read_target_groups(item) == ((), NOT_STATED)
        assert read_industries(item, rules=INDUSTRIES) == ((), NOT_STATED)
        assert read_max_firm_age(item, ()) == (None, NOT_STATED)
        assert read_max_employees(item) == (None, NOT_STATED)
        assert read_support_amount(item) == (None, NOT_STATED)
        assert read_support_kind(item, has_amount=False) == (None, NOT_STATED)
        assert read_offers_nothing(item) == (False, NOT_STATED)
