"""Exact allocation without floors: a min-cost flow (OR-Tools), and group max-flows.

Without floors the allocation is a bipartite b-matching, solved exactly as a min-cost
flow on the network

    source -> firm i        capacity per_firm, cost 0
    firm i -> programme j   capacity 1, cost -value(i, j) in integer micro-grades
    programme j -> sink     capacity seats(j), cost 0
    source -> sink          a bypass (seats may stay empty), cost 0

OR-Tools' network solver needs integer costs: values (expected grades 0-3) are scaled by
:data:`~.problem.SCALE` and rounded, so the optimum is exact for the values rounded to
1e-6; the float total then differs from the float optimum by at most 5e-7 per
assignment. Pairs whose rounded value is not positive cannot raise the total and are
left out.

Most of a firm's candidates never matter (a firm eligible for 1,000 offerings takes one
of its best few), so above :data:`FULL_NETWORK_PAIRS` the network starts with each
firm's best ``per_firm +`` :data:`PRUNE_DEPTH` pairs (and each programme's best bidders)
and *proves* the result optimal for all pairs: with the
optimum's seat prices ``D`` (:mod:`.duals`) and each firm's ``per_firm``-th best net
gain ``u_i``, a left-out pair could only improve the total if ``value(i, j) - D_j >
u_i``. The most promising such pairs of each firm are added and the network solved
again until none is left (column generation), so the answer is the exact optimum over
every candidate, at the cost of the pairs that matter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
from ortools.graph.python import max_flow, min_cost_flow

from recommender.allocate.duals import prices
from recommender.allocate.problem import AllocationProblem, firm_ranks, integer_values
from recommender.errors import AllocationError

PRUNE_DEPTH: Final[int] = 4  # pairs beyond per_firm each firm starts with
FULL_NETWORK_PAIRS: Final[int] = 3_000_000  # up to this many pairs: one network of all
MAX_ROUNDS: Final[int] = 50


@dataclass(frozen=True)
class FlowSolution:
    """An optimal allocation without floors and what it took.

    Attributes
    ----------
    chosen : numpy.ndarray of bool, shape (k,)
    prices : numpy.ndarray of int64, shape (m,)
        Value of one more seat per programme, in integer micro-grades (exact).
    rounds : int
        Networks solved (1 when the first pairs already held the optimum).
    pairs_solved : int
        Pairs in the last network.
    """

    chosen: np.ndarray
    prices: np.ndarray
    rounds: int
    pairs_solved: int


def _firm_limits(problem: AllocationProblem) -> np.ndarray:
    return np.minimum(problem.firm_degree(), problem.per_firm).astype(np.int64)


def _network(problem: AllocationProblem, arcs: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Solve the min-cost flow over the pairs ``arcs``; which of them carry flow."""
    n, m = len(problem.firms), len(problem.programmes)
    source, sink = 0, n + m + 1
    firm_limit = _firm_limits(problem)
    supply = int(firm_limit.sum())
    tails = np.concatenate(
        [np.full(n, source), 1 + problem.firm[arcs], 1 + n + np.arange(m), [source]]
    )
    heads = np.concatenate(
        [1 + np.arange(n), 1 + n + problem.programme[arcs], np.full(m, sink), [sink]]
    )
    caps = np.concatenate([firm_limit, np.ones(len(arcs), np.int64), problem.seats(), [supply]])
    costs = np.concatenate([np.zeros(n, np.int64), -values[arcs], np.zeros(m + 1, np.int64)])
    net = min_cost_flow.SimpleMinCostFlow()
    net.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32),
        heads.astype(np.int32),
        caps.astype(np.int64),
        costs.astype(np.int64),
    )
    net.set_nodes_supplies(
        np.array([source, sink], np.int32), np.array([supply, -supply], np.int64)
    )
    status = net.solve()
    if status != net.OPTIMAL:
        raise AllocationError(f"the min-cost flow solver stopped with status {status}")
    return np.asarray(net.flows((n + np.arange(len(arcs))).astype(np.int32))) > 0


def _firm_gains(problem: AllocationProblem, arcs: np.ndarray, net: np.ndarray) -> np.ndarray:
    """Each firm's ``per_firm``-th best net gain ``value - price`` over ``arcs`` (>= 0)."""
    gain = np.zeros(len(problem.firms), np.int64)
    positive = arcs[net > 0]
    if len(positive):
        ranks = firm_ranks(problem.firm[positive], net[net > 0])
        at_limit = ranks == problem.per_firm - 1
        gain[problem.firm[positive[at_limit]]] = net[net > 0][at_limit]
    return gain


