"""The direct method's outcome model: the expected grade of a pair, had the firm joined.

A gradient-boosted regression of the outcome grade on the ranker's pair features,
fitted on participations (the only pairs with an outcome): those of the years before
the evaluated one and those of the evaluated year's other firms. Fitted on who chose to
take part it inherits their selection, which is why the doubly robust estimator
corrects it with the observed outcomes weighted by the propensities
(``docs/evaluation.md``). Predictions are clipped to the grade scale.
"""

from __future__ import annotations

from typing import Final

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.utils.validation import check_is_fitted

from recommender import NotFittedError
from recommender.constants import OUTCOME, OUTCOME_MAX, OUTCOME_MIN
from recommender.features import CATEGORICAL_FEATURES, PAIR_FEATURES
from training.logged import JOINED, LoggedYear

CATEGORICAL: Final[np.ndarray] = np.array([name in CATEGORICAL_FEATURES for name in PAIR_FEATURES])


class OutcomeModel(RegressorMixin, BaseEstimator):
    """E[outcome] of a pair over :data:`recommender.features.PAIR_FEATURES`.

    Parameters
    ----------
    max_iter, learning_rate, min_samples_leaf, l2_regularization
        Of the :class:`~sklearn.ensemble.HistGradientBoostingRegressor`.
    seed : int

    Attributes
    ----------
    model_ : HistGradientBoostingRegressor
    """

    def __init__(
        self,
        *,
        max_iter: int = 120,
        learning_rate: float = 0.08,
        min_samples_leaf: int = 30,
        l2_regularization: float = 1.0,
        seed: int = 42,
    ) -> None:
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.seed = seed

    def fit(self, X: np.ndarray, y: np.ndarray) -> OutcomeModel:
        """Fit on participations: pair features and their outcome grades."""
        X, y = np.asarray(X, float), np.asarray(y, float)
        if X.ndim != 2 or X.shape[1] != len(PAIR_FEATURES) or len(X) != len(y):
            raise ValueError(f"X must have {len(PAIR_FEATURES)} columns and one row per grade")
        self.model_ = HistGradientBoostingRegressor(
            max_iter=self.max_iter,
            learning_rate=self.learning_rate,
            min_samples_leaf=self.min_samples_leaf,
            l2_regularization=self.l2_regularization,
            categorical_features=CATEGORICAL,
            early_stopping=False,
            random_state=self.seed,
        ).fit(X, y)
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Expected grade of each pair, within the grade scale."""
        try:
            check_is_fitted(self, "model_")
        except Exception as exc:  # sklearn's NotFittedError: ours names the object
            raise NotFittedError("the outcome model is used before fit") from exc
        return np.clip(self.model_.predict(np.asarray(X, float)), OUTCOME_MIN, OUTCOME_MAX)

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        """The input columns, in order."""
        return np.asarray(PAIR_FEATURES, dtype=object)


def crossfit_outcomes(
    logged: LoggedYear, *, folds: np.ndarray, model: OutcomeModel | None = None
) -> np.ndarray:
    """Each pair's expected grade from a model that never saw its firm's outcomes that year.

    Parameters
    ----------
    logged : LoggedYear
    folds : ndarray of int
        A fold per pair, the same for all pairs of a firm.
    model : OutcomeModel, optional
        Its parameters are used for every fold (default :class:`OutcomeModel`).
    """
    joined = logged.pairs[JOINED].to_numpy(bool)
    y = logged.pairs[OUTCOME].to_numpy(float)
    base = model if model is not None else OutcomeModel()
    out = np.empty(len(joined))
    for fold in np.unique(folds):
        test = folds == fold
        train = joined & ~test
        X = np.vstack([logged.earlier_X, logged.X[train]])
        fitted = OutcomeModel(**base.get_params()).fit(
            X, np.concatenate([logged.earlier_outcome, y[train]])
        )
        out[test] = fitted.predict(logged.X[test])
    return out
