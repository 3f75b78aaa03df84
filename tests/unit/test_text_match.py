"""The character n-gram text match of a business description against programme texts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from recommender.recommend.text_match import TextMatcher

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
