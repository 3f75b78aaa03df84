"""Table TreeSHAP: exact SHAP values of a LightGBM model for many rows at once."""

from __future__ import annotations

import lightgbm as lgb
import numpy as np
import pytest

from recommender.explain import PathShap
from recommender.explain.treeshap import path_tables, shapley_weights


def _booster(objective: str = "regression", **params: object) -> tuple[lgb.Booster, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 5))
    X[:, 3] = rng.integers(0, 6, 600)  # a categorical column
    X[rng.random(X.shape) < 0.1] = np.nan
    y = (
        np.nan_to_num(X[:, 0])
        + (X[:, 3] == 2)
        - np.nan_to_num(X[:, 1]) ** 2
        + rng.normal(scale=0.1, size=600)
    )
    label = (y > np.median(y)).astype(int) if objective == "binary" else y
    data = lgb.Dataset(X, label, categorical_feature=[3], free_raw_data=False)
    booster = lgb.train(
        {"objective": objective, "num_leaves": 15, "verbose": -1, "min_data_in_leaf": 5, **params},
        data,
        num_boost_round=30,
    )
    return booster, X


def test_a_path_game_gives_each_pattern_its_shapley_values() -> None:
    z, v = np.array([[0.3, 0.6]]), np.array([2.0])
    table = path_tables(z, v)[0]
    # code 0b01: only the first feature satisfied
    o = np.array([1.0, 0.0])
    w = shapley_weights(2)
    expected_first = v[0] * (o[0] - z[0, 0]) * (w[0] * z[0, 1] + w[1] * o[1])
    assert table[0b01, 0] == pytest.approx(expected_first)
    for code in range(4):  # efficiency: values + empty coalition = full coalition
        bits = np.array([(code >> k) & 1 for k in range(2)], float)
        assert table[code].sum() + v[0] * z.prod() == pytest.approx(v[0] * bits.prod())


@pytest.mark.parametrize("objective", ["regression", "binary"])
def test_values_equal_lightgbm_pred_contrib(objective: str) -> None:
    booster, X = _booster(objective)
    explainer = PathShap.from_booster(booster)
    assert explainer is not None
    native = booster.predict(X, pred_contrib=True, raw_score=True)
    np.testing.assert_allclose(explainer.contributions(X), native, atol=1e-9)


def test_unseen_categories_negative_codes_and_missing_values_go_as_in_lightgbm() -> None:
    booster, X = _booster()
    explainer = PathShap.from_booster(booster)
    assert explainer is not None
    assert len(explainer.categorical) > 0, "the model splits on the categorical column"
    odd = X[:40].copy()
    odd[:10, 3] = 99.0  # a category never seen
    odd[10:20, 3] = -1.0
    odd[20:30] = np.nan
    odd[30:40, 3] = 2.7  # LightGBM truncates to 2
    native = booster.predict(odd, pred_contrib=True, raw_score=True)
    np.testing.assert_allclose(explainer.contributions(odd), native, atol=1e-9)


def test_no_rows_give_an_empty_result() -> None:
    booster, X = _booster()
    explainer = PathShap.from_booster(booster)
    assert explainer is not None
    assert explainer.contributions(X[:0]).shape == (0, X.shape[1] + 1)


def test_models_it_does_not_cover_are_left_to_pred_contrib() -> None:
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(300, 3)), rng.integers(0, 3, 300)
    multiclass = lgb.train(
        {"objective": "multiclass", "num_class": 3, "verbose": -1},
        lgb.Dataset(X, y),
        num_boost_round=3,
    )
    assert PathShap.from_booster(multiclass) is None
