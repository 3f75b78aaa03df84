"""Solve an allocation problem exactly and report it: assignments, programmes, floors.

Which solver runs when:

* no floors -- a min-cost flow (OR-Tools, :mod:`.flow`; over each firm's best pairs
  with column generation when there are millions), exact to the micro-grade, with
  exact seat values from its residual network (:mod:`.duals`);
* floors -- a binary programme solved to a zero gap by HiGHS (:mod:`.mip`), seat values
  from its linear relaxation. Each floor is first checked alone with a max-flow, so an
  impossible floor is reported with how many seats it is short.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import pandas as pd

from recommender.allocate.duals import CHAIN_LIMIT, chain_values
from recommender.allocate.floors import Floor, FloorOutcome
from recommender.allocate.flow import max_seats, solve_flow
from recommender.allocate.mip import (
    DEFAULT_TIME_LIMIT,
    Group,
    min_shortfall,
    relaxed_seat_values,
    solve_mip,
)
from recommender.allocate.problem import ALLOCATION_COLUMNS, SCALE, AllocationProblem
from recommender.allocate.reasons import assignment_reasons
from recommender.errors import InfeasibleAllocationError

FLOW_SOLVER: Final[str] = "min-cost flow (OR-Tools)"
MIP_SOLVER: Final[str] = "mixed-integer programme (HiGHS)"
PROGRAMME_COLUMNS: Final[tuple[str, ...]] = (
    "programme_id",
    "year",
    "name",
    "capacity",
    "seats",
    "candidates",
    "top_pick_firms",
    "assigned",
    "mean_expected_outcome",
    "seat_value",
)


@dataclass(frozen=True)
class Allocation:
    """An optimal allocation of one year's seats.

    Attributes
    ----------
    problem : AllocationProblem
    chosen : numpy.ndarray of bool, shape (k,)
        Which candidate pairs are assigned.
    seat_value : numpy.ndarray, shape (m,)
        Value of one more seat per programme (expected-outcome units).
    solver : str
        :data:`FLOW_SOLVER` or :data:`MIP_SOLVER`.
    floors : tuple of FloorOutcome
    work : dict of str to int
        What the flow solver did: ``network_rounds`` (networks solved) and
        ``network_pairs`` (pairs in the last one); empty for the MIP.
    """

    problem: AllocationProblem
    chosen: np.ndarray
    seat_value: np.ndarray
    solver: str
    floors: tuple[FloorOutcome, ...] = ()
    work: dict[str, int] = field(default_factory=dict)

    @property
    def total_expected_outcome(self) -> float:
        """Sum of the assigned pairs' expected outcomes (what was maximised)."""
        return float(self.problem.value[self.chosen].sum())

    @property
    def total_score(self) -> float:
        """Sum of the assigned pairs' scores."""
        return float(self.problem.score[self.chosen].sum())

    def assignments(self) -> pd.DataFrame:
        """One row per assignment: :data:`ALLOCATION_COLUMNS`, each with its reason."""
        p = self.problem
        pairs = np.flatnonzero(self.chosen)
        members = [f.floor.members(p.firms) for f in self.floors]
        exact = self.solver == FLOW_SOLVER and len(p.programmes) <= CHAIN_LIMIT
        chains = chain_values(p, self.chosen) if exact else None
        reasons = assignment_reasons(
            p, self.chosen, self.seat_value, chains=chains, floors=self.floors, members=members
        )
        frame = pd.DataFrame(
            {
                "firm_id": p.firms["firm_id"].to_numpy()[p.firm[pairs]],
                "year": np.full(len(pairs), p.year, np.int64),
                "programme_id": p.programmes["programme_id"].to_numpy()[p.programme[pairs]],
                "expected_outcome": p.value[pairs],
                "score": p.score[pairs],
                "reason": pd.Series(reasons, dtype=object),
            }
        )
        return frame[list(ALLOCATION_COLUMNS)]

    def programme_table(self) -> pd.DataFrame:
        """Per programme: seats, demand, assigned, mean expected outcome, seat value."""
        p = self.problem
        m = len(p.programmes)
        held = np.flatnonzero(self.chosen)
        assigned = np.bincount(p.programme[held], minlength=m)
        value_sum = np.bincount(p.programme[held], weights=p.value[held], minlength=m)
        first = p.value_ranks == 0
        top = np.bincount(p.programme[first], minlength=m)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(assigned > 0, value_sum / np.maximum(assigned, 1), np.nan)
        return pd.DataFrame(
            {
                "programme_id": p.programmes["programme_id"].to_numpy(),
                "year": np.full(m, p.year, np.int64),
                "name": p.programmes["name"].to_numpy(),
                "capacity": pd.array(p.programmes["capacity"].to_numpy(float), dtype="Int64"),
                "seats": p.seats(),
                "candidates": p.candidates(),
                "top_pick_firms": top,
                "assigned": assigned,
                "mean_expected_outcome": mean,
                "seat_value": np.round(self.seat_value, 6),
            }
        )[list(PROGRAMME_COLUMNS)]

    def summary(self) -> dict[str, object]:
        """Headline figures: firms, seats, assignments, totals, solver, floors."""
        p = self.problem
        held = np.flatnonzero(self.chosen)
        return {
            "year": p.year,
            "per_firm": p.per_firm,
            "solver": self.solver,
            "firms": len(p.firms),
            "candidate_firms": int(len(np.unique(p.firm))),
            "candidate_pairs": p.n_pairs,
            "programmes": len(p.programmes),
            "seats_on_offer": p.seats_on_offer(),
            "assignments": len(held),
            "firms_assigned": int(len(np.unique(p.firm[held]))),
            "total_expected_outcome": round(self.total_expected_outcome, 6),
            "total_score": round(self.total_score, 6),
            "floors": [
                {"floor": str(f.floor), "required": f.required, "assigned": f.assigned}
                for f in self.floors
            ],
            **self.work,
        }


