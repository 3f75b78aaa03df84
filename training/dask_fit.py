"""LightGBM on the cluster for :mod:`training.dask`: the ranker's parameters, the
data-parallel fit, the validation split and the early-stopping choice of rounds."""

from __future__ import annotations

import warnings
from typing import Any, Final

import dask
import dask.dataframe as dd
import lightgbm as lgb
import numpy as np
import pandas as pd
from distributed import Client
from lightgbm.dask import DaskLGBMRegressor

from recommender import Ranker
from recommender.features import PAIR_FEATURES
from training.dask_parts import LABEL, scored_frame, staged_sse
from training.fit import PEER_QUERY, validation_mask
from training.metrics import ndcg_at_k
from training.rules import early_stopping_rounds
from training.version import CATEGORICAL, FEATURES

OBJECTIVE: Final[str] = "regression"  # the one objective trained on Dask


def dask_params(ranker: Ranker) -> dict[str, Any]:
    """The ranker's LightGBM parameters for the regression stage, as on one machine,
    less ``num_threads`` (the workers' own threads are used)."""
    params = ranker.stage_params(OBJECTIVE, FEATURES)
    params.pop("num_threads")
    return params


def nonempty_partitions(frame: dd.DataFrame) -> dd.DataFrame:
    lengths = frame.map_partitions(len).compute()
    keep = [i for i, n in enumerate(lengths) if n]
    return frame.partitions[keep]


def usable_categoricals(frame: dd.DataFrame) -> list[str]:
    """The categorical features to declare: those with a value in every partition.

    Data-parallel LightGBM 4.7 crashes (``Socket recv error``) when one worker's rows
    hold no value at all of a declared categorical feature, as happens with
    ``hist_last_type`` when only the first year is labelled. A feature missing from a
    whole partition is passed as a plain number instead; one missing everywhere is
    never split on either way.
    """
    cats = list(CATEGORICAL)
    present = (
        frame[cats]
        .map_partitions(lambda p: p.notna().sum().to_frame().T, meta={c: np.int64 for c in cats})
        .compute()
    )
    return [c for c in cats if bool((present[c] > 0).all())]


def fit_booster(
    client: Client, frame: dd.DataFrame, *, rounds: int, params: dict[str, Any]
) -> tuple[lgb.Booster, list[str]]:
    model = DaskLGBMRegressor(client=client, n_estimators=rounds, **params)
    frame = nonempty_partitions(frame)
    cats = usable_categoricals(frame)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Parameter n_jobs will be ignored")
        model.fit(frame[list(PAIR_FEATURES)], frame[LABEL], categorical_feature=cats)
    return model.booster_, cats


def held_out(feats: dd.DataFrame, years: list[int], *, seed: int) -> dd.Series:
    """Validation rows as :func:`training.fit.validation_mask` picks them."""
    if len(years) >= 2:
        return feats["year"] == years[-1]
    ids = feats["firm_id"].unique().compute().to_numpy(dtype=object)
    mask = validation_mask(pd.DataFrame({"year": years[0], "firm_id": ids}), seed=seed)
    return feats["firm_id"].isin(set(ids[mask]))


def choose_rounds(
    client: Client,
    train: dd.DataFrame,
    valid: dd.DataFrame,
    *,
    max_rounds: int,
    params: dict[str, Any],
) -> tuple[int, float, pd.DataFrame]:
    """Boosting rounds by early stopping on ``valid``, its peer NDCG@3 there, and the
    validation rows scored by that model (for the calibration, as the single-machine
    procedure keeps them)."""
    booster, _ = fit_booster(client, train, rounds=max_rounds, params=params)
    text = booster.model_to_string()
    model = dask.delayed(text, pure=True)
    curves = dask.compute(
        *[dask.delayed(staged_sse)(p, model, max_rounds) for p in valid.to_delayed()]
    )
    rounds = early_stopping_rounds(np.sum(curves, axis=0)[: booster.num_trees()])
    scored = pd.concat(
        dask.compute(*[dask.delayed(scored_frame)(p, model, rounds) for p in valid.to_delayed()]),
        ignore_index=True,
    )
    score = float(ndcg_at_k(scored, k=3, query=PEER_QUERY, score="score", gain=LABEL))
    return rounds, score, scored
