"""Native TreeSHAP (LightGBM pred_contrib), which serving uses, agrees with the shap package."""

from __future__ import annotations

import numpy as np
import shap

from recommender.explain import GROUPING, factor_contributions
from recommender.features import ProgrammeTable
from recommender.recommend import Recommender
from recommender.simulate import World


def _pairs(rec: Recommender, world: World) -> np.ndarray:
    ds = world.dataset
    firms = ds.firms[ds.firms["year"] == ds.firms["year"].max()].head(40).reset_index(drop=True)
    table = ProgrammeTable(ds.programmes[ds.programmes["year"] == firms["year"].iloc[0]])
    fi, pj = np.nonzero(np.ones((len(firms), len(table.programmes)), bool) & table.scored)
    return rec.pipeline.matrix(firms, table, fi, pj)


def test_native_contributions_match_shap_tree_explainer(small_recommender: Recommender,
                                                        small_world: World) -> None:
    X = _pairs(small_recommender, small_world)
    native = small_recommender.ranker.contributions(X)
    reference = shap.TreeExplainer(small_recommender.ranker.booster)(X)
    np.testing.assert_allclose(native[:, :-1], reference.values, atol=1e-6)
    np.testing.assert_allclose(native[:, -1], reference.base_values, atol=1e-6)


def test_grouping_into_factors_keeps_the_sum(small_recommender: Recommender,
                                             small_world: World) -> None:
    X = _pairs(small_recommender, small_world)
    factors, base = factor_contributions(small_recommender.ranker.contributions(X))
    np.testing.assert_allclose(base + factors.sum(1), small_recommender.ranker.predict(X),
                               atol=1e-6)
    assert (GROUPING.sum(1) == 1).all(), "every feature belongs to exactly one factor"
