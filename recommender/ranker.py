"""The LightGBM ranker: one booster, saved in LightGBM's native text format.

Objectives (chosen by validation in :mod:`training.train`, see ``docs/ranker.md``):

``regression``
    Pointwise L2 on the outcome grade: every observed participation is a training row,
    whether or not its firm-year has a second one to compare with.
``lambdarank``
    Pairwise within firm-years (query groups); most firm-years hold one participation,
    so few pairs carry signal.
``lambdarank_peer``
    Lambdarank with peer groups (year x sector x size band) as queries: compares the
    outcomes of similar firms in different programmes.
``regression+lambdarank``
    Pointwise trees first, then lambdarank trees continuing from them (one booster).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np

from recommender.errors import NotFittedError

OBJECTIVES: tuple[str, ...] = ("regression", "lambdarank", "lambdarank_peer",
                               "regression+lambdarank")

# Domain knowledge the model must respect: a larger gap in what a programme targets never
# lowers its fit for an otherwise equal firm (tests/model/test_behaviour.py).
MONOTONE_INCREASING: tuple[str, ...] = ("target_gap_mean", "target_gap_max")

BASE_PARAMS: dict[str, Any] = {
    "learning_rate": 0.05,
    "num_leaves": 15,
    "max_depth": 6,
    "min_data_in_leaf": 40,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "verbosity": -1,
    "deterministic": True,
    "force_row_wise": True,
}


class Ranker:
    """Scores (firm, programme) pairs; higher means a better expected outcome.

    Parameters
    ----------
    objective
        One of :data:`OBJECTIVES`.
    max_rounds
        Upper bound on boosting rounds; early stopping picks the number used.
    seed
        Seeds every random choice of LightGBM.
    num_threads
        LightGBM threads (0 = LightGBM's default).
    params
        Overrides of :data:`BASE_PARAMS`.
    """

    def __init__(self, *, objective: str = "regression", max_rounds: int = 300, seed: int = 42,
                 num_threads: int = 2, params: dict[str, Any] | None = None) -> None:
        if objective not in OBJECTIVES:
            raise ValueError(f"objective must be one of {', '.join(OBJECTIVES)}, not {objective!r}")
        self.objective = objective
        self.max_rounds = max_rounds
        self.seed = seed
        self.num_threads = num_threads
        self.params = params or {}
        self.booster_: lgb.Booster | None = None

    def _params(self, objective: str) -> dict[str, Any]:
        p = {**BASE_PARAMS, **self.params, "seed": self.seed, "num_threads": self.num_threads}
        if objective == "regression":
            p.update(objective="regression", metric="l2")
        else:
            p.update(objective="lambdarank", metric="ndcg", eval_at=[3],
                     lambdarank_truncation_level=10)
        return p

    def training_params(self) -> dict[str, Any]:
        """LightGBM parameters of the objective's last stage, as recorded in manifests."""
        return self._params("regression" if self.objective == "regression" else "lambdarank")

    def fit(self, X: np.ndarray, y: np.ndarray, *, feature_names: Sequence[str],
            categorical: Sequence[str] = (), group: np.ndarray | None = None,
            peer_group: np.ndarray | None = None, X_val: np.ndarray | None = None,
            y_val: np.ndarray | None = None, group_val: np.ndarray | None = None,
            peer_group_val: np.ndarray | None = None) -> Ranker:
        """Train with early stopping on the validation rows.

        ``group``/``peer_group`` are query sizes (LightGBM's ``group``) for rows sorted by
        query; the firm-year grouping feeds ``lambdarank``, the peer one ``lambdarank_peer``.
        """
        names = list(feature_names)
        cats = [c for c in categorical if c in names]
        monotone = [1 if n in MONOTONE_INCREASING else 0 for n in names]

        def data(Xa: np.ndarray, ya: np.ndarray, g: np.ndarray | None,
                 ref: lgb.Dataset | None = None) -> lgb.Dataset:
            return lgb.Dataset(Xa, label=ya, group=g, feature_name=names,
                               categorical_feature=cats, reference=ref, free_raw_data=False)

        stages: list[tuple[str, np.ndarray | None, np.ndarray | None]]
        stages = {
            "regression": [("regression", None, None)],
            "lambdarank": [("lambdarank", group, group_val)],
            "lambdarank_peer": [("lambdarank", peer_group, peer_group_val)],
            "regression+lambdarank": [("regression", None, None),
                                      ("lambdarank", peer_group, peer_group_val)],
        }[self.objective]
        booster: lgb.Booster | None = None
        for objective, g, g_val in stages:
            if objective == "lambdarank" and g is None:
                raise ValueError(f"objective {self.objective!r} needs query groups")
            train = data(X, y, g)
            valid = [data(X_val, y_val, g_val, train)] if X_val is not None else []
            callbacks = [lgb.early_stopping(30, verbose=False)] if valid else []
            # A second stage continues from the first's trees: one booster, one explanation.
            params = {**self._params(objective), "monotone_constraints": monotone,
                      "monotone_constraints_method": "advanced"}
            booster = lgb.train(params, train, num_boost_round=self.max_rounds,
                                valid_sets=valid, callbacks=callbacks, init_model=booster,
                                keep_training_booster=booster is None and len(stages) > 1)
        self.booster_ = booster
        return self

    @property
    def booster(self) -> lgb.Booster:
        """The trained booster; raises :class:`NotFittedError` before ``fit``."""
        if self.booster_ is None:
            raise NotFittedError("Ranker is not fitted: call fit() or Ranker.load() first")
        return self.booster_

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Raw scores, one per row."""
        return np.asarray(self.booster.predict(X, raw_score=True, num_threads=self.num_threads))

    def contributions(self, X: np.ndarray) -> np.ndarray:
        """Exact TreeSHAP values (LightGBM ``pred_contrib``): ``(n, n_features + 1)``,
        the last column being the base value; each row sums to :meth:`predict`."""
        return np.asarray(self.booster.predict(X, pred_contrib=True, raw_score=True,
                                               num_threads=self.num_threads))

    def save(self, path: Path) -> None:
        """Write the booster in LightGBM's native text format."""
        self.booster.save_model(str(path))

    @classmethod
    def from_text(cls, text: str, *, num_threads: int = 1) -> Ranker:
        """A ranker from a native text model whose bytes were verified against a manifest.

        Never pass unverified text: LightGBM aborts the process on a truncated model.
        """
        ranker = cls(num_threads=num_threads)
        ranker.booster_ = lgb.Booster(model_str=text)
        return ranker
