"""Who joins what: a calibrated propensity model of participation.

The propensity of a pair is the probability that the firm joined that programme in
the evaluated year, given what the data shows of both: the ranker's pair features
(size, lab, self-ratings on the programme's targets, history, support, ...), the
firm's region and how many scored programmes it was eligible for (the competition for
its choice), and the programme itself. Programme offerings are new rows every year and
differ in how visible they are, which no column shows, so the programme enters as its
*target-encoded id* (its join rate, cross-fitted by :class:`sklearn.preprocessing.
TargetEncoder`). Whether a firm joined any programme and which one it chose are both in
the one pairwise model: a firm-level feature moves all its pairs, a pair feature one.

Gradient boosting ranks pairs well but its probabilities at a 1-3 % base rate need
calibration; :class:`sklearn.calibration.CalibratedClassifierCV` does it on held-out
folds. :func:`crossfit_propensity` predicts each pair from a model fitted on the other
firms' pairs only, so no pair's own label sets its weight.
"""

from __future__ import annotations

from typing import Final, Literal

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils.validation import check_is_fitted

from recommender import DataValidationError, NotFittedError, Problem
from recommender.constants import PROGRAMME_ID
from recommender.features import CATEGORICAL_FEATURES, PAIR_FEATURES
from training.logged import JOINED, LoggedYear, region_codes

FEATURE_NAMES: Final[tuple[str, ...]] = (*PAIR_FEATURES, "region", "n_eligible", "programme")
CATEGORICAL: Final[tuple[str, ...]] = (*CATEGORICAL_FEATURES, "region")
MIN_JOINED: Final[int] = 20  # participations needed to fit a propensity model
FLOOR: Final[float] = 1e-3  # propensities are never taken below this (weights <= 1,000)
Calibration = Literal["isotonic", "sigmoid"]


class PropensityModel(ClassifierMixin, BaseEstimator):
    """P(joined) of a pair: a calibrated logistic regression over :data:`FEATURE_NAMES`.

    Numeric features are imputed (with missing-value indicators) and standardised;
    categorical ones, the region and the programme are one-hot encoded (the programme's
    columns are its fixed effect: how visible and attractive the offering was). On the
    log-odds scale a small join probability is, to first order, the sum of a firm term
    (does it apply at all), a programme term and a pair term (does this one appeal to
    it), which is what a logistic model is.

    Parameters
    ----------
    C : float
        Inverse L2 penalty of the :class:`~sklearn.linear_model.LogisticRegression`.
    calibration : {"isotonic", "sigmoid"}
        How :class:`~sklearn.calibration.CalibratedClassifierCV` maps scores to
        probabilities.
    calibration_folds : int
        Folds of the calibration (each fits the regression on the others).
    seed : int
        Seeds the calibration folds.

    Attributes
    ----------
    model_ : CalibratedClassifierCV
    classes_ : ndarray
        ``[False, True]``.
    """

    def __init__(
        self,
        *,
        C: float = 0.3,
        calibration: Calibration = "sigmoid",
        calibration_folds: int = 2,
        seed: int = 42,
    ) -> None:
        self.C = C
        self.calibration = calibration
        self.calibration_folds = calibration_folds
        self.seed = seed

    def _pipeline(self) -> Pipeline:
        kinds = [name in CATEGORICAL or name == "programme" for name in FEATURE_NAMES]
        categorical = [i for i, kind in enumerate(kinds) if kind]
        numeric = [i for i, kind in enumerate(kinds) if not kind]
        encode = ColumnTransformer(
            [
                (
                    "categories",
                    make_pipeline(
                        SimpleImputer(strategy="constant", fill_value=-1.0),
                        OneHotEncoder(handle_unknown="ignore"),
                    ),
                    categorical,
                ),
                (
                    "numbers",
                    make_pipeline(
                        SimpleImputer(
                            strategy="median", add_indicator=True, keep_empty_features=True
                        ),
                        StandardScaler(),
                    ),
                    numeric,
                ),
            ]
        )
        return Pipeline(
            [("encode", encode), ("logit", LogisticRegression(C=self.C, max_iter=2000))]
        )

    def fit(self, X: np.ndarray, y: np.ndarray) -> PropensityModel:
        """Fit on rows of :data:`FEATURE_NAMES` (last column: programme code) and joined."""
        X, y = np.asarray(X, float), np.asarray(y, bool)
        if X.ndim != 2 or X.shape[1] != len(FEATURE_NAMES) or len(X) != len(y):
            raise ValueError(f"X must have {len(FEATURE_NAMES)} columns and one row per label")
        folds = StratifiedKFold(self.calibration_folds, shuffle=True, random_state=self.seed)
        self.model_ = CalibratedClassifierCV(
            self._pipeline(), method=self.calibration, cv=folds
        ).fit(X, y)
        self.classes_ = np.array([False, True])
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """``(n, 2)``: P(not joined), P(joined)."""
        try:
            check_is_fitted(self, "model_")
        except Exception as exc:  # sklearn's NotFittedError: ours names the object
            raise NotFittedError("the propensity model is used before fit") from exc
        joined = self.model_.predict_proba(np.asarray(X, float))[:, 1]
        return np.column_stack([1.0 - joined, joined])

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        """The input columns, in order."""
        return np.asarray(FEATURE_NAMES, dtype=object)


