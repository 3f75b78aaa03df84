"""The character n-gram text match of a business description against programme texts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recommender.features import PAIR_FEATURES, FeaturePipeline, ProgrammeTable, descriptions
from recommender.features.text_match import TextMatcher
from tests.data.factories import firms_frame, programmes_frame

PROGRAMMES = pd.DataFrame(
    {
        "name": ["의료기기 인증 지원", "물류 자동화 지원", "콘텐츠 제작"],
        "description": ["체외진단 의료기기 제조기업 대상", None, "웹툰과 게임"],
    }
)


def test_the_closest_text_scores_highest_and_no_description_scores_nothing() -> None:
    matcher = TextMatcher.of(PROGRAMMES)
    sim = matcher.similarity(["체외진단 의료기기를 만듭니다", None, "  "])
    assert sim.shape == (3, 3)
    assert int(np.argmax(sim[0])) == 0 and sim[0, 0] > sim[0, 1]
    assert 0 < sim[0, 0] <= 1
    assert sim[1].tolist() == [0.0, 0.0, 0.0] and sim[2].tolist() == [0.0, 0.0, 0.0]


def test_the_terms_are_the_descriptions_words_in_the_text_without_particles() -> None:
    matcher = TextMatcher.of(PROGRAMMES)
    assert matcher.terms("체외진단 의료기기를 만듭니다", 0) == ("체외진단", "의료기기")
    assert matcher.terms("체외진단 의료기기를 만듭니다", 2) == ()
    assert matcher.terms(None, 0) == ()


def test_an_empty_catalogue_text_matches_nothing() -> None:
    matcher = TextMatcher([" ", ""])
    assert matcher.similarity(["무엇이든"]).tolist() == [[0.0, 0.0]]


def test_filler_words_are_not_shown_as_what_matches() -> None:
    matcher = TextMatcher(["해외 인증 준비 지원 사업"])
    assert matcher.terms("해외 인증 준비 중인 기업", 0) == ("해외", "인증")


def test_the_model_reads_the_match_as_a_feature_and_nothing_without_a_description() -> None:
    programmes = programmes_frame()
    programmes = programmes[programmes["year"] == programmes["year"].max()].reset_index(drop=True)
    firms = firms_frame()
    firms = firms[firms["year"] == programmes["year"].iloc[0]].head(2).reset_index(drop=True)
    described = programmes.loc[0, "name"]  # the first firm describes itself as the first programme
    firms["business_description"] = [described, None]
    table = ProgrammeTable(programmes)
    firm_rows = np.array([0, 0, 1, 1])
    programme_rows = np.array([0, 1, 0, 1])
    feature = table.text_match(descriptions(firms), firm_rows, programme_rows)
    cosine = TextMatcher.of(programmes).similarity([described])[0]
    assert feature[:2] == pytest.approx(cosine[:2])
    assert feature[0] > feature[1]
    assert np.isnan(feature[2:]).all()
    X = FeaturePipeline().fit(firms).matrix(firms, table, firm_rows, programme_rows)
    column = X[:, PAIR_FEATURES.index("text_match")]
    assert column[:2] == pytest.approx(cosine[:2]) and np.isnan(column[2:]).all()
