"""What the Dask engine computes on the workers, one co-partition at a time.

Each function takes one :class:`~recommender.adapters.partitioned.Checked` partition (a
complete small dataset: some firms with all their profiles and outcomes) and runs the
single-machine code on it; :mod:`training.dask` combines the results.
"""

from __future__ import annotations

from typing import Final

import lightgbm as lgb
import numpy as np
import pandas as pd

from recommender import FeaturePipeline
from recommender.adapters.partitioned import Checked
from recommender.features import PAIR_FEATURES, CellTotals, ProgrammeTable
from training.fingerprint import TableDigest
from training.masking import Masking
from training.pairs import labelled_pairs, prepared_firms

LABEL: Final[str] = "outcome"
EXTRA: Final[tuple[str, ...]] = ("firm_id", "year", LABEL)


def cell_totals(checked: Checked) -> CellTotals:
    """What a partition's firm profiles add to the peer cells."""
    return CellTotals.of(checked.valid.firms)


def table_digests(checked: Checked) -> dict[str, TableDigest]:
    """The fingerprint digests of a partition's firms and outcomes."""
    ds = checked.valid
    out = {"firms": TableDigest.of(ds.firms)}
    if ds.outcomes is not None:
        out["outcomes"] = TableDigest.of(ds.outcomes)
    return out


def firm_years(checked: Checked) -> set[int]:
    """The years of a partition's firm profiles."""
    return {int(y) for y in checked.valid.firms["year"].unique()}


def labelled_frame(
    checked: Checked, pipeline: FeaturePipeline, masking: Masking | None
) -> pd.DataFrame:
    """The labelled pair features of one co-partition (:data:`PAIR_FEATURES`, then
    firm_id, year and outcome), built by the single-machine code (masked as there: each
    pair's draws depend on the pair alone, not on the partition)."""
    ds = checked.valid
    if ds.outcomes is None or ds.outcomes.empty:
        return pair_frame(np.empty((0, len(PAIR_FEATURES))), pd.DataFrame(columns=list(EXTRA)))
    firms = prepared_firms(ds)
    pairs = labelled_pairs(ds, pipeline, firms, ProgrammeTable(ds.programmes), masking)
    return pair_frame(pairs.X, pairs.meta)


def pair_frame(X: np.ndarray, meta: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(X, columns=list(PAIR_FEATURES))
    out["firm_id"] = meta["firm_id"].to_numpy(dtype=object)
    out["year"] = meta["year"].to_numpy(dtype=np.int64)
    out[LABEL] = meta[LABEL].to_numpy(dtype=float) if LABEL in meta else np.empty(0)
    return out


def staged_sse(frame: pd.DataFrame, model: str, rounds: int) -> np.ndarray:
    """Summed squared error of the first ``t + 1`` trees for every ``t < rounds``."""
    out = np.zeros(rounds)
    if frame.empty:
        return out
    booster = lgb.Booster(model_str=model)
    X = frame[list(PAIR_FEATURES)].to_numpy(float)
    y = frame[LABEL].to_numpy(float)
    pred = np.zeros(len(X))
    for t in range(min(rounds, booster.num_trees())):
        pred += booster.predict(
            X, start_iteration=t, num_iteration=1, raw_score=True, num_threads=1
        )
        out[t] = float(((y - pred) ** 2).sum())
    return out


def scored_frame(frame: pd.DataFrame, model: str, rounds: int) -> pd.DataFrame:
    booster = lgb.Booster(model_str=model)
    X = frame[list(PAIR_FEATURES)].to_numpy(float)
    score = (
        booster.predict(X, num_iteration=rounds, raw_score=True, num_threads=1)
        if len(X)
        else np.empty(0)
    )
    return pd.DataFrame(
        {
            "year": frame["year"].to_numpy(),
            "sector": frame["sector"].to_numpy(),
            "size_band": frame["size_band"].to_numpy(),
            LABEL: frame[LABEL].to_numpy(),
            "score": score,
        }
    )