def propensity_matrix(logged: LoggedYear) -> np.ndarray:
    """The model input of every pair of ``logged``: :data:`FEATURE_NAMES`, in order."""
    pairs = logged.pairs
    programme = pd.factorize(pairs[PROGRAMME_ID])[0].astype(float)
    return np.column_stack(
        [logged.X, region_codes(pairs["region"]), pairs["n_eligible"].to_numpy(float), programme]
    )


def crossfit_propensity(
    logged: LoggedYear, *, folds: np.ndarray, model: PropensityModel | None = None
) -> np.ndarray:
    """Each pair's propensity from a model fitted on the pairs of the other folds' firms.

    Parameters
    ----------
    logged : LoggedYear
    folds : ndarray of int
        A fold per pair, the same for all pairs of a firm (:func:`training.logged.firm_folds`).
    model : PropensityModel, optional
        Its parameters are used for every fold (default :class:`PropensityModel`).

    Returns
    -------
    ndarray
        P(joined) per pair, at least :data:`FLOOR`.

    Raises
    ------
    DataValidationError
        Fewer than :data:`MIN_JOINED` participations in the year, naming the year.
    """
    joined = logged.pairs[JOINED].to_numpy(bool)
    if joined.sum() < MIN_JOINED:
        raise DataValidationError(
            [
                Problem(
                    "outcomes",
                    None,
                    "year",
                    logged.year,
                    f"at least {MIN_JOINED} participations of {logged.year} in eligible scored "
                    f"programmes to fit who joins what (found {int(joined.sum())})",
                )
            ]
        )
    X = propensity_matrix(logged)
    base = model if model is not None else PropensityModel()
    out = np.empty(len(X))
    for fold in np.unique(folds):
        test = folds == fold
        fitted = PropensityModel(**base.get_params()).fit(X[~test], joined[~test])
        out[test] = fitted.predict_proba(X[test])[:, 1]
    return np.maximum(out, FLOOR)


def calibration_table(
    propensity: np.ndarray, joined: np.ndarray, *, bins: int = 10
) -> pd.DataFrame:
    """Predicted against observed join rate in propensity deciles (``bin``, ``pairs``,
    ``predicted``, ``observed``): a calibrated model has the two columns alike."""
    frame = pd.DataFrame({"p": np.asarray(propensity, float), "joined": np.asarray(joined, float)})
    frame["bin"] = pd.qcut(frame["p"].rank(method="first"), bins, labels=False)
    table = frame.groupby("bin").agg(
        pairs=("p", "size"), predicted=("p", "mean"), observed=("joined", "mean")
    )
    return table.reset_index()
