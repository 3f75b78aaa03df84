"""Serving's exact TreeSHAP agrees with LightGBM's pred_contrib and the shap package.

Serving explains with :class:`PathShap` (TreeSHAP as table look-ups, vectorised over
the catalogue); LightGBM's native ``pred_contrib`` is its fallback and
``shap.TreeExplainer`` the reference.
"""

from __future__ import annotations

import numpy as np
import shap

from recommender.explain import GROUPING, PathShap, factor_contributions
from recommender.features import ProgrammeTable
from recommender.recommend import Recommender
from recommender.simulate import World


def _pairs(rec: Recommender, world: World) -> np.ndarray:
    ds = world.dataset
    firms = ds.firms[ds.firms["year"] == ds.firms["year"].max()].head(40).reset_index(drop=True)
    table = ProgrammeTable(ds.programmes[ds.programmes["year"] == firms["year"].iloc[0]])
    fi, pj = np.nonzero(np.ones((len(firms), len(table.programmes)), bool) & table.scored)
    return rec.pipeline.matrix(firms, table, fi, pj)


def _awkward(X: np.ndarray, explainer: PathShap) -> np.ndarray:
    """Rows with missing values, negatives and values exactly at split thresholds."""
    rng = np.random.default_rng(3)
    Y = X[rng.integers(0, len(X), 3000)].copy()
    Y[rng.random(Y.shape) < 0.15] = np.nan
    negative = rng.random(Y.shape) < 0.05
    Y[negative] = -3 * rng.random(int(negative.sum()))
    at = rng.integers(0, len(explainer.split_feature), 60)
    hit = rng.random((len(Y), len(at))) < 0.3
    columns = explainer.split_feature[at]
    Y[:, columns] = np.where(hit, explainer.threshold[at], Y[:, columns])
    return Y


def test_native_contributions_match_shap_tree_explainer(
    small_recommender: Recommender, small_world: World
) -> None:
    X = _pairs(small_recommender, small_world)
    native = small_recommender.ranker.contributions(X)
    reference = shap.TreeExplainer(small_recommender.ranker.booster)(X)
    np.testing.assert_allclose(native[:, :-1], reference.values, atol=1e-6)
    np.testing.assert_allclose(native[:, -1], reference.base_values, atol=1e-6)


def test_table_treeshap_matches_native_and_shap(
    small_recommender: Recommender, small_world: World
) -> None:
    explainer = small_recommender.explainer
    assert explainer is not None, "the shipped kind of model is covered"
    X = _pairs(small_recommender, small_world)
    ours = explainer.contributions(X)
    np.testing.assert_allclose(ours, small_recommender.ranker.contributions(X), atol=1e-9)
    reference = shap.TreeExplainer(small_recommender.ranker.booster)(X)
    np.testing.assert_allclose(ours[:, :-1], reference.values, atol=1e-6)
    np.testing.assert_allclose(ours[:, -1], reference.base_values, atol=1e-6)


def test_table_treeshap_decides_missing_negative_and_tied_values_as_lightgbm(
    small_recommender: Recommender, small_world: World
) -> None:
    explainer = small_recommender.explainer
    assert explainer is not None
    Y = _awkward(_pairs(small_recommender, small_world), explainer)
    ours = explainer.contributions(Y)
    np.testing.assert_allclose(ours, small_recommender.ranker.contributions(Y), atol=1e-9)
    np.testing.assert_allclose(ours.sum(1), small_recommender.ranker.predict(Y), atol=1e-9)


def test_distinct_rows_are_computed_once_and_expand_to_every_row(
    small_recommender: Recommender, small_world: World
) -> None:
    explainer = small_recommender.explainer
    assert explainer is not None
    X = _pairs(small_recommender, small_world)
    X = np.vstack([X, X[:50]])  # 50 rows certainly repeated
    values, inverse = explainer.distinct(X)
    assert len(values) <= len(X) - 50
    np.testing.assert_array_equal(values[inverse], explainer.contributions(X))


def test_grouping_into_factors_keeps_the_sum(
    small_recommender: Recommender, small_world: World
) -> None:
    X = _pairs(small_recommender, small_world)
    factors, base = factor_contributions(small_recommender.ranker.contributions(X))
    np.testing.assert_allclose(
        base + factors.sum(1), small_recommender.ranker.predict(X), atol=1e-6
    )
    assert (GROUPING.sum(1) == 1).all(), "every feature belongs to exactly one factor"
