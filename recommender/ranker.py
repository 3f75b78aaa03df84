"""The LightGBM ranker: one booster, saved in LightGBM's native text format.

Objectives (chosen by validation in :mod:`training.fit`, see ``docs/ranker.md``):

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

from collections.abc import Callable, Sequence
from typing import Any, Final

import lightgbm as lgb
import numpy as np

from recommender.errors import NotFittedError

OBJECTIVES: tuple[str, ...] = (
    "regression",
    "lambdarank",
    "lambdarank_peer",
    "regression+lambdarank",
)

# Domain knowledge the model must respect: a larger gap in what a programme targets never
# lowers its fit for an otherwise equal firm (tests/model/test_behaviour.py).
MONOTONE_INCREASING: tuple[str, ...] = ("target_gap_mean", "target_gap_max")

# Early stopping: training stops this many rounds after the best validation score and
# keeps the best round (``lgb.early_stopping`` on one machine; the same rule is applied
# to the exact validation curve on Dask, :func:`training.procedure.early_stopping_rounds`).
PATIENCE: Final[int] = 30

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

    Follows the scikit-learn estimator contract: the constructor only stores its
    parameters; the fitted booster ``booster_`` is set by :meth:`fit`, or by
    :meth:`from_booster` / :meth:`from_text` for a model trained elsewhere.

    Parameters
    ----------
    objective
        One of :data:`OBJECTIVES` (checked by :meth:`fit`).
    max_rounds
        Upper bound on boosting rounds; early stopping picks the number used.
    seed
        Seeds every random choice of LightGBM.
    num_threads
        LightGBM threads (0 = LightGBM's default).
    params
        Overrides of :data:`BASE_PARAMS`.

    Attributes
    ----------
    booster_ : lightgbm.Booster
        The trained model.
    """

    def __init__(
        self,
        *,
        objective: str = "regression",
        max_rounds: int = 300,
        seed: int = 42,
        num_threads: int = 2,
        params: dict[str, Any] | None = None,
    ) -> None:
        self.objective = objective
        self.max_rounds = max_rounds
        self.seed = seed
        self.num_threads = num_threads
        self.params = params

    @classmethod
    def from_booster(cls, booster: lgb.Booster, **params: Any) -> Ranker:
        """A fitted ranker around a booster trained elsewhere (e.g. by ``lightgbm.dask``).

        ``params`` are the constructor's, describing how the booster was trained.
        """
        ranker = cls(**params)
        ranker.booster_ = booster
        return ranker

    @classmethod
    def from_text(cls, text: str, *, num_threads: int = 1) -> Ranker:
        """A ranker from a native text model whose bytes were verified against a manifest.

        Never pass unverified text: LightGBM aborts the process on a truncated model.
        """
        return cls.from_booster(lgb.Booster(model_str=text), num_threads=num_threads)

    def stage_params(self, stage: str, feature_names: Sequence[str]) -> dict[str, Any]:
        """LightGBM parameters of one training stage (``regression`` or ``lambdarank``).

        :data:`BASE_PARAMS`, the overrides, seed and threads, the stage's objective and
        metric, and the monotone constraints of :data:`MONOTONE_INCREASING` for the
        given feature order. Every engine trains with these.
        """
        p = {
            **BASE_PARAMS,
            **(self.params or {}),
            "seed": self.seed,
            "num_threads": self.num_threads,
        }
        if stage == "regression":
            p.update(objective="regression", metric="l2")
        else:
            p.update(
                objective="lambdarank", metric="ndcg", eval_at=[3], lambdarank_truncation_level=10
            )
        p.update(
            monotone_constraints=[1 if n in MONOTONE_INCREASING else 0 for n in feature_names],
            monotone_constraints_method="intermediate",
        )
        return p

    def training_params(self, feature_names: Sequence[str]) -> dict[str, Any]:
        """Parameters of the objective's last stage, as recorded in manifests."""
        last = "regression" if self.objective == "regression" else "lambdarank"
        return self.stage_params(last, feature_names)

    def fit(
        self,
        X: np.ndarray,
        y: np.ndarray,
        *,
        feature_names: Sequence[str],
        categorical: Sequence[str] = (),
        group: np.ndarray | None = None,
        peer_group: np.ndarray | None = None,
        X_val: np.ndarray | None = None,
        y_val: np.ndarray | None = None,
        group_val: np.ndarray | None = None,
        peer_group_val: np.ndarray | None = None,
    ) -> Ranker:
        """Train with early stopping (:data:`PATIENCE`) on the validation rows.

        ``group``/``peer_group`` are query sizes (LightGBM's ``group``) for rows sorted by
        query; the firm-year grouping feeds ``lambdarank``, the peer one ``lambdarank_peer``.

        Raises
        ------
        ValueError
            Unknown objective, or a ranking objective without its query groups.
        """
        if self.objective not in OBJECTIVES:
            raise ValueError(
                f"objective must be one of {', '.join(OBJECTIVES)}, not {self.objective!r}"
            )
        names = list(feature_names)
        cats = [c for c in categorical if c in names]

        def data(
            Xa: np.ndarray, ya: np.ndarray, g: np.ndarray | None, ref: lgb.Dataset | None = None
        ) -> lgb.Dataset:
            return lgb.Dataset(
                Xa,
                label=ya,
                group=g,
                feature_name=names,
                categorical_feature=cats,
                reference=ref,
                free_raw_data=False,
            )

        plans: dict[str, list[tuple[str, np.ndarray | None, np.ndarray | None]]] = {
            "regression": [("regression", None, None)],
            "lambdarank": [("lambdarank", group, group_val)],
            "lambdarank_peer": [("lambdarank", peer_group, peer_group_val)],
            "regression+lambdarank": [
                ("regression", None, None),
                ("lambdarank", peer_group, peer_group_val),
            ],
        }
        stages = plans[self.objective]
        booster: lgb.Booster | None = None
        for objective, g, g_val in stages:
            if objective == "lambdarank" and g is None:
                raise ValueError(f"objective {self.objective!r} needs query groups")
            train = data(X, y, g)
            valid = (
                [data(X_val, y_val, g_val, train)]
                if X_val is not None and y_val is not None
                else []
            )
            callbacks: list[Callable[..., Any]] = (
                [lgb.early_stopping(PATIENCE, verbose=False)] if valid else []
            )
            # A second stage continues from the first's trees: one booster, one explanation.
            booster = lgb.train(
                self.stage_params(objective, names),
                train,
                num_boost_round=self.max_rounds,
                valid_sets=valid,
                callbacks=callbacks,
                init_model=booster,
                keep_training_booster=booster is None and len(stages) > 1,
            )
        self.booster_ = booster
        return self

    @property
    def booster(self) -> lgb.Booster:
        """The trained booster; raises :class:`NotFittedError` before ``fit``."""
        booster: lgb.Booster | None = getattr(self, "booster_", None)
        if booster is None:
            raise NotFittedError("Ranker is not fitted: call fit() or Ranker.from_text() first")
        return booster

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Raw scores, one per row."""
        return np.asarray(self.booster.predict(X, raw_score=True, num_threads=self.num_threads))

    def contributions(self, X: np.ndarray) -> np.ndarray:
        """Exact TreeSHAP values (LightGBM ``pred_contrib``): ``(n, n_features + 1)``,
        the last column being the base value; each row sums to :meth:`predict`."""
        return np.asarray(
            self.booster.predict(X, pred_contrib=True, raw_score=True, num_threads=self.num_threads)
        )

    def to_text(self) -> str:
        """The booster in LightGBM's native text format (what ``model.txt`` holds)."""
        return str(self.booster.model_to_string())
