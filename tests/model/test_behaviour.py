"""Behavioural checks of a trained model: direction, invariance, and the sum rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recommender.constants import CAPABILITIES, TYPE_READINESS_CAPS
from recommender.features import PAIR_FEATURES
from recommender.recommend import Recommender


@pytest.fixture(scope="module")
def firms(small_world) -> pd.DataFrame:
    ds = small_world.dataset
    return ds.firms[ds.firms["year"] == ds.firms["year"].max()].head(300).reset_index(drop=True)


def _score_of(rec: Recommender, firm: pd.DataFrame, programme_id: str) -> float | None:
    out = rec.recommend(firm, k=100, explain="none")
    return next((i.score for i in out.items if i.programme_id == programme_id), None)


def test_a_larger_gap_in_a_target_never_lowers_fit(small_recommender: Recommender) -> None:
    """Raising the target-gap features alone, everything else equal, never lowers a score."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(500, len(PAIR_FEATURES)))
    X[:, PAIR_FEATURES.index("programme_type")] = rng.integers(0, 6, 500)
    X[:, PAIR_FEATURES.index("sector")] = rng.integers(0, 7, 500)
    before = small_recommender.ranker.predict(X)
    for feature in ("target_gap_mean", "target_gap_max"):
        bigger = X.copy()
        bigger[:, PAIR_FEATURES.index(feature)] += rng.uniform(0.1, 3.0, 500)
        assert (small_recommender.ranker.predict(bigger) >= before - 1e-12).all()


def test_rating_a_target_capability_lower_mostly_raises_that_programmes_fit(
    small_recommender: Recommender, firms: pd.DataFrame
) -> None:
    """At the profile level: a weaker self-rating in what a programme targets (and does not
    need to absorb it) raises the programme's score for most firms and on average."""
    cat = small_recommender.programmes
    diffs = []
    for _, firm in firms.head(120).iterrows():
        out = small_recommender.recommend(firm.to_frame().T.infer_objects(), k=100, explain="none")
        for item in out.items[:2]:
            prog = cat[cat["programme_id"] == item.programme_id].iloc[0]
            caps = [
                c
                for c in str(prog["targets"]).split(";")
                if c not in TYPE_READINESS_CAPS[prog["programme_type"]]
            ]
            if not caps or pd.isna(firm[caps[0]]) or firm[caps[0]] <= 1:
                continue
            weaker = firm.copy()
            weaker[caps[0]] = 1.0
            after = _score_of(
                small_recommender, weaker.to_frame().T.infer_objects(), item.programme_id
            )
            if after is not None:
                diffs.append(after - item.score)
    diffs_arr = np.array(diffs)
    assert len(diffs_arr) > 30
    assert (diffs_arr >= -1e-9).mean() >= 0.8
    assert diffs_arr.mean() > 0


def test_the_firm_id_does_not_change_any_score(
    small_recommender: Recommender, firms: pd.DataFrame
) -> None:
    a = small_recommender.recommend(firms.iloc[[0]], k=50, explain="none")
    renamed = firms.iloc[[0]].assign(firm_id="someone-else")
    b = small_recommender.recommend(renamed, k=50, explain="none")
    assert [(i.programme_id, i.score) for i in a.items] == [
        (i.programme_id, i.score) for i in b.items
    ]


def test_explanations_sum_to_the_score_for_every_eligible_programme(
    small_recommender: Recommender, firms: pd.DataFrame
) -> None:
    for i in range(20):
        out = small_recommender.recommend(firms.iloc[[i]], explain="all")
        assert out.items, "every simulated firm has eligible programmes"
        for item in out.items:
            assert item.explanation is not None
            assert item.explanation.total == pytest.approx(item.score, abs=1e-6)
            values = [abs(c.value) for c in item.explanation.contributions]
            assert values == sorted(values, reverse=True)


def test_all_missing_self_assessment_still_ranks(
    small_recommender: Recommender, firms: pd.DataFrame
) -> None:
    blank = firms.iloc[[0]].copy()
    blank[list(CAPABILITIES)] = np.nan
    out = small_recommender.recommend(blank, k=5)
    assert out.items and all(np.isfinite(i.score) for i in out.items)
