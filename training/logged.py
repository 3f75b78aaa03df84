"""What the data logged in one year: every eligible scored pair, who joined it, the outcome.

Off-policy evaluation (``docs/evaluation.md``) judges a ranking policy from the
participations that happened. Its unit is the *pair*: a firm profile of the evaluated
year and a scored programme of that year it is eligible for. A pair was *joined* when
the outcomes table holds a row for it; only joined pairs have an outcome. Firms that
joined nothing are in the data as pairs that were not joined.

:func:`logged_year` builds those pairs with the ranker's pair features, and the joined
pairs of the earlier years that an outcome model may also learn from. It refuses data
without outcomes for the evaluated year, naming the year.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from recommender import DataValidationError, EligibilityIndex, FeaturePipeline, Problem
from recommender.constants import FIRM_ID, OUTCOME, PROGRAMME_ID, REGIONS, YEAR
from recommender.contract.canonical import Dataset
from recommender.features import ProgrammeTable, with_history

KEYS: Final[list[str]] = [FIRM_ID, YEAR, PROGRAMME_ID]
JOINED: Final[str] = "joined"
N_FOLDS: Final[int] = 3


@dataclass(frozen=True)
class LoggedYear:
    """The evaluated year's eligible scored pairs and the earlier years' participations.

    Attributes
    ----------
    year : int
        The evaluated year.
    pairs : pandas.DataFrame
        One row per eligible scored pair of ``year``, sorted by firm then programme:
        ``firm_id, year, programme_id, programme_type, region, n_eligible`` (the firm's
        eligible scored programmes that year), ``joined`` (bool) and ``outcome``
        (NaN where not joined).
    X : numpy.ndarray
        The pairs' features (:data:`recommender.features.PAIR_FEATURES`), row for row.
    earlier_X, earlier_outcome : numpy.ndarray
        Features and outcomes of the participations in scored programmes of the years
        before ``year`` (their history features use only the years before theirs).
    """

    year: int
    pairs: pd.DataFrame
    X: np.ndarray
    earlier_X: np.ndarray
    earlier_outcome: np.ndarray

    @property
    def n_firms(self) -> int:
        """Firm profiles of the year with at least one eligible scored programme."""
        return int(self.pairs[FIRM_ID].nunique())


def last_year(dataset: Dataset) -> int:
    """The latest profile year of the firms table.

    Raises
    ------
    DataValidationError
        The firms table is empty.
    """
    if dataset.firms.empty:
        raise DataValidationError([Problem("firms", None, YEAR, None, "at least one profile")])
    return int(dataset.firms[YEAR].max())


def _missing(file: str, column: str, year: int, what: str) -> DataValidationError:
    return DataValidationError([Problem(file, None, column, year, what)])


def _require_outcomes(dataset: Dataset, year: int) -> pd.DataFrame:
    outcomes = dataset.outcomes
    if outcomes is None or not (outcomes[YEAR] == year).any():
        raise _missing(
            "outcomes",
            YEAR,
            year,
            f"participations with outcomes in {year}, the year evaluated (the last year of "
            f"the firm profiles); the policy value is estimated from that year's outcomes "
            f"and there are none",
        )
    return outcomes


def _index(frame: pd.DataFrame, columns: list[str]) -> pd.MultiIndex:
    return pd.MultiIndex.from_frame(frame[columns])


def logged_year(dataset: Dataset, *, year: int | None = None) -> LoggedYear:
    """The eligible scored pairs of ``year`` (default: the last year) with what was logged.

    Parameters
    ----------
    dataset : Dataset
        Canonical frames; ``outcomes`` must hold participations of ``year``.
    year : int, optional
        The evaluated year; the last profile year when omitted.

    Raises
    ------
    DataValidationError
        No outcomes for ``year``; no firm profile of ``year`` eligible for a scored
        programme; or none of that year's participations is in an eligible scored pair.
        The problem names the year and what is missing.
    """
    year = last_year(dataset) if year is None else int(year)
    outcomes = _require_outcomes(dataset, year)
    firms = with_history(dataset.firms.reset_index(drop=True), outcomes, dataset.programmes)
    table = ProgrammeTable(dataset.programmes)
    pipeline = FeaturePipeline().fit(dataset.firms)
    firm_rows = np.flatnonzero(firms[YEAR].to_numpy() == year)
    prog_rows = np.flatnonzero((table.programmes[YEAR].to_numpy() == year) & table.scored)
    mask = EligibilityIndex(table.programmes.iloc[prog_rows]).mask(firms.iloc[firm_rows])
    fi, pj = np.nonzero(mask)
    if len(fi) == 0:
        raise _missing(
            "programmes",
            YEAR,
            year,
            f"scored programmes of {year} that some firm profile of {year} is "
            f"eligible for (there are none, so no ranking to evaluate)",
        )
    fr, pr = firm_rows[fi], prog_rows[pj]
    f, p = firms.iloc[fr], table.programmes.iloc[pr]
    pairs = pd.DataFrame(
        {
            FIRM_ID: f[FIRM_ID].to_numpy(),
            YEAR: year,
            PROGRAMME_ID: p[PROGRAMME_ID].to_numpy(),
            "programme_type": p["programme_type"].to_numpy(),
            "region": f["region"].to_numpy(),
            "n_eligible": mask.sum(1)[fi].astype(np.int64),
        }
    )
    observed = outcomes[outcomes[YEAR] == year].drop_duplicates(KEYS)
    found = pd.Series(observed[OUTCOME].to_numpy(float), index=_index(observed, KEYS))
    outcome = found.reindex(_index(pairs, KEYS)).to_numpy(float)
    pairs[JOINED] = ~np.isnan(outcome)
    pairs[OUTCOME] = outcome
    if not pairs[JOINED].any():
        raise _missing(
            "outcomes",
            PROGRAMME_ID,
            year,
            f"participations of {year} in scored programmes the firm was eligible "
            f"for; none of the year's outcomes is one",
        )
    earlier_X, earlier_y = _earlier(outcomes, firms, table, pipeline, year)
    return LoggedYear(year, pairs, pipeline.matrix(firms, table, fr, pr), earlier_X, earlier_y)


def _earlier(
    outcomes: pd.DataFrame,
    firms: pd.DataFrame,
    table: ProgrammeTable,
    pipeline: FeaturePipeline,
    year: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Features and outcomes of participations in scored programmes before ``year``."""
    past = outcomes[outcomes[YEAR] < year]
    firm_pos = pd.Series(np.arange(len(firms)), index=_index(firms, [FIRM_ID, YEAR]))
    prog_pos = pd.Series(
        np.arange(len(table.programmes)), index=table.programmes[PROGRAMME_ID].to_numpy()
    )
    fr = firm_pos.reindex(_index(past, [FIRM_ID, YEAR])).to_numpy(float)
    pr = prog_pos.reindex(past[PROGRAMME_ID].to_numpy()).to_numpy(float)
    keep = ~np.isnan(fr) & ~np.isnan(pr)
    keep[keep] = table.scored[pr[keep].astype(int)]
    X = pipeline.matrix(firms, table, fr[keep].astype(int), pr[keep].astype(int))
    return X, past[OUTCOME].to_numpy(float)[keep]


def firm_folds(
    firm_ids: pd.Series | np.ndarray, *, n_folds: int = N_FOLDS, seed: int
) -> np.ndarray:
    """A cross-fitting fold (0..n_folds-1) per row, the same for every row of a firm."""
    ids = np.asarray(firm_ids)
    unique, inverse = np.unique(ids, return_inverse=True)
    order = np.random.default_rng(seed).permutation(len(unique))
    return (order % n_folds)[inverse]


def region_codes(regions: pd.Series) -> np.ndarray:
    """Index of each region in :data:`recommender.constants.REGIONS` (NaN if unknown)."""
    codes = {r: float(i) for i, r in enumerate(REGIONS)}
    return regions.map(codes).to_numpy(float)
