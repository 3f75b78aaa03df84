"""A persona's ranked list over the whole real 2025 feed is ordered by stated reasons:
the model's score (which reads the text relevance of the firm's description) blended
with that relevance, ties by the text match and then the sooner closing day -- not by
nothing (issue 12 part 4)."""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from bench.personas import FEED, PERSONAS
from recommender.adapters.artefact import load_recommender
from recommender.adapters.bizinfo.feed import read_announcements
from recommender.adapters.bizinfo.industry_rules import load_industry_rules
from recommender.adapters.bizinfo.rules import load_type_rules
from recommender.bizinfo import announcements_to_programmes
from recommender.contract.fields import FIRM_COLUMNS
from recommender.recommend.results import RecommendedItem
from tests.signing import shipped_registry

AS_OF = date(2025, 8, 20)  # the README's P01 list


@pytest.fixture(scope="module")
def top10s(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[RecommendedItem]]:
    """Every persona's top 10 over the whole 2025 feed open on :data:`AS_OF`."""
    catalogue = announcements_to_programmes(
        read_announcements(FEED), rules=load_type_rules(), industry_rules=load_industry_rules()
    )
    registry = shipped_registry(Path(tmp_path_factory.mktemp("shipped")))
    rec = load_recommender(registry, programmes=catalogue)
    firms = pd.read_csv(PERSONAS / "firms.csv", dtype={"industry_code": str})
    lists = {}
    for firm in firms.to_dict("records"):
        profile = {c: (None if pd.isna(firm[c]) else firm[c]) for c in FIRM_COLUMNS if c in firm}
        lists[firm["firm_id"]] = rec.recommend(profile, k=10, as_of=AS_OF, explain="none").items
    return lists


@pytest.fixture(scope="module")
def top10(top10s: dict[str, list[RecommendedItem]]) -> list[RecommendedItem]:
    return top10s["P01"]  # the README's list


def test_the_top_ten_hold_at_least_eight_distinct_model_scores(top10) -> None:
    assert len(top10) == 10
    assert all(i.text_match is not None for i in top10), "P01 describes its business"
    assert len({round(i.score, 9) for i in top10}) >= 8


def test_most_personas_top_tens_hold_eight_distinct_model_scores(top10s) -> None:
    distinct = {p: len({round(i.score, 9) for i in items}) for p, items in top10s.items()}
    assert len(distinct) == 12
    assert sum(n >= 8 for n in distinct.values()) >= 11, distinct  # measured: 11 of 12
    assert min(distinct.values()) >= 5, distinct


def test_equal_model_scores_are_ordered_by_text_match_then_sooner_closing(top10) -> None:
    sure = [i for i in top10 if not i.to_check]
    runs = [list(g) for _, g in itertools.groupby(sure, key=lambda i: round(i.score, 9))]
    tied = [run for run in runs if len(run) >= 2]
    assert tied, "the model still ties a few of the top ten (the feed states little)"
    for run in tied:
        keys = [(-(i.text_match or 0.0), i.apply_end or "9999-12-31") for i in run]
        assert keys == sorted(keys)
