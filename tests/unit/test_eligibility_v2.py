"""Contract-v2 eligibility on real announcements: districts, target groups (declared and
derived), industries and notices that offer nothing; each rule's mask and reasons agree,
and where the firm has not said what a rule needs the programme stays eligible with a
condition to check. Reasons are said in English and Korean."""

from __future__ import annotations

import numpy as np
import pytest

from recommender.eligibility import EligibilityIndex, Reason, reasons
from recommender.eligibility_v2 import is_small_merchant
from recommender.explain import renderer

EN, KO = renderer("en"), renderer("ko")


def firm(**over: object) -> dict[str, object]:
    base: dict[str, object] = dict(
        firm_id="F1",
        year=2025,
        region="gyeonggi",
        sector="mfg_high_tech",
        founded_year=2016,
        employees=32,
        revenue_krw_m=4200.0,
        has_rnd_lab=True,
        district="성남시",
        industry_code="27112",
        business_description=None,
        firm_flags="venture_certified;innobiz",
    )
    base.update(over)
    return base


def programme(**over: object) -> dict[str, object]:
    base: dict[str, object] = dict(
        programme_id="P1",
        year=2025,
        min_employees=np.nan,
        max_employees=np.nan,
        min_firm_age=np.nan,
        max_firm_age=np.nan,
        sectors="*",
        regions="*",
        requires_rnd_lab=None,
        max_revenue_krw_m=np.nan,
        districts="*",
        target_groups=None,
        industries=None,
        support_kind=None,
        offers_nothing=None,
    )
    base.update(over)
    return base


def screened(f: dict[str, object], p: dict[str, object]) -> tuple[bool, list[Reason], list[Reason]]:
    """Eligible?, the failed rules, the conditions to check, for one pair."""
    index = EligibilityIndex({k: [v] for k, v in p.items()})
    mask, failed, conditions = index.screen({k: [v] for k, v in f.items()}, with_reasons=True)
    assert failed is not None
    return bool(mask[0, 0]), failed[0].get(0, []), conditions[0].get(0, [])


def test_a_district_programme_admits_its_districts_only() -> None:
    p = programme(districts="포천시;연천군")
    assert screened(firm(district="포천시"), p)[:2] == (True, [])
    ok, failed, _ = screened(firm(district="화성시"), p)
    assert not ok and failed == [Reason("district", ("포천시", "연천군"), "화성시")]
    assert EN.reason(failed[0]) == "only for firms in 포천시, 연천군; yours is in 화성시"
    assert (
        KO.reason(failed[0])
        == "포천시, 연천군 소재 기업만 신청할 수 있습니다. 귀사는 화성시 소재입니다"
    )


def test_an_unknown_district_is_a_condition_to_check_not_an_exclusion() -> None:
    ok, failed, check = screened(firm(district=None), programme(districts="포천시"))
    assert ok and failed == []
    assert check == [Reason("district", ("포천시",), None)]
    assert EN.reason(check[0]) == "only for firms in 포천시: check that yours is there"
    assert "소재지를 확인하세요" in KO.reason(check[0])
    # no restriction, nothing to check
    assert screened(firm(district=None), programme(districts="*")) == (True, [], [])


def test_a_group_programme_needs_one_of_its_groups_when_flags_are_declared() -> None:
    p = programme(target_groups="women_owned;social_enterprise")
    assert screened(firm(firm_flags="women_owned"), p)[:2] == (True, [])
    ok, failed, check = screened(firm(firm_flags="innobiz"), p)
    assert not ok and check == []
    assert failed == [Reason("group", ("women_owned", "social_enterprise"), ("innobiz",))]
    assert EN.reason(failed[0]).startswith(
        "only for women-owned firms, social-economy enterprises;"
    )
    assert KO.reason(failed[0]).startswith("여성기업, 사회적경제기업만 신청할 수 있습니다")


def test_undeclared_flags_leave_a_group_programme_to_check() -> None:
    ok, failed, check = screened(firm(firm_flags=None), programme(target_groups="women_owned"))
    assert ok and failed == []
    assert check == [Reason("group", ("women_owned",), None)]
    assert EN.reason(check[0]) == "only for women-owned firms: check that your firm is one"
    assert KO.reason(check[0]) == "여성기업만 신청할 수 있습니다. 귀사가 해당하는지 확인하세요"


def test_declaring_none_decides_a_group_programme_instead_of_leaving_it_to_check() -> None:
    ok, failed, check = screened(firm(firm_flags="none"), programme(target_groups="women_owned"))
    assert not ok and check == []
    assert failed == [Reason("group", ("women_owned",), ())]
    assert EN.reason(failed[0]).endswith("your firm has declared none of these")
    assert screened(firm(firm_flags="none"), programme(target_groups=""))[:2] == (True, [])


@pytest.mark.parametrize(
    ("sector", "employees", "small"),
    [
        ("mfg_low_tech", 9, True),
        ("mfg_low_tech", 10, False),
        ("other_services", 4, True),
        ("other_services", 5, False),
        ("kbs_ict", 3, True),
    ],
)
def test_small_merchant_follows_from_size_and_sector(
    sector: str, employees: int, small: bool
) -> None:
    assert is_small_merchant(employees, sector) is small
    f = firm(sector=sector, employees=employees, firm_flags=None)
    ok, failed, check = screened(f, programme(target_groups="small_merchant"))
    assert (ok, check) == (small, [])  # derived: never left to check
    assert failed == ([] if small else [Reason("group", ("small_merchant",), ())])


