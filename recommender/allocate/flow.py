"""Exact allocation without floors: a min-cost flow (OR-Tools), and group max-flows.

Without floors the allocation is a bipartite b-matching, solved exactly as a min-cost
flow on the network

    source -> firm i        capacity per_firm, cost 0
    firm i -> programme j   capacity 1, cost -value(i, j) in integer micro-grades
    programme j -> sink     capacity seats(j), cost 0
    source -> sink          a bypass (seats may stay empty), cost 0

OR-Tools' network solver needs integer costs: values (expected grades 0-3) are scaled by
:data:`SCALE` and rounded, so the optimum is exact for the values rounded to 1e-6; the
float total then differs from the float optimum by at most 5e-7 per assignment. Pairs
whose rounded value is not positive cannot raise the total and are left out.
"""

from __future__ import annotations

from typing import Final

import numpy as np
from ortools.graph.python import max_flow, min_cost_flow

from recommender.allocate.problem import AllocationProblem
from recommender.errors import AllocationError

SCALE: Final[int] = 1_000_000  # micro-grades: the oracle's own resolution


def integer_values(problem: AllocationProblem) -> np.ndarray:
    """Each pair's value in integer micro-grades (int64)."""
    return np.rint(problem.value * SCALE).astype(np.int64)


def _firm_limits(problem: AllocationProblem) -> np.ndarray:
    degree = np.bincount(problem.firm, minlength=len(problem.firms))
    return np.minimum(degree, problem.per_firm).astype(np.int64)


def solve_flow(problem: AllocationProblem) -> np.ndarray:
    """The optimal allocation as a boolean mask over the candidate pairs.

    Raises
    ------
    AllocationError
        The network solver did not report an optimum (it never should).
    """
    values = integer_values(problem)
    useful = np.flatnonzero(values > 0)
    n, m = len(problem.firms), len(problem.programmes)
    source, sink = 0, n + m + 1
    firm_limit = _firm_limits(problem)
    supply = int(firm_limit.sum())
    chosen = np.zeros(problem.n_pairs, dtype=bool)
    if supply == 0 or len(useful) == 0:
        return chosen
    firms = np.arange(n)
    progs = np.arange(m)
    tails = np.concatenate([np.full(n, source), 1 + problem.firm[useful], 1 + n + progs,
                            [source]])
    heads = np.concatenate([1 + firms, 1 + n + problem.programme[useful], np.full(m, sink),
                            [sink]])
    caps = np.concatenate([firm_limit, np.ones(len(useful), np.int64), problem.seats(),
                           [supply]])
    costs = np.concatenate([np.zeros(n, np.int64), -values[useful], np.zeros(m, np.int64),
                            [0]])
    net = min_cost_flow.SimpleMinCostFlow()
    net.add_arcs_with_capacity_and_unit_cost(tails.astype(np.int32), heads.astype(np.int32),
                                             caps.astype(np.int64), costs.astype(np.int64))
    net.set_nodes_supplies(np.array([source, sink], np.int32),
                           np.array([supply, -supply], np.int64))
    status = net.solve()
    if status != net.OPTIMAL:
        raise AllocationError(f"the min-cost flow solver stopped with status {status}")
    pair_arcs = (n + np.arange(len(useful))).astype(np.int32)
    chosen[useful] = np.asarray(net.flows(pair_arcs)) > 0
    return chosen


def max_seats(problem: AllocationProblem, firm_mask: np.ndarray) -> int:
    """Most seats that can go to the firms of ``firm_mask`` at once (a max-flow).

    Every candidate pair counts, whatever its value: this is what a floor on that group
    can ask for at most.
    """
    pairs = np.flatnonzero(firm_mask[problem.firm])
    if len(pairs) == 0:
        return 0
    n, m = len(problem.firms), len(problem.programmes)
    source, sink = 0, n + m + 1
    firm_limit = np.where(firm_mask, _firm_limits(problem), 0)
    tails = np.concatenate([np.full(n, source), 1 + problem.firm[pairs], 1 + n + np.arange(m)])
    heads = np.concatenate([1 + np.arange(n), 1 + n + problem.programme[pairs],
                            np.full(m, sink)])
    caps = np.concatenate([firm_limit, np.ones(len(pairs), np.int64), problem.seats()])
    net = max_flow.SimpleMaxFlow()
    net.add_arcs_with_capacity(tails.astype(np.int32), heads.astype(np.int32),
                               caps.astype(np.int64))
    status = net.solve(source, sink)
    if status != net.OPTIMAL:
        raise AllocationError(f"the max-flow solver stopped with status {status}")
    return int(net.optimal_flow())
