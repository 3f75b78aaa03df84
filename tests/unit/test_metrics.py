"""Ranking metrics on tiny hand-computed fixtures, plus brute-force checks of tie handling."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import ndcg_score

from training.metrics import (
    average_precision,
    hit_rate_at_k,
    ndcg_at_k,
    per_query_ndcg,
    precision_at_k,
    top_pick_regret,
)

LOG2_3 = math.log2(3)


def frame(*queries: tuple[list[float], list[float]], gain: str = "outcome") -> pd.DataFrame:
    """One query (firm f<i>, year 2024) per (scores, gains) pair; programmes p0, p1..."""
    rows = [
        {"firm_id": f"f{q}", "year": 2024, "programme_id": f"p{i}", "score": s, gain: g}
        for q, (scores, gains) in enumerate(queries)
        for i, (s, g) in enumerate(zip(scores, gains, strict=True))
    ]
    return pd.DataFrame(rows)


# --- NDCG -----------------------------------------------------------------------------
def test_a_perfect_ranking_scores_one() -> None:
    df = frame(([0.9, 0.5, 0.1], [3, 2, 0]), ([2.0, 1.0], [1, 0]))
    assert ndcg_at_k(df, k=3) == pytest.approx(1.0)
    assert ndcg_at_k(df, k=1, exponential=True) == pytest.approx(1.0)


def test_a_reversed_ranking_matches_the_hand_computed_value() -> None:
    df = frame(([0.1, 0.5, 0.9], [3, 2, 0]))  # shown in order: gains 0, 2, 3
    ideal3 = 3 + 2 / LOG2_3
    assert ndcg_at_k(df, k=3) == pytest.approx((2 / LOG2_3 + 3 / 2) / ideal3)  # 0.6480
    assert ndcg_at_k(df, k=2) == pytest.approx((2 / LOG2_3) / ideal3)  # 0.2961
    assert ndcg_at_k(df, k=1) == pytest.approx(0.0)
    # exponential gains 2**g - 1: 0, 3, 7 against the ideal 7, 3, 0
    assert ndcg_at_k(df, k=3, exponential=True) == pytest.approx(
        (3 / LOG2_3 + 7 / 2) / (7 + 3 / LOG2_3)
    )  # 0.6064


def test_ndcg_is_the_mean_over_queries() -> None:
    df = frame(([0.9, 0.1], [1, 0]), ([0.1, 0.9], [1, 0]))  # perfect, then reversed
    assert per_query_ndcg(df, k=2).tolist() == pytest.approx([1.0, 1 / LOG2_3])
    assert ndcg_at_k(df, k=2) == pytest.approx((1.0 + 1 / LOG2_3) / 2)


def test_tied_scores_count_as_the_expected_value_of_a_random_order() -> None:
    df = frame(([0.5, 0.5], [3, 0]))
    # either order with probability 1/2: (3 + 0) / 2 at each of ranks 1 and 2
    expected = 1.5 * (1 + 1 / LOG2_3) / 3
    assert ndcg_at_k(df, k=2) == pytest.approx(expected)  # 0.8155
    assert ndcg_at_k(df.iloc[::-1], k=2) == pytest.approx(expected)  # row order is irrelevant
    assert ndcg_at_k(df, k=2, ties="pessimistic") == pytest.approx(1 / LOG2_3)  # 0 first


def test_single_item_queries_score_one_and_all_zero_queries_are_skipped() -> None:
    df = frame(([0.3], [2]), ([0.1, 0.9], [0, 0]), ([0.2], [0]))
    per_query = per_query_ndcg(df, k=3)
    assert per_query.tolist()[0] == 1.0 and per_query.isna().tolist() == [False, True, True]
    assert per_query.index.names == ["firm_id", "year"]
    assert per_query.index[0] == ("f0", 2024)
    assert ndcg_at_k(df, k=3) == pytest.approx(1.0)
    assert math.isnan(ndcg_at_k(frame(([0.1], [0])), k=3))


def test_query_columns_and_gain_column_are_configurable() -> None:
    df = frame(([0.1, 0.9], [2.5, 0.5]), gain="expected_outcome")
    df["round"] = 1
    per_query = per_query_ndcg(df, k=2, query=("round",), gain="expected_outcome")
    assert per_query.index.name == "round" and per_query.index.tolist() == [1]
    assert per_query.iloc[0] == pytest.approx((0.5 + 2.5 / LOG2_3) / (2.5 + 0.5 / LOG2_3))


def test_tie_averaged_ndcg_agrees_with_scikit_learn() -> None:
    rng = np.random.default_rng(7)
    gains = rng.integers(0, 4, size=(50, 6))
    gains[:, 0] = 3  # every query has something to find
    scores = rng.integers(0, 3, size=(50, 6)).astype(float)  # many ties
    df = frame(*zip(scores.tolist(), gains.tolist(), strict=True))
    for k in (1, 3, 6):
        expected = ndcg_score(gains, scores, k=k, ignore_ties=False)
        assert ndcg_at_k(df, k=k) == pytest.approx(expected)


# --- MAP, precision, hit rate ---------------------------------------------------------
def test_average_precision_hand_computed() -> None:
    ranked = frame(([4, 3, 2, 1], [3, 0, 2, 1]))  # relevant (>= 2) at ranks 1 and 3
    assert average_precision(ranked) == pytest.approx((1 / 1 + 2 / 3) / 2)
    assert average_precision(ranked, threshold=1) == pytest.approx((1 + 2 / 3 + 3 / 4) / 3)
    two = frame(([4, 3, 2, 1], [3, 0, 2, 1]), ([1, 2], [0, 2]))  # second: relevant at 1
    assert average_precision(two) == pytest.approx(((1 + 2 / 3) / 2 + 1.0) / 2)


def test_average_precision_skips_queries_without_relevant_items_and_averages_ties() -> None:
    df = frame(([0.5, 0.5], [3, 0]), ([0.9, 0.1], [1, 0]))  # second query: nothing >= 2
    assert average_precision(df) == pytest.approx((1 + 1 / 2) / 2)  # relevant first or second
    assert average_precision(df, ties="pessimistic") == pytest.approx(1 / 2)
    assert math.isnan(average_precision(frame(([0.9, 0.1], [1, 0]))))


def test_precision_and_hit_rate_at_k_hand_computed() -> None:
    df = frame(([4, 3, 2, 1], [0, 3, 2, 1]), ([1.0], [2]), ([2, 1], [0, 0]))
    # query 0: top 2 hold one relevant item; query 1 has one item, relevant; query 2 skipped
    assert precision_at_k(df, k=2) == pytest.approx((1 / 2 + 1 / 1) / 2)
    assert precision_at_k(df, k=3) == pytest.approx((2 / 3 + 1) / 2)
    assert hit_rate_at_k(df, k=1) == pytest.approx((0 + 1) / 2)
    assert hit_rate_at_k(df, k=2) == pytest.approx(1.0)


def test_hit_rate_with_ties_is_the_chance_a_relevant_item_lands_in_the_top_k() -> None:
    df = frame(([1, 1, 1], [3, 0, 0]))  # one relevant among three tied items
    assert hit_rate_at_k(df, k=1) == pytest.approx(1 / 3)
    assert hit_rate_at_k(df, k=2) == pytest.approx(2 / 3)
    assert hit_rate_at_k(df, k=3) == pytest.approx(1.0)
    assert hit_rate_at_k(df, k=2, ties="pessimistic") == pytest.approx(0.0)
    assert precision_at_k(df, k=2) == pytest.approx(1 / 3)


# --- regret ---------------------------------------------------------------------------
def test_top_pick_regret_hand_computed() -> None:
    df = frame(
        ([0.2, 0.9, 0.1], [2.5, 1.0, 0.5]),  # picks 1.0, best 2.5: regret 1.5
        ([0.9, 0.1], [2.0, 1.0]),  # picks the best: regret 0
        ([0.7, 0.7, 0.1], [2.0, 1.0, 3.0]),  # tie for first: picks 1.5 on average
        gain="expected_outcome",
    )
    assert top_pick_regret(df) == pytest.approx((1.5 + 0.0 + 1.5) / 3)
    assert top_pick_regret(df, ties="pessimistic") == pytest.approx((1.5 + 0.0 + 2.0) / 3)
    single = frame(([0.3], [1.2]), gain="expected_outcome")
    assert top_pick_regret(single) == 0.0


# --- exact tie handling, checked by brute force ---------------------------------------
Metric = Callable[[pd.DataFrame], float]
METRICS: dict[str, Metric] = {
    "ndcg@2": lambda d: ndcg_at_k(d, k=2),
    "ndcg@3 exp": lambda d: ndcg_at_k(d, k=3, exponential=True),
    "map": lambda d: average_precision(d, threshold=2),
    "precision@2": lambda d: precision_at_k(d, k=2),
    "hit@1": lambda d: hit_rate_at_k(d, k=1),
    "hit@3": lambda d: hit_rate_at_k(d, k=3),
    "regret": lambda d: top_pick_regret(d, gain="outcome"),
}


@pytest.mark.parametrize("name", sorted(METRICS))
def test_average_ties_equal_the_mean_over_every_order_of_the_tied_items(name: str) -> None:
    metric = METRICS[name]
    rng = np.random.default_rng(11)
    for _ in range(6):
        n = int(rng.integers(2, 6))
        scores = rng.integers(0, 2, size=n).astype(float)  # coarse: ties everywhere
        gains = rng.integers(0, 4, size=n)
        gains[0] = 3
        tied = frame((scores.tolist(), gains.tolist()))
        # every permutation breaks the ties its own way: one query per permutation,
        # strictly ordered scores, so the metric's mean over queries is the exact average
        orders = frame(
            *[
                ((scores + 1e-3 * np.array(p)).tolist(), gains.tolist())
                for p in itertools.permutations(range(n))
            ]
        )
        assert metric(tied) == pytest.approx(metric(orders))


# --- input checks and speed -----------------------------------------------------------
def test_bad_inputs_are_refused_with_the_column_named() -> None:
    df = frame(([0.5, np.nan], [1, 0]))
    with pytest.raises(ValueError, match="'score' has missing values"):
        ndcg_at_k(df, k=1)
    with pytest.raises(ValueError, match="'outcome' is missing"):
        ndcg_at_k(df.drop(columns="outcome"), k=1)
    with pytest.raises(ValueError, match="k must be a positive integer"):
        ndcg_at_k(frame(([1.0], [1])), k=0)
    with pytest.raises(ValueError, match="negative gains"):
        ndcg_at_k(frame(([1.0], [-1])), k=1)
    with pytest.raises(ValueError, match="sequence of column names"):
        ndcg_at_k(frame(([1.0], [1])), k=1, query="firm_id")  # type: ignore[arg-type]


def test_empty_frames_give_nan() -> None:
    empty = frame(([1.0], [1.0])).iloc[:0]
    assert math.isnan(ndcg_at_k(empty, k=3))
    assert math.isnan(average_precision(empty))
    assert math.isnan(top_pick_regret(empty, gain="outcome"))


def test_large_frames_are_handled_in_one_vectorised_pass() -> None:
    rng = np.random.default_rng(3)
    n_firms, n_prog = 20_000, 10
    df = pd.DataFrame(
        {
            "firm_id": np.repeat([f"f{i}" for i in range(n_firms)], n_prog),
            "year": 2024,
            "score": rng.normal(size=n_firms * n_prog).round(1),
            "outcome": rng.integers(0, 4, size=n_firms * n_prog),
        }
    )
    value = ndcg_at_k(df, k=3)
    # random scores: close to the random-ranking NDCG, far from perfect
    shuffled = df.assign(score=0.0)
    assert value == pytest.approx(ndcg_at_k(shuffled, k=3), abs=0.01)
    assert 0.4 < value < 0.8