def _scattered(
    problem: AllocationProblem, pairs: np.ndarray, key: np.ndarray, group: np.ndarray | None = None
) -> np.ndarray:
    """Ranks of ``pairs`` within their firms (or ``group``: one code per pair) by falling
    ``key``, ties broken by a hash of (firm, programme): firms that value several
    offerings alike (copies of one programme, near-identical calls) do not all reach for
    the same few seats."""
    codes = problem.firm[pairs] if group is None else group
    spread = (problem.firm[pairs] * 2_654_435_761 + problem.programme[pairs] * 40_503) % 4096
    span = int(key.max() - key.min()) + 1 if len(key) else 1
    if span * 4096 * (int(codes.max()) + 1 if len(codes) else 1) >= 2**62:
        return firm_ranks(codes, key)  # no room to combine: plain ranks
    return firm_ranks(codes, (key - key.min()) * 4096 + spread)


def _first_network(
    problem: AllocationProblem, useful: np.ndarray, values: np.ndarray, width: int
) -> np.ndarray:
    """Pairs of the first round: each firm's best ``width`` and each programme's best
    ``2 x seats + 2`` bidders, so every seat's price is set by the firms that want it
    most from the start."""
    kept = np.zeros(problem.n_pairs, dtype=bool)
    kept[useful[_scattered(problem, useful, values[useful]) < width]] = True
    prog = problem.programme[useful]
    bidders = _scattered(problem, useful, values[useful], group=prog)
    kept[useful[bidders < 2 * problem.seats()[prog] + 2]] = True
    return kept


def solve_flow(
    problem: AllocationProblem, *, depth: int = PRUNE_DEPTH, full_below: int = FULL_NETWORK_PAIRS
) -> FlowSolution:
    """The optimal allocation over every candidate pair.

    Up to ``full_below`` useful pairs the network holds them all and is solved once
    (re-solving costs more than the pairs save: a round at 100k firms takes seconds
    whatever its number of arcs). Above, column generation: each round adds, for every
    firm, at most ``per_firm + depth`` of the left-out pairs that the round's prices say
    could raise the total (the most promising first), so the network stays small even
    when many pairs look promising at first.

    Parameters
    ----------
    problem : AllocationProblem
    depth : int
        Pairs beyond ``per_firm`` each firm starts with and may add per round (any value
        gives the same optimum; it only changes how many rounds that takes).
    full_below : int
        Most useful pairs solved in one network without column generation.

    Raises
    ------
    AllocationError
        The network solver did not report an optimum (it never should).
    """
    values = integer_values(problem.value)
    useful = np.flatnonzero(values > 0)
    chosen = np.zeros(problem.n_pairs, dtype=bool)
    if int(_firm_limits(problem).sum()) == 0 or len(useful) == 0:
        return FlowSolution(chosen, np.zeros(len(problem.programmes), np.int64), 0, 0)
    width = problem.per_firm + depth
    if len(useful) <= full_below:
        kept = np.zeros(problem.n_pairs, dtype=bool)
        kept[useful] = True
    else:
        kept = _first_network(problem, useful, values, width)
    left = useful[~kept[useful]]
    for rounds in range(1, MAX_ROUNDS + 1):
        arcs = np.flatnonzero(kept)
        held = _network(problem, arcs, values)
        price = prices(problem, arcs, held, values)
        gain = _firm_gains(problem, arcs, values[arcs] - price[problem.programme[arcs]])
        excess = values[left] - price[problem.programme[left]] - gain[problem.firm[left]]
        better = np.flatnonzero(excess > 0)
        if len(better) == 0:
            chosen[arcs[held]] = True
            return FlowSolution(chosen, price, rounds, len(arcs))
        firm_side = _scattered(problem, left[better], excess[better]) < width
        prog = problem.programme[left[better]]
        prog_side = (
            _scattered(problem, left[better], excess[better], group=prog)
            < problem.seats()[prog] + 1
        )
        added = better[firm_side | prog_side]
        kept[left[added]] = True
        left = np.delete(left, added)
    raise AllocationError(f"column generation did not settle in {MAX_ROUNDS} rounds")


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
    heads = np.concatenate([1 + np.arange(n), 1 + n + problem.programme[pairs], np.full(m, sink)])
    caps = np.concatenate([firm_limit, np.ones(len(pairs), np.int64), problem.seats()])
    net = max_flow.SimpleMaxFlow()
    net.add_arcs_with_capacity(
        tails.astype(np.int32), heads.astype(np.int32), caps.astype(np.int64)
    )
    status = net.solve(source, sink)
    if status != net.OPTIMAL:
        raise AllocationError(f"the max-flow solver stopped with status {status}")
    return int(net.optimal_flow())
