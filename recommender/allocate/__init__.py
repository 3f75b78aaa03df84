"""Capacity-aware cohort allocation: who gets which seat, decided jointly and exactly.

Build an :class:`AllocationProblem` from scored pairs (:func:`build_problem`), solve it
with :func:`allocate` (a min-cost flow, or a HiGHS MIP when floors are asked for) and
read the :class:`Allocation`: one row per assignment with its reason, and per programme
the value of one more seat. See ``docs/allocation.md``.
"""

from recommender.allocate.floors import FLOOR_SYNTAX, Floor, FloorOutcome, parse_floor, parse_floors
from recommender.allocate.problem import (
    ALLOCATION_COLUMNS,
    APPLICATION_COLUMNS,
    AllocationProblem,
    build_problem,
    open_programmes,
)
from recommender.allocate.solve import (
    FLOW_SOLVER,
    MIP_SOLVER,
    PROGRAMME_COLUMNS,
    Allocation,
    allocate,
)

__all__ = [
    "ALLOCATION_COLUMNS",
    "APPLICATION_COLUMNS",
    "FLOOR_SYNTAX",
    "FLOW_SOLVER",
    "MIP_SOLVER",
    "PROGRAMME_COLUMNS",
    "Allocation",
    "AllocationProblem",
    "Floor",
    "FloorOutcome",
    "allocate",
    "build_problem",
    "open_programmes",
    "parse_floor",
    "parse_floors",
]
