"""The doubly robust policy value against the simulator's oracle, on a world never tuned on.

Six rankers (the shipped procedure's model, the lambdarank objective, plain LightGBM on
raw columns, the gap heuristic, type popularity, random) are trained on the years
before the last and judged on the last year's outcomes alone. At this size (about 1,450
firm profiles in the last year, a few dozen of whom joined a ranker's top pick) the
interval is wide (about +-0.25, and twice that for a paired difference); the issue's
accuracy targets (within 0.05, Kendall tau 0.8) need some 20 times more data and are
measured by ``bench/policy_value.py`` on worlds of 20,000-60,000 firms
(``docs/evaluation.md``). What must hold at any size: the intervals cover the truth.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bench.policy_value import RANKERS, rankings
from recommender import World, simulate_world
from training.off_policy import logged_values
from training.policies import oracle_value
from training.policy_value import overlap, policy_difference, policy_value

YEAR = 2022


@pytest.fixture(scope="module")
def world() -> World:
    return simulate_world(n_firms=1500, years=(2020, YEAR), seed=23)


@pytest.fixture(scope="module")
def logged(world: World) -> pd.DataFrame:
    return logged_values(world.dataset, seed=5)


@pytest.fixture(scope="module")
def ranked(world: World) -> dict[str, pd.DataFrame]:
    return rankings(world, seed=5, max_rounds=100)


@pytest.fixture(scope="module")
def table(world: World, logged: pd.DataFrame, ranked: dict[str, pd.DataFrame]) -> pd.DataFrame:
    rows = []
    for name, ranking in ranked.items():
        value = policy_value(logged, ranking, method="dr", n_boot=500, seed=5)
        rows.append(
            {
                "ranker": name,
                "truth": oracle_value(ranking, world.oracle, year=YEAR),
                "estimate": value.estimate,
                "low": value.ci_low,
                "high": value.ci_high,
                "matched": value.n_matched,
                "firms": value.n_firms,
            }
        )
    return pd.DataFrame(rows)


def test_every_ranker_gets_an_estimate_from_the_last_years_outcomes(table: pd.DataFrame) -> None:
    assert list(table["ranker"]) == list(RANKERS)
    assert np.isfinite(table[["estimate", "low", "high"]].to_numpy()).all()
    assert ((table["low"] <= table["estimate"]) & (table["estimate"] <= table["high"])).all()
    assert (table["firms"] > 1200).all()
    assert (table["matched"] >= 10).all()  # the overlap the estimate rests on


def test_the_95_percent_interval_covers_the_true_value_for_five_rankers_of_six(
    table: pd.DataFrame,
) -> None:
    covered = (table["low"] <= table["truth"]) & (table["truth"] <= table["high"])
    assert covered.sum() >= 5, table.to_string()


def test_the_paired_difference_of_the_model_and_random_covers_the_true_difference(
    world: World, logged: pd.DataFrame, ranked: dict[str, pd.DataFrame]
) -> None:
    model, random = ranked["model"], ranked["random"]
    truth = oracle_value(model, world.oracle, year=YEAR) - oracle_value(
        random, world.oracle, year=YEAR
    )
    diff = policy_difference(logged, model, random, method="dr", n_boot=500, seed=5)
    assert truth > 0.1
    assert diff.ci_low <= truth <= diff.ci_high


def test_the_overlap_diagnostics_describe_the_thin_support(
    logged: pd.DataFrame, ranked: dict[str, pd.DataFrame]
) -> None:
    pairs = overlap(logged)
    of_model = overlap(logged, ranked["model"])
    # a firm joins about one in 70 of its eligible scored programmes
    assert 0.0 < pairs["share_below_1pct"] < 1.0
    assert pairs["n_joined"] == logged["joined"].sum()
    assert 0 < of_model["ess"] <= of_model["n_joined"] < of_model["n"]
