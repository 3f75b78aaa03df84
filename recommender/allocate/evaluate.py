"""How much true expected outcome an allocation reaches, beside the baselines and the
oracle's own optimum (on simulated worlds, whose oracle knows every pair's truth)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from recommender.allocate.baselines import greedy, status_quo
from recommender.allocate.flow import solve_flow
from recommender.allocate.problem import AllocationProblem
from recommender.errors import AllocationError

METHODS: tuple[str, ...] = (
    "status quo (top pick, first come)",
    "greedy by score",
    "allocation (exact over scores)",
    "optimum by the oracle",
)


def true_values(problem: AllocationProblem, oracle: pd.DataFrame) -> np.ndarray:
    """The oracle's expected outcome of every candidate pair, aligned with the problem.

    Raises
    ------
    AllocationError
        A candidate pair is missing from the oracle.
    """
    keys = pd.DataFrame(
        {
            "firm_id": problem.firms["firm_id"].to_numpy()[problem.firm],
            "programme_id": problem.programmes["programme_id"].to_numpy()[problem.programme],
        }
    )
    year = oracle[oracle["year"] == problem.year]
    joined = keys.merge(
        year[["firm_id", "programme_id", "expected_outcome"]],
        on=["firm_id", "programme_id"],
        how="left",
        validate="many_to_one",
    )
    truth = joined["expected_outcome"].to_numpy(float)
    if np.isnan(truth).any():
        missing = keys[np.isnan(truth)].iloc[0]
        raise AllocationError(
            f"the oracle has no expected outcome for firm "
            f"{missing['firm_id']!r} in {missing['programme_id']!r}"
        )
    return truth


def compare(
    problem: AllocationProblem,
    oracle: pd.DataFrame,
    *,
    seed: int = 0,
    allocation: np.ndarray | None = None,
) -> pd.DataFrame:
    """Total true expected outcome of each method of :data:`METHODS`.

    Parameters
    ----------
    problem : AllocationProblem
        Values are the model's expected outcomes (what the allocation maximises).
    oracle : pandas.DataFrame
        ``firm_id, year, programme_id, expected_outcome`` (``World.oracle``).
    seed : int
        Arrival order of the status quo's applications.
    allocation : numpy.ndarray of bool, optional
        The allocation to report (default: the exact optimum over the problem's values).

    Returns
    -------
    pandas.DataFrame
        ``method, assignments, true_expected_outcome, share_of_oracle_optimum,
        model_expected_outcome, share_of_model_optimum``.
    """
    truth = true_values(problem, oracle)
    exact = solve_flow(problem).chosen
    masks = [
        status_quo(problem, seed=seed),
        greedy(problem),
        exact if allocation is None else allocation,
        solve_flow(replace(problem, value=truth)).chosen,
    ]
    best_true = float(truth[masks[-1]].sum())
    best_model = float(problem.value[exact].sum())
    rows = []
    for method, mask in zip(METHODS, masks, strict=True):
        true_total = float(truth[mask].sum())
        model_total = float(problem.value[mask].sum())
        rows.append(
            {
                "method": method,
                "assignments": int(mask.sum()),
                "true_expected_outcome": true_total,
                "share_of_oracle_optimum": true_total / best_true if best_true else 0.0,
                "model_expected_outcome": model_total,
                "share_of_model_optimum": model_total / best_model if best_model else 0.0,
            }
        )
    return pd.DataFrame(rows)