def test_a_small_merchant_programme_is_said_to_follow_from_the_profile() -> None:
    failed = reasons(firm(firm_flags=None), programme(target_groups="small_merchant"))
    assert EN.reason(failed[0]).endswith(
        "by its profile (size, sector, founding year) your firm is not one"
    )
    assert "기업 정보(규모, 업종, 설립연도)상 해당하지 않습니다" in KO.reason(failed[0])


def test_preliminary_founders_only_excludes_a_founded_firm() -> None:
    p = programme(target_groups="preliminary_founder")
    for flags in (None, "preliminary_founder", "women_owned"):
        assert screened(firm(firm_flags=flags), p)[0] is False
    failed = reasons(firm(firm_flags=None), p)
    assert failed == [Reason("group", ("preliminary_founder",), ())]
    assert EN.reason(failed[0]) == (
        "only for would-be founders (not yet founded); by its profile (size, sector, "
        "founding year) your firm is not one"
    )
    assert KO.reason(failed[0]) == (
        "예비창업자만 신청할 수 있습니다. "
        "귀사는 기업 정보(규모, 업종, 설립연도)상 해당하지 않습니다"
    )
    # with another group beside it, that group still admits
    both = programme(target_groups="preliminary_founder;youth_founder")
    assert screened(firm(firm_flags="youth_founder"), both)[0] is True


def test_an_industry_programme_admits_codes_with_its_prefixes() -> None:
    p = programme(industries="27;21")
    assert screened(firm(industry_code="27112"), p)[:2] == (True, [])
    ok, failed, _ = screened(firm(industry_code="58222"), p)
    assert not ok and failed == [Reason("industry", ("27", "21"), "58222")]
    assert EN.reason(failed[0]) == "only for the industries of KSIC 27, 21; yours is 58222"
    assert KO.reason(failed[0]) == "업종(KSIC 27, 21) 기업만 신청할 수 있습니다. 귀사는 58222입니다"


def test_an_unknown_industry_code_is_a_condition_to_check() -> None:
    ok, failed, check = screened(firm(industry_code=None), programme(industries="27"))
    assert ok and failed == [] and check == [Reason("industry", ("27",), None)]
    assert EN.reason(check[0]).endswith("check your firm's industry code")
    assert KO.reason(check[0]).endswith("귀사의 업종코드를 확인하세요")


def test_a_patent_programme_admits_firms_that_state_a_patent() -> None:
    p = programme(requires_patent=True)
    assert screened(firm(patents=3), p)[:2] == (True, [])
    ok, failed, check = screened(firm(patents=0), p)
    assert not ok and check == [] and failed == [Reason("patent", None, 0)]
    assert EN.reason(failed[0]).endswith("your firm states none")
    assert KO.reason(failed[0]).endswith("귀사는 보유 특허가 없습니다")
    # a profile that does not say how many patents it holds: a condition to check
    ok, failed, check = screened(firm(), p)
    assert ok and failed == [] and check == [Reason("patent", None, None)]
    assert EN.reason(check[0]).endswith("check that yours holds one")
    assert KO.reason(check[0]).endswith("귀사가 보유하는지 확인하세요")
    assert screened(firm(patents=0), programme(requires_patent=None)) == (True, [], [])


def test_a_notice_offering_nothing_is_never_eligible() -> None:
    ok, failed, check = screened(firm(), programme(offers_nothing=True))
    assert not ok and check == [] and failed == [Reason("nothing", None, None)]
    assert EN.reason(failed[0]).startswith("offers nothing")
    assert KO.reason(failed[0]).startswith("신청할 지원이 없는 공고입니다")


def test_a_v1_catalogue_without_the_columns_restricts_nothing() -> None:
    p = {
        k: v
        for k, v in programme().items()
        if k not in ("districts", "target_groups", "industries", "support_kind", "offers_nothing")
    }
    f = {
        k: v
        for k, v in firm().items()
        if k not in ("district", "industry_code", "firm_flags", "business_description")
    }
    index = EligibilityIndex({k: [v] for k, v in p.items()})
    mask, _failed, conditions = index.screen({k: [v] for k, v in f.items()}, with_reasons=False)
    assert mask.tolist() == [[True]] and conditions == [{}]


def test_the_mask_is_vectorised_over_firms_and_programmes() -> None:
    programmes = [
        programme(programme_id="A", districts="성남시"),
        programme(programme_id="B", target_groups="women_owned"),
        programme(programme_id="C", industries="58"),
        programme(programme_id="D", offers_nothing=True),
    ]
    firms = [firm(), firm(district="화성시", firm_flags=None, industry_code="58222")]
    index = EligibilityIndex({k: [p[k] for p in programmes] for k in programmes[0]})
    mask, _failed, conditions = index.screen(
        {k: [f[k] for f in firms] for k in firms[0]}, with_reasons=False
    )
    assert mask.tolist() == [[True, False, False, False], [False, True, True, False]]
    assert conditions == [{}, {1: [Reason("group", ("women_owned",), None)]}]
    assert index.mask({k: [f[k] for f in firms] for k in firms[0]}).tolist() == mask.tolist()
