"""Pair sets: model inputs with their identifying columns, for training and evaluation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from recommender import FeaturePipeline
from recommender.constants import SIZE_BANDS
from recommender.contract.canonical import Dataset
from recommender.eligibility import eligible_pairs
from recommender.features import ProgrammeTable, descriptions, size_band, with_history
from training.masking import Masking


@dataclass(frozen=True)
class PairSet:
    """Feature rows ``X`` and, row for row, who and what they describe (``meta``).

    ``meta`` holds firm_id, year, programme_id, programme_type, sector, region,
    size_band and outcome (NaN where the pair was not observed); labelled pairs built
    with a masking also ``masked`` (the copy whose attributes were hidden).
    """

    X: np.ndarray
    meta: pd.DataFrame

    def subset(self, mask: np.ndarray) -> PairSet:
        """The rows where ``mask`` holds."""
        return PairSet(self.X[mask], self.meta.loc[mask].reset_index(drop=True))

    def sorted_by(self, keys: list[str]) -> PairSet:
        """Rows sorted (stably) by ``keys``, e.g. to make query groups contiguous."""
        order = np.lexsort([self.meta[k].to_numpy() for k in reversed(keys)])
        return PairSet(self.X[order], self.meta.iloc[order].reset_index(drop=True))


def _build(
    pipeline: FeaturePipeline,
    firms: pd.DataFrame,
    table: ProgrammeTable,
    firm_rows: np.ndarray,
    prog_rows: np.ndarray,
    masking: Masking | None = None,
) -> PairSet:
    if masking is None or not masking.rates:
        X = pipeline.matrix(firms, table, firm_rows, prog_rows)
    else:
        X = _masked_matrix(pipeline, firms, table, firm_rows, prog_rows, masking)
    f = firms.iloc[firm_rows]
    p = table.programmes.iloc[prog_rows]
    meta = pd.DataFrame(
        {
            "firm_id": f["firm_id"].to_numpy(),
            "year": f["year"].to_numpy(),
            "programme_id": p["programme_id"].to_numpy(),
            "programme_type": p["programme_type"].to_numpy(),
            "sector": f["sector"].to_numpy(),
            "region": f["region"].to_numpy(),
            "size_band": np.asarray(SIZE_BANDS)[size_band(f["employees"].to_numpy())],
            "firm_row": firm_rows,
            "programme_row": prog_rows,
        }
    )
    return PairSet(X, meta)


def _masked_matrix(
    pipeline: FeaturePipeline,
    firms: pd.DataFrame,
    table: ProgrammeTable,
    firm_rows: np.ndarray,
    prog_rows: np.ndarray,
    masking: Masking,
) -> np.ndarray:
    """Features of pairs whose programmes are shown as :class:`Masking` leaves them: one
    programme row per pair, masked on its own, through the same feature code."""
    keys = pd.DataFrame(
        {
            "firm_id": firms["firm_id"].to_numpy()[firm_rows],
            "year": firms["year"].to_numpy()[firm_rows],
            "programme_id": table.programmes["programme_id"].to_numpy()[prog_rows],
        }
    )
    shown = ProgrammeTable(masking.apply(table.programmes.iloc[prog_rows], keys))
    # the text is matched over the year's whole catalogue, not the per-pair rows
    text = table.text_match(descriptions(firms), firm_rows, prog_rows)
    return pipeline.matrix(firms, shown, firm_rows, np.arange(len(prog_rows)), text=text)


def prepared_firms(ds: Dataset) -> pd.DataFrame:
    """Firm profiles with their participation history (from earlier years only)."""
    return with_history(ds.firms.reset_index(drop=True), ds.outcomes, ds.programmes)


def labelled_pairs(
    ds: Dataset,
    pipeline: FeaturePipeline,
    firms: pd.DataFrame,
    table: ProgrammeTable,
    masking: Masking | None = None,
) -> PairSet:
    """One row per observed participation in a scored programme, with its outcome; with
    ``masking``, two: the pair as the catalogue states it, then a copy whose programme
    attributes are hidden as the masking draws them (so hiding them costs the model no
    signal where they are stated, and it still learns to rank without them)."""
    if ds.outcomes is None or ds.outcomes.empty:
        return _build(pipeline, firms, table, np.array([], int), np.array([], int)).subset(
            np.array([], bool)
        )
    key = firms[["firm_id", "year"]].reset_index().rename(columns={"index": "firm_row"})
    prog = pd.Series(np.arange(len(table.programmes)), index=table.programmes["programme_id"])
    rows = ds.outcomes.merge(key, on=["firm_id", "year"], how="inner")
    rows = rows.assign(programme_row=rows["programme_id"].map(prog))
    rows = rows[rows["programme_row"].notna()]
    rows = rows[table.scored[rows["programme_row"].to_numpy(int)]]
    firm_rows, prog_rows = rows["firm_row"].to_numpy(int), rows["programme_row"].to_numpy(int)
    outcome = rows["outcome"].to_numpy(float)
    pairs = _build(pipeline, firms, table, firm_rows, prog_rows)
    pairs.meta["outcome"] = outcome
    if masking is not None and masking.rates:
        hidden = _build(pipeline, firms, table, firm_rows, prog_rows, masking)
        hidden.meta["outcome"] = outcome
        pairs.meta["masked"], hidden.meta["masked"] = False, True
        pairs = PairSet(
            np.vstack([pairs.X, hidden.X]), pd.concat([pairs.meta, hidden.meta], ignore_index=True)
        )
    return pairs


def candidate_pairs(
    pipeline: FeaturePipeline, firms: pd.DataFrame, table: ProgrammeTable
) -> PairSet:
    """Every eligible (firm profile, scored programme) pair of the same year."""
    pairs = eligible_pairs(firms, table.programmes)
    pairs = pairs[table.scored[pairs["programme_row"].to_numpy()]]
    out = _build(
        pipeline, firms, table, pairs["firm_row"].to_numpy(), pairs["programme_row"].to_numpy()
    )
    out.meta["outcome"] = np.nan
    return out


def group_sizes(meta: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """LightGBM query sizes for rows already sorted so each query is contiguous."""
    codes = meta.groupby(keys, sort=False).ngroup().to_numpy()
    change = np.flatnonzero(np.diff(codes) != 0) + 1
    return np.diff(np.concatenate([[0], change, [len(codes)]]))
