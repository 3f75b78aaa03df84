"""What happens without a joint allocation: the baselines an allocation is measured against.

``status_quo``
    Every firm applies to its own top ``per_firm`` picks by score; applications arrive
    in a random order and each programme admits them first come, first served, until
    it is full. Firms turned away get nothing.
``greedy``
    All candidate pairs by falling score; a pair is assigned while its firm has room
    and its programme a seat.
"""

from __future__ import annotations

import numpy as np

from recommender.allocate.problem import (
    AllocationProblem,
    firm_ranks,
    integer_values,
    segment_starts,
)


def status_quo(problem: AllocationProblem, *, seed: int) -> np.ndarray:
    """Top-pick applications served first come, as a mask over the candidate pairs."""
    rng = np.random.default_rng(seed)
    arrival = rng.permutation(len(problem.firms))
    applied = np.flatnonzero(
        firm_ranks(problem.firm, integer_values(problem.score)) < problem.per_firm
    )
    queue = applied[np.lexsort((arrival[problem.firm[applied]], problem.programme[applied]))]
    progs = problem.programme[queue]
    place = np.arange(len(queue)) - segment_starts(progs)
    chosen = np.zeros(problem.n_pairs, dtype=bool)
    chosen[queue[place < problem.seats()[progs]]] = True
    return chosen


def greedy(problem: AllocationProblem) -> np.ndarray:
    """Pairs by falling score while firm and programme have room, as a mask."""
    firm_room = np.full(len(problem.firms), problem.per_firm, np.int64).tolist()
    seats = problem.seats().tolist()
    firms = problem.firm.tolist()
    progs = problem.programme.tolist()
    chosen = np.zeros(problem.n_pairs, dtype=bool)
    for pair in np.lexsort((np.arange(problem.n_pairs), -problem.score)).tolist():
        i, j = firms[pair], progs[pair]
        if firm_room[i] and seats[j]:
            firm_room[i] -= 1
            seats[j] -= 1
            chosen[pair] = True
    return chosen
