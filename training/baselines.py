"""Baselines every model is compared with, on the same split and the same candidates."""

from __future__ import annotations

import lightgbm as lgb
import numpy as np
import pandas as pd

from recommender.constants import CAPABILITIES, SCORED_TYPES
from recommender.features import PAIR_FEATURES
from training.pairs import PairSet

RAW_FIRM = (
    "employees",
    "revenue_krw_m",
    "export_share",
    "rnd_spend_krw_m",
    "researchers",
    "patents",
    "has_rnd_lab",
    "founded_year",
    *CAPABILITIES,
)
RAW_PROGRAMME = ("support_krw_m", "duration_months", "capacity")


def random_scores(pairs: PairSet, *, seed: int) -> np.ndarray:
    """Uniform noise: what ranking by chance achieves."""
    return np.random.default_rng(seed).random(len(pairs.meta))


def popularity_scores(pairs: PairSet, train: PairSet) -> np.ndarray:
    """How often each programme type was taken in the training data."""
    share = train.meta["programme_type"].value_counts(normalize=True)
    return pairs.meta["programme_type"].map(share).fillna(0.0).to_numpy(float)


def gap_heuristic_scores(pairs: PairSet) -> np.ndarray:
    """The firm's mean gap to its peers over the programme's targets (larger = better)."""
    mean = pairs.X[:, PAIR_FEATURES.index("target_gap_mean")]
    worst = pairs.X[:, PAIR_FEATURES.index("target_gap_max")]
    return np.nan_to_num(mean, nan=0.0) + 1e-3 * np.nan_to_num(worst, nan=0.0)


def raw_matrix(pairs: PairSet, firms: pd.DataFrame, programmes: pd.DataFrame) -> np.ndarray:
    """Plain columns of the firm and the programme, no profiling, no interactions."""
    f = firms.iloc[pairs.meta["firm_row"].to_numpy()]
    p = programmes.iloc[pairs.meta["programme_row"].to_numpy()]
    kind = p["programme_type"].map({t: i for i, t in enumerate(SCORED_TYPES)})
    return np.column_stack(
        [
            f[list(RAW_FIRM)].to_numpy(float),
            p[list(RAW_PROGRAMME)].to_numpy(float),
            kind.to_numpy(float),
        ]
    )


def raw_lightgbm_scores(
    train_X: np.ndarray, train_y: np.ndarray, test_X: np.ndarray, *, seed: int, num_threads: int
) -> np.ndarray:
    """A plain pointwise LightGBM on raw columns (default-ish parameters, fixed rounds)."""
    params = {
        "objective": "regression",
        "learning_rate": 0.05,
        "num_leaves": 31,
        "min_data_in_leaf": 40,
        "verbosity": -1,
        "seed": seed,
        "deterministic": True,
        "num_threads": num_threads,
        "force_row_wise": True,
    }
    booster = lgb.train(params, lgb.Dataset(train_X, label=train_y), num_boost_round=200)
    return np.asarray(booster.predict(test_X))
