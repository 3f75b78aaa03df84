"""A model's self-check: a few predictions and explanations on synthetic rows.

Used before a candidate may serve (in a child process, see
:mod:`recommender.adapters.trial`) and by the server's readiness probe on the model it
serves: a model that cannot score or explain fails here, not in a request.
"""

from __future__ import annotations

import numpy as np

from recommender.errors import ModelIntegrityError
from recommender.explain import PathShap
from recommender.features import FeaturePipeline
from recommender.ranker import Ranker


def self_check(
    ranker: Ranker,
    pipeline: FeaturePipeline,
    *,
    version: str,
    rows: int = 4,
    explainer: PathShap | None = None,
) -> None:
    """Score ``rows`` synthetic pair rows (zeros, then all missing) and explain one.

    ``explainer`` is the model's TreeSHAP (built here when not given: ~80 ms for the
    demo model, so a server passes the one it serves with).

    Raises
    ------
    ModelIntegrityError
        The booster's features are not the pipeline's, or a score or contribution is
        missing, of the wrong shape or not finite.
    """

    def bad(why: str) -> ModelIntegrityError:
        return ModelIntegrityError(f"model version {version!r} fails its self-check: {why}")

    names = list(pipeline.feature_names)
    booster = ranker.booster
    if booster.num_feature() != len(names):
        raise bad(f"the model has {booster.num_feature()} features, the pipeline {len(names)}")
    X = np.zeros((max(rows, 2), len(names)))
    X[1::2] = np.nan
    scores = ranker.predict(X)
    if scores.shape != (len(X),) or not np.isfinite(scores).all():
        raise bad("its scores are not one finite number per row")
    explainer = explainer or PathShap.from_booster(booster)
    contrib = explainer.contributions(X[:1]) if explainer else ranker.contributions(X[:1])
    if contrib.shape != (1, len(names) + 1) or not np.isfinite(contrib).all():
        raise bad("its explanations are not one finite number per feature")
