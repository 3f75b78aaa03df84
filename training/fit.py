"""Fitting the ranker: objective selection on a validation split, then the final fit.

The validation split never uses an oracle, so the same procedure runs on real agency
data: the last year of the training data when there are several, otherwise a fifth of
the firms. Objectives are compared on *peer NDCG@3*: within groups of similar firms
(year x sector x size band), are the participations that went well ranked above those
that did not? Most firm-years hold a single participation, so within-firm NDCG says
almost nothing; peer groups are the smallest groups with enough comparable outcomes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from recommender import FeaturePipeline, Ranker
from recommender.ranker import OBJECTIVES
from training.metrics import ndcg_at_k
from training.pairs import PairSet, group_sizes
from training.rules import MAX_ROUNDS, Progress, final_rounds, quiet, require_pairs

FIRM_QUERY = ["year", "firm_id"]
PEER_QUERY = ["year", "sector", "size_band"]


@dataclass(frozen=True)
class FitResult:
    """The fitted ranker, the objective chosen and what each objective scored."""

    ranker: Ranker
    objective: str
    validation_score: float
    objective_scores: dict[str, float] = field(default_factory=dict)
    best_rounds: int = 0
    held_out: pd.DataFrame | None = None  # validation rows' meta, scored by the split's model


def validation_mask(meta: pd.DataFrame, *, seed: int) -> np.ndarray:
    """Rows held out for early stopping and selection: last year, or 20 % of firms."""
    years = np.sort(meta["year"].unique())
    if len(years) >= 2:
        return (meta["year"] == years[-1]).to_numpy()
    firms = np.sort(meta["firm_id"].unique())
    rng = np.random.default_rng(seed)
    held = set(rng.choice(firms, size=max(1, len(firms) // 5), replace=False))
    return meta["firm_id"].isin(held).to_numpy()


def peer_ndcg(pairs: PairSet, scores: np.ndarray) -> float:
    """NDCG@3 of observed outcomes within peer groups (year x sector x size band)."""
    frame = pairs.meta[PEER_QUERY + ["outcome"]].assign(score=scores)
    return float(ndcg_at_k(frame, k=3, query=PEER_QUERY, score="score", gain="outcome"))


def _fit(
    objective: str,
    train: PairSet,
    valid: PairSet | None,
    *,
    seed: int,
    num_threads: int,
    max_rounds: int,
) -> Ranker:
    names = list(FeaturePipeline.feature_names)
    cats = list(FeaturePipeline.categorical_features)
    key = FIRM_QUERY if objective == "lambdarank" else PEER_QUERY
    train = train.sorted_by(key)
    kwargs: dict[str, object] = {}
    if valid is not None:
        valid = valid.sorted_by(key)
        kwargs = dict(
            X_val=valid.X,
            y_val=valid.meta["outcome"].to_numpy(),
            group_val=group_sizes(valid.meta, FIRM_QUERY) if key == FIRM_QUERY else None,
            peer_group_val=group_sizes(valid.meta, PEER_QUERY) if key == PEER_QUERY else None,
        )
    return Ranker(
        objective=objective, seed=seed, num_threads=num_threads, max_rounds=max_rounds
    ).fit(
        train.X,
        train.meta["outcome"].to_numpy(),
        feature_names=names,
        categorical=cats,
        group=group_sizes(train.meta, FIRM_QUERY) if key == FIRM_QUERY else None,
        peer_group=group_sizes(train.meta, PEER_QUERY) if key == PEER_QUERY else None,
        **kwargs,
    )  # type: ignore[arg-type]


def fit_ranker(
    pairs: PairSet,
    *,
    objective: str = "auto",
    seed: int = 42,
    num_threads: int = 2,
    max_rounds: int = MAX_ROUNDS,
    progress: Progress | None = None,
) -> FitResult:
    """Choose the objective on a validation split, then refit on every labelled pair.

    Parameters
    ----------
    pairs
        Labelled pairs (``meta['outcome']`` set).
    objective
        One of :data:`recommender.ranker.OBJECTIVES`, or ``"auto"`` to try them all.

    Raises
    ------
    DataValidationError
        Fewer labelled pairs than :data:`training.rules.MIN_PAIRS`.
    """
    say = quiet(progress)
    require_pairs(len(pairs.meta))
    held = validation_mask(pairs.meta, seed=seed)
    train, valid = pairs.subset(~held), pairs.subset(held)
    candidates = OBJECTIVES if objective == "auto" else (objective,)
    scores: dict[str, float] = {}
    rounds: dict[str, int] = {}
    held_scores: dict[str, np.ndarray] = {}
    for obj in candidates:
        say(f"fitting objective {obj} on the training split")
        ranker = _fit(obj, train, valid, seed=seed, num_threads=num_threads, max_rounds=max_rounds)
        held_scores[obj] = ranker.predict(valid.X)
        scores[obj] = peer_ndcg(valid, held_scores[obj])
        rounds[obj] = ranker.booster.num_trees()
    best = max(candidates, key=lambda o: (scores[o], -candidates.index(o)))
    say(f"chose {best} (peer NDCG@3 {scores[best]:.4f}); refitting on all labelled pairs")
    final = _fit(
        best, pairs, None, seed=seed, num_threads=num_threads, max_rounds=final_rounds(rounds[best])
    )
    held_out = valid.meta.reset_index(drop=True).assign(score=held_scores[best])
    return FitResult(final, best, scores[best], scores, rounds[best], held_out)
