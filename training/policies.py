"""Ranking policies as frames: a firm's top ``k`` picks, rankings from scores, true values.

A *policy* is a ranking of each firm profile's eligible scored programmes, given as
``firm_id, year, programme_id, rank`` rows (``Recommender.score`` output; rank 1 is the
top pick, rows without a rank are not ranked).
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from recommender.constants import FIRM_ID, PROGRAMME_ID, YEAR
from training.logged import KEYS

RANK: Final[str] = "rank"


def year_of(logged: pd.DataFrame) -> int:
    """The one year of a frame of logged pairs."""
    years = logged[YEAR].unique()
    if len(years) != 1:
        raise ValueError(f"the logged pairs must be of one year, not {sorted(years)}")
    return int(years[0])


def picks(logged: pd.DataFrame, ranking: pd.DataFrame, *, k: int = 1) -> pd.DataFrame:
    """The logged pairs the policy puts in each firm's top ``k``, with their weight ``w``.

    ``ranking`` holds ``firm_id, year, programme_id, rank`` (the score output; rows
    without a rank are ignored). Every ranked pair of the logged year must be a logged
    (eligible scored) pair.
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, not {k}")
    year = year_of(logged)
    ranked = ranking[(ranking[YEAR] == year) & ranking[RANK].notna()]
    top = ranked[ranked[RANK].astype(float) <= k][KEYS + [RANK]]
    chosen = top.merge(logged, on=KEYS, how="left", indicator=True)
    unknown = int((chosen.pop("_merge") != "both").sum())
    if unknown:
        raise ValueError(
            f"the policy ranks {unknown} pairs of {year} that are not eligible "
            f"scored pairs of the logged data"
        )
    chosen["w"] = 1.0 / chosen.groupby(FIRM_ID)[RANK].transform("size").to_numpy(float)
    return chosen.sort_values([FIRM_ID, RANK], kind="stable").reset_index(drop=True)


def oracle_value(ranking: pd.DataFrame, oracle: pd.DataFrame, *, year: int, k: int = 1) -> float:
    """The true value: mean over firm profiles of ``year`` of the oracle's expected outcome
    (``expected_outcome``) of the policy's top ``k`` picks.

    Raises
    ------
    ValueError
        The oracle lacks a pair the policy picks.
    """
    ranked = ranking[(ranking[YEAR] == year) & ranking[RANK].notna()]
    top = ranked[ranked[RANK].astype(float) <= k][KEYS]
    truth = top.merge(oracle[KEYS + ["expected_outcome"]], on=KEYS, how="left")
    if truth.empty or truth["expected_outcome"].isna().any():
        raise ValueError(f"the oracle has no expected outcome for some top-{k} pick of {year}")
    return float(truth.groupby(FIRM_ID)["expected_outcome"].mean().mean())


def ranking_from_scores(pairs: pd.DataFrame, scores: np.ndarray) -> pd.DataFrame:
    """``firm_id, year, programme_id, rank``: each firm's pairs by score, highest first
    (ties: the lower programme id first)."""
    frame = pairs[KEYS].assign(score=np.asarray(scores, float))
    frame = frame.sort_values(
        [FIRM_ID, "score", PROGRAMME_ID], ascending=[True, False, True], kind="stable"
    )
    frame[RANK] = frame.groupby(FIRM_ID).cumcount() + 1
    return frame[KEYS + [RANK]].reset_index(drop=True)
