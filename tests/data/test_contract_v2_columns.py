"""Contract v2's eligibility columns: derived once from the spec into the API model and
the Bizinfo import, and a v1 file without them still reads."""

from __future__ import annotations

import pandas as pd
import pytest
from pydantic import ValidationError

from api.schemas.firms import EXAMPLE_PROFILE, FirmProfile
from recommender.adapters.bizinfo.industry_rules import load_industry_rules
from recommender.adapters.bizinfo.rules import load_type_rules
from recommender.bizinfo import announcements_to_programmes
from recommender.bizinfo.groups import GROUPS
from recommender.bizinfo.support import SUPPORT_KINDS
from recommender.constants import FIRM_FLAGS, NO_FLAGS
from recommender.constants import SUPPORT_KINDS as CONTRACT_SUPPORT_KINDS
from recommender.contract.datasets import validate_frames
from recommender.contract.fields import FIRMS, PROGRAMMES
from recommender.errors import DataValidationError
from tests.data.factories import text_tables


def test_the_flags_are_the_groups_announcements_name() -> None:
    assert set(GROUPS) == set(FIRM_FLAGS)
    # a firm may also declare that it holds none of them; a programme never requires "none"
    assert FIRMS.field("firm_flags").values == (*PROGRAMMES.field("target_groups").values, NO_FLAGS)
    assert SUPPORT_KINDS == CONTRACT_SUPPORT_KINDS == PROGRAMMES.field("support_kind").values


def test_the_api_profile_takes_the_v2_firm_columns() -> None:
    profile = FirmProfile(
        **EXAMPLE_PROFILE,
        industry_code="27112",
        business_description="체외진단 의료기기 제조",
        firm_flags=" Women_Owned ; innobiz;",
    )
    assert profile.firm_flags == "women_owned;innobiz"
    assert profile.industry_code == "27112"
    assert FirmProfile(**EXAMPLE_PROFILE).firm_flags is None  # optional: v1 clients unchanged
    assert FirmProfile(**EXAMPLE_PROFILE, firm_flags="none").firm_flags == NO_FLAGS


def test_the_api_profile_refuses_an_unknown_flag_naming_it() -> None:
    with pytest.raises(ValidationError) as caught:
        FirmProfile(**EXAMPLE_PROFILE, firm_flags="women_owned;martian")
    error = caught.value.errors()[0]
    assert error["loc"] == ("firm_flags",)
    assert "'martian'" in error["msg"] and "women_owned" in error["msg"]


def test_the_import_fills_the_v2_programme_columns() -> None:
    raw = pd.DataFrame(
        [
            {
                "id": "PBLN_1",
                "title": "[경기] 포천시 소상공인 경영개선 지원사업 공고",
                "lcategory": "경영",
                "pubDate": "2025-03-02",
                "description": "<p>☞ 포천시 소재 소상공인</p><p>☞ 업체당 최대 300만원 지원</p>",
            },
            {
                "id": "PBLN_2",
                "title": "2025년 중소기업 유공자 포상 수상자 선정결과 공고",
                "lcategory": "기타",
                "pubDate": "2025-03-02",
                "description": "선정결과를 알려드립니다.",
            },
        ]
    )
    out = announcements_to_programmes(
        raw, rules=load_type_rules(), industry_rules=load_industry_rules()
    ).set_index("programme_id")
    assert out.loc["PBLN_1", "districts"] == "포천시"
    assert out.loc["PBLN_1", "target_groups"] == "small_merchant"
    assert out.loc["PBLN_2", "offers_nothing"] is True
    assert set(PROGRAMMES.optional_columns) <= set(out.columns)


@pytest.mark.parametrize("bad", ["27a12", "271120", "C27", "27 112"])
def test_a_malformed_ksic_code_is_refused_in_a_file_and_at_the_api(bad: str) -> None:
    raw = text_tables()
    raw["firms"]["industry_code"] = ""
    raw["firms"].loc[0, "industry_code"] = bad
    raw["firms"].loc[1, "industry_code"] = "27112"
    with pytest.raises(DataValidationError) as caught:
        validate_frames(raw["firms"], raw["programmes"], raw["outcomes"])
    found = [
        (p.file, p.row, p.value, p.expected)
        for p in caught.value.problems
        if p.column == "industry_code"
    ]
    assert found == [("firms", 2, bad, "a KSIC code of 1 to 5 digits or empty")]
    with pytest.raises(ValidationError) as api:
        FirmProfile(**EXAMPLE_PROFILE, industry_code=bad)
    assert api.value.errors()[0]["loc"] == ("industry_code",)