def _infeasible_alone(
    problem: AllocationProblem, floors: Sequence[Floor], groups: Sequence[Group], seats: int
) -> list[str]:
    messages = []
    for floor, group in zip(floors, groups, strict=True):
        most = max_seats(problem, group.members)
        if most < group.required:
            messages.append(
                f"floor {floor} cannot be met: it needs {group.required:,} of the {seats:,} "
                f"seats on offer for {floor.describe()}, and at most {most:,} can go to them "
                f"({most / max(seats, 1):.1%}); {group.required - most:,} seats short (a "
                f"share of at most {most / max(seats, 1):.3f} can be met)"
            )
    return messages


def allocate(
    problem: AllocationProblem,
    *,
    floors: Sequence[Floor] = (),
    time_limit: float = DEFAULT_TIME_LIMIT,
) -> Allocation:
    """The allocation maximising the total expected outcome, exactly.

    Parameters
    ----------
    problem : AllocationProblem
    floors : sequence of Floor
        Minimum shares of the seats on offer for groups of firms.
    time_limit : float
        Seconds the MIP solver (floors only) may take to prove its optimum.

    Raises
    ------
    InfeasibleAllocationError
        No allocation meets the floors; the message names each floor that fails and by
        how many seats.
    AllocationError
        A solver stopped without an optimum.
    """
    if not floors:
        flow = solve_flow(problem)
        return Allocation(
            problem,
            flow.chosen,
            flow.prices / SCALE,
            FLOW_SOLVER,
            work={"network_rounds": flow.rounds, "network_pairs": flow.pairs_solved},
        )
    seats = problem.seats_on_offer()
    groups = [Group(f.members(problem.firms), f.required(seats)) for f in floors]
    alone = _infeasible_alone(problem, floors, groups, seats)
    if alone:
        raise InfeasibleAllocationError("; ".join(alone))
    held = solve_mip(problem, groups, time_limit=time_limit)
    if held is None:
        short = min_shortfall(problem, groups, time_limit=time_limit)
        parts = ", ".join(f"{f} by {s:,} seats" for f, s in zip(floors, short, strict=True))
        raise InfeasibleAllocationError(
            f"the floors can each be met alone but not together: the allocation that "
            f"falls least short misses {parts} ({int(short.sum()):,} seats in total)"
        )
    outcomes = tuple(
        FloorOutcome(f, g.required, int(g.members[problem.firm[held]].sum()), seats)
        for f, g in zip(floors, groups, strict=True)
    )
    return Allocation(problem, held, relaxed_seat_values(problem, groups), MIP_SOLVER, outcomes)
