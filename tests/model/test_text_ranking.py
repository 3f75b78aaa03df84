"""The shipped model ranking a hand-made catalogue of equal programmes, so that what is
under test decides: the business-description text match (a model feature and blended
in, explained in words), ties broken by the match then the sooner closing day, and the
programmes with a condition to check listed after the surely eligible ones."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from recommender.adapters.artefact import load_recommender
from recommender.contract.canonical import canonical_programmes
from recommender.explain import renderer
from recommender.recommend import Recommender
from tests.data.factories import firms_frame, programmes_frame
from tests.signing import shipped_registry

TEXTS = {
    "A": ("물류센터 운영 지원", "창고 물류 자동화 설비"),
    "B": ("의료기기 인증 지원", "체외진단 의료기기 제조기업의 인허가 지원"),
    "C": ("식품 판로 지원", "전통식품 제조 판로 개척"),
    "D": ("콘텐츠 제작 지원", "웹툰 게임 콘텐츠 제작"),
}
ENDS = {"A": "2025-09-30", "B": "2025-12-31", "C": "2025-08-31", "D": None}


def catalogue(**over: dict[str, object]) -> pd.DataFrame:
    """Four programmes alike in everything the model reads (one type, open to all the
    test firm's kind)."""
    template = programmes_frame()
    template = template[template["programme_id"] == "P24-GLOB"]
    assert len(template) == 1
    rows = []
    for pid, (name, text) in TEXTS.items():
        row = template.iloc[0].to_dict()
        row.update(
            programme_id=pid,
            name=name,
            description=text,
            year=2025,
            apply_start=None,
            apply_end=ENDS[pid],
        )
        row.update(over.get(pid, {}))
        rows.append(row)
    return canonical_programmes(pd.DataFrame(rows))


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Recommender:
    registry = shipped_registry(Path(tmp_path_factory.mktemp("shipped")))
    return load_recommender(registry, programmes=catalogue())


def profile(**over: object) -> dict[str, object]:
    firms = firms_frame()
    firm = firms[firms["firm_id"] == "F001"].iloc[0].to_dict()
    firm.update(year=2025, firm_id="T1")
    firm.update(over)
    return firm


def test_the_description_decides_among_equal_programmes_and_is_said(shipped) -> None:
    rec = shipped.with_programmes(catalogue())
    out = rec.recommend(profile(business_description="체외진단 의료기기를 만듭니다"), k=4)
    assert [i.programme_id for i in out.items][0] == "B"
    top = out.items[0]
    assert top.text_match is not None and top.text_match > 0
    assert "의료기기" in top.match_terms and "체외진단" in top.match_terms
    assert renderer("en").text_match(top.match_terms).startswith("matches your business: 체외진단")
    assert renderer("ko").text_match(top.match_terms).startswith("귀사의 사업과 맞습니다: 체외진단")
    # the model reads the match too: the matching programme scores above the three others,
    # which match nothing and tie
    assert top.score > max(i.score for i in out.items[1:])
    assert len({i.score for i in out.items[1:]}) == 1


def test_without_a_description_ties_go_to_the_sooner_closing_day(shipped) -> None:
    rec = shipped.with_programmes(catalogue())
    out = rec.recommend(profile(business_description=None), k=4)
    assert [i.programme_id for i in out.items] == ["C", "A", "B", "D"]  # D: no closing day
    assert all(i.text_match is None and i.match_terms == () for i in out.items)
    weightless = Recommender(rec.ranker, rec.pipeline, rec.programmes, version="v", text_weight=0)
    again = weightless.recommend(profile(business_description=None), k=4)
    assert [i.programme_id for i in again.items] == [i.programme_id for i in out.items]


def test_programmes_with_a_condition_come_after_the_surely_eligible(shipped) -> None:
    rec = shipped.with_programmes(catalogue(C={"districts": "포천시"}, B={"industries": "27"}))
    out = rec.recommend(profile(district=None, industry_code=None), k=4)
    assert [i.programme_id for i in out.items] == ["A", "D", "C", "B"]
    checks = {i.programme_id: renderer("en").reasons(i.to_check) for i in out.items}
    assert checks["A"] == [] and checks["D"] == []
    assert checks["C"] == ["only for firms in 포천시: check that yours is there"]
    assert checks["B"] == ["only for the industries of KSIC 27: check your firm's industry code"]
    known = rec.recommend(profile(district="포천시", industry_code="27112"), k=4)
    assert [i.programme_id for i in known.items] == ["C", "A", "B", "D"]
    assert all(i.to_check == () for i in known.items)
    elsewhere = rec.recommend(profile(district="화성시", industry_code="58222"), k=4)
    assert [i.programme_id for i in elsewhere.items] == ["A", "D"]
