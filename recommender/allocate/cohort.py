"""One year's cohort from firm profiles to an allocation: score, build, solve.

The same path serves ``recommender allocate`` (a data directory) and
``POST /v1/allocations`` (the stored firms): the model scores every firm of the year
against the year's programmes in chunks (only eligible, scored pairs are kept), the
scores become expected outcomes, and :func:`.solve.allocate` decides the seats.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Final

import pandas as pd

from recommender.allocate.floors import Floor
from recommender.allocate.mip import DEFAULT_TIME_LIMIT
from recommender.allocate.problem import build_problem
from recommender.allocate.solve import Allocation, allocate
from recommender.errors import AllocationError
from recommender.recommend import Recommender

PAIR_BUDGET: Final[int] = 750_000  # pairs scored at once (~300 MB of features)
EXPECTED_OUTCOME_OBJECTIVES: Final[tuple[str, ...]] = ("regression",)


def candidate_scores(
    rec: Recommender,
    firms: pd.DataFrame,
    outcomes: pd.DataFrame | None,
    *,
    pair_budget: int = PAIR_BUDGET,
) -> pd.DataFrame:
    """Eligible, scored pairs of ``firms`` with ``expected_outcome`` beside ``score``.

    Firms are scored in chunks of at most ``pair_budget`` firm x programme pairs, so
    memory stays flat for a catalogue of any size. With a regression model the score
    *is* the expected outcome grade (0-3); the two columns are kept apart so a
    calibrated expected outcome can replace it later.
    """
    per_year = rec.programmes.groupby("year").size()
    widest = int(per_year.reindex(firms["year"].unique()).fillna(0).max()) if len(firms) else 0
    chunk = max(1, pair_budget // max(widest, 1))
    parts = []
    for start in range(0, len(firms), chunk):
        scored = rec.score(firms.iloc[start : start + chunk], outcomes=outcomes)
        scored = scored[scored["eligible"].astype(bool) & scored["score"].notna()]
        parts.append(scored[["firm_id", "year", "programme_id", "eligible", "score"]])
    columns = ["firm_id", "year", "programme_id", "eligible", "score"]
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    return frame.assign(expected_outcome=frame["score"].astype(float))


def allocate_cohort(
    rec: Recommender,
    firms: pd.DataFrame,
    *,
    year: int,
    objective: str,
    outcomes: pd.DataFrame | None = None,
    per_firm: int = 1,
    as_of: date | None = None,
    floors: Sequence[Floor] = (),
    applications: pd.DataFrame | None = None,
    time_limit: float = DEFAULT_TIME_LIMIT,
) -> Allocation:
    """Allocate one year's seats of ``rec``'s catalogue among ``firms``.

    Parameters
    ----------
    rec : Recommender
        The model and the catalogue.
    firms : pandas.DataFrame
        Canonical firm profiles (other years are ignored).
    year : int
    objective : str
        The model's training objective; only a model whose scores are expected
        outcomes (:data:`EXPECTED_OUTCOME_OBJECTIVES`) can be summed into a total.
    outcomes : pandas.DataFrame, optional
        Past participations (the model's history features).
    per_firm, as_of, floors, applications, time_limit
        As in :func:`.problem.build_problem` and :func:`.solve.allocate`.

    Raises
    ------
    AllocationError
        The model's scores are not expected outcomes, or the options make no sense.
    InfeasibleAllocationError
        The floors cannot be met.
    """
    if objective not in EXPECTED_OUTCOME_OBJECTIVES:
        raise AllocationError(
            f"model {rec.version!r} was trained with objective {objective!r}: its scores "
            f"rank programmes but are not expected outcomes, which an allocation adds up; "
            f"use a model trained with objective regression"
        )
    cohort = firms[firms["year"] == int(year)].reset_index(drop=True)
    scored = candidate_scores(rec, cohort, outcomes)
    problem = build_problem(
        scored,
        cohort,
        rec.programmes,
        year=year,
        per_firm=per_firm,
        applications=applications,
        as_of=as_of,
    )
    return allocate(problem, floors=floors, time_limit=time_limit)
