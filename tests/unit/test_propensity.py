"""Who joins what: the logged pairs of a year, the calibrated propensity model, and the
cross-fitted nuisances (a firm's own participations never set its own weights)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from recommender import DataValidationError, NotFittedError, World, simulate_world
from recommender.constants import SCORED_TYPES
from recommender.contract.canonical import Dataset
from recommender.features import PAIR_FEATURES
from training.logged import LoggedYear, firm_folds, logged_year
from training.outcome_model import OutcomeModel, crossfit_outcomes
from training.propensity import (
    FEATURE_NAMES,
    MIN_JOINED,
    PropensityModel,
    calibration_table,
    crossfit_propensity,
)


@pytest.fixture(scope="module")
def world() -> World:
    return simulate_world(n_firms=400, years=(2022, 2023), seed=5)


@pytest.fixture(scope="module")
def logged(world: World) -> LoggedYear:
    return logged_year(world.dataset)


def test_the_logged_year_is_every_eligible_scored_pair_of_the_last_year(
    world: World, logged: LoggedYear
) -> None:
    pairs = logged.pairs
    assert logged.year == 2023
    assert (pairs["year"] == 2023).all()
    assert set(pairs["programme_type"]) <= set(SCORED_TYPES)
    assert not pairs.duplicated(["firm_id", "programme_id"]).any()
    assert logged.X.shape == (len(pairs), len(PAIR_FEATURES))
    assert (
        pairs.groupby("firm_id")["n_eligible"].agg(["first", "size"]).diff(axis=1).iloc[:, 1] == 0
    ).all()
    # the simulator's oracle lists every eligible scored pair of the last year too
    assert len(pairs) == len(world.oracle)
    assert set(zip(pairs["firm_id"], pairs["programme_id"], strict=True)) == set(
        zip(world.oracle["firm_id"], world.oracle["programme_id"], strict=True)
    )


def test_joined_pairs_carry_the_outcome_of_the_outcomes_table(
    world: World, logged: LoggedYear
) -> None:
    ds = world.dataset
    kinds = ds.programmes.set_index("programme_id")["programme_type"]
    outcomes = ds.outcomes
    assert outcomes is not None
    scored = outcomes[outcomes["programme_id"].map(kinds).isin(SCORED_TYPES)]
    this_year = scored[scored["year"] == 2023]
    joined = logged.pairs[logged.pairs["joined"]]
    assert len(joined) == len(this_year) > MIN_JOINED
    merged = joined.merge(this_year, on=["firm_id", "year", "programme_id"])
    assert (merged["outcome_x"] == merged["outcome_y"]).all()
    assert logged.pairs.loc[~logged.pairs["joined"], "outcome"].isna().all()
    assert logged.earlier_X.shape == (len(scored[scored["year"] < 2023]), len(PAIR_FEATURES))
    assert len(logged.earlier_outcome) == len(logged.earlier_X)


@pytest.mark.parametrize("outcomes", ["none", "earlier years only"])
def test_data_without_outcomes_for_the_last_year_is_refused_naming_it(
    world: World, outcomes: str
) -> None:
    ds = world.dataset
    assert ds.outcomes is not None
    kept = None if outcomes == "none" else ds.outcomes[ds.outcomes["year"] < 2023]
    with pytest.raises(DataValidationError, match=r"(?s)outcomes.*2023.*there are none"):
        logged_year(Dataset(ds.firms, ds.programmes, kept))


def test_too_few_participations_to_fit_who_joins_what_are_refused(logged: LoggedYear) -> None:
    joined = logged.pairs["joined"].to_numpy()
    keep = joined.cumsum() <= MIN_JOINED - 1
    few = replace(logged, pairs=logged.pairs.assign(joined=joined & keep))
    with pytest.raises(DataValidationError, match=rf"at least {MIN_JOINED} participations of 2023"):
        crossfit_propensity(few, folds=firm_folds(few.pairs["firm_id"], seed=1))


def test_folds_keep_each_firm_whole_and_are_seeded() -> None:
    ids = pd.Series(["a", "b", "a", "c", "b", "d", "e", "f"])
    folds = firm_folds(ids, n_folds=3, seed=4)
    assert folds[0] == folds[2] and folds[1] == folds[4]
    assert set(folds) == {0, 1, 2}
    assert (firm_folds(ids, n_folds=3, seed=4) == folds).all()


def synthetic(n: int, *, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows of FEATURE_NAMES whose true join probability is known: a logit in two
    numeric features plus a programme effect."""
    rng = np.random.default_rng(seed)
    X = np.zeros((n, len(FEATURE_NAMES)))
    a, b = FEATURE_NAMES.index("log_employees"), FEATURE_NAMES.index("target_self_mean")
    X[:, a], X[:, b] = rng.normal(size=n), rng.normal(size=n)
    X[:, -1] = rng.integers(0, 5, n)
    effect = np.array([-1.0, -0.5, 0.0, 0.5, 1.0])
    logit = -4.0 + 0.9 * X[:, a] - 0.6 * X[:, b] + effect[X[:, -1].astype(int)]
    truth = 1 / (1 + np.exp(-logit))
    return X, rng.random(n) < truth, truth


def test_the_propensity_model_recovers_known_join_probabilities() -> None:
    X, joined, truth = synthetic(30_000, seed=2)
    model = PropensityModel().fit(X, joined)
    predicted = model.predict_proba(X)[:, 1]
    assert np.abs(predicted - truth).mean() < 0.2 * truth.mean()
    table = calibration_table(predicted, joined, bins=5)
    assert list(table.columns) == ["bin", "pairs", "predicted", "observed"]
    assert table["pairs"].sum() == len(X)
    assert np.allclose(table["predicted"], table["observed"], rtol=0.25, atol=0.003)
    assert list(model.get_feature_names_out()) == list(FEATURE_NAMES)


def test_unfitted_models_say_so() -> None:
    X, _joined, _truth = synthetic(10, seed=1)
    with pytest.raises(NotFittedError, match="propensity model"):
        PropensityModel().predict_proba(X)
    with pytest.raises(NotFittedError, match="outcome model"):
        OutcomeModel().predict(np.zeros((1, len(PAIR_FEATURES))))


def test_a_firms_propensities_do_not_depend_on_its_own_participations(
    logged: LoggedYear,
) -> None:
    folds = firm_folds(logged.pairs["firm_id"], seed=3)
    before = crossfit_propensity(logged, folds=folds)
    in_fold = folds == 0
    flipped = logged.pairs["joined"].to_numpy() ^ (in_fold & (np.arange(len(folds)) % 7 == 0))
    after = crossfit_propensity(
        replace(logged, pairs=logged.pairs.assign(joined=flipped)), folds=folds
    )
    assert (after[in_fold] == before[in_fold]).all()
    assert (after[~in_fold] != before[~in_fold]).any()
    assert ((before > 0) & (before < 1)).all()


def test_a_firms_expected_outcomes_do_not_depend_on_its_own_outcomes(
    logged: LoggedYear,
) -> None:
    folds = firm_folds(logged.pairs["firm_id"], seed=3)
    before = crossfit_outcomes(logged, folds=folds)
    in_fold = folds == 1
    changed = logged.pairs["outcome"].where(~in_fold, 3.0 - logged.pairs["outcome"])
    after = crossfit_outcomes(
        replace(logged, pairs=logged.pairs.assign(outcome=changed)), folds=folds
    )
    assert (after[in_fold] == before[in_fold]).all()
    assert (after[~in_fold] != before[~in_fold]).any()
    assert ((before >= 0) & (before <= 3)).all()
