"""The value of one more seat in each programme (its dual price), from an optimum.

Without floors the value of one more seat at programme ``j`` is exact: it is
``V(seats + e_j) - V(seats)``, the best gain of a chain of moves the new seat starts --
a firm with room takes it, or a firm moves into ``j`` and frees a seat elsewhere, which
is worth that programme's own seat value. In symbols, with ``g_i`` what firm ``i``
gives up to take one more seat::

    g_i = 0                                   if i holds fewer than per_firm seats
          max over i's seats j' (D_j' - v_ij') otherwise
    D_j = max(0, max over i eligible for j, not in j (v_ij + g_i))   if j is full, else 0

These are the longest-path distances of the optimal flow's residual network (the
smallest optimal dual prices); an optimum has no gainful cycle, so the iteration from
``D = 0`` stops after at most one round per programme. It runs in integer micro-grades,
where the optimum is exact, so ties and rounding cannot make it cycle.

With floors the problem is a MIP and has no exact dual; the value reported is the
shadow price of the seat constraint in its linear relaxation (:mod:`.mip`).
"""

from __future__ import annotations

from typing import Final

import numpy as np

from recommender.allocate.problem import SCALE, AllocationProblem, integer_values
from recommender.errors import AllocationError

CHAIN_LIMIT: Final[int] = 400  # programmes; chains cost O(m^3): ~0.3 s here at 400
_NONE = np.iinfo(np.int64).min // 4  # "no such move", far below any real gain


def prices(
    problem: AllocationProblem, arcs: np.ndarray, held: np.ndarray, values: np.ndarray
) -> np.ndarray:
    """Value of one more seat per programme in integer micro-grades, shape ``(m,)``.

    Parameters
    ----------
    problem : AllocationProblem
    arcs : numpy.ndarray of int
        The candidate pairs the optimum was taken over (all, or the pairs a network
        was solved on).
    held : numpy.ndarray of bool, aligned with ``arcs``
        Which of them are assigned: an optimum over ``arcs``.
    values : numpy.ndarray of int64, shape (k,)
        Every pair's value in micro-grades (:func:`.problem.integer_values`).

    Raises
    ------
    AllocationError
        ``held`` is not optimal (a gainful cycle of moves exists).
    """
    n, m = len(problem.firms), len(problem.programmes)
    firm, prog = problem.firm[arcs], problem.programme[arcs]
    val = values[arcs]
    hold = np.flatnonzero(held)
    free = np.flatnonzero(~held & (val > 0))
    has_room = np.bincount(firm[hold], minlength=n) < problem.per_firm
    full = np.bincount(prog[hold], minlength=m) >= problem.seats()
    price = np.zeros(m, np.int64)
    for _ in range(m + 2):
        give_up = np.where(has_room, 0, _NONE)
        np.maximum.at(give_up, firm[hold], price[prog[hold]] - val[hold])
        new = np.zeros(m, np.int64)
        np.maximum.at(new, prog[free], val[free] + give_up[firm[free]])
        new = np.where(full, np.maximum(new, 0), 0)
        if np.array_equal(new, price):
            return price
        price = new
    raise AllocationError("the allocation is not optimal: a chain of moves would raise it")


def seat_values(problem: AllocationProblem, chosen: np.ndarray) -> np.ndarray:
    """Value of one more seat in each programme, in expected-outcome units, shape ``(m,)``.

    Parameters
    ----------
    problem : AllocationProblem
    chosen : numpy.ndarray of bool, shape (k,)
        An optimal allocation without floors (:func:`.flow.solve_flow`).
    """
    every = np.arange(problem.n_pairs)
    return prices(problem, every, chosen, integer_values(problem.value)) / SCALE


def chain_values(problem: AllocationProblem, chosen: np.ndarray) -> np.ndarray:
    """Best gain of a chain of moves between programmes, shape ``(m + 1, m + 1)``.

    Entry ``[a, b]`` is the most the other firms can gain (usually a negative number: a
    loss) when one seat at ``a`` is taken from them and one seat at ``b`` is handed to
    them: someone leaves ``a``, moves on, someone else takes that seat, ... until a seat
    at ``b`` is filled or left empty. Index ``m`` stands for "no programme" (a seat left
    empty, or a firm with room taking or giving up one). So when firm ``i`` would swap
    its seat at ``j`` for one at its better pick ``j*``, the others lose
    ``-chains[j*, j]``; an optimum without floors guarantees that loss is at least
    what ``i`` would gain, which is why ``i`` sits at ``j``.

    Longest paths over the programmes (Floyd-Warshall, max-plus) in integer
    micro-grades, returned in expected-outcome units. The cost grows with the cube of
    the number of programmes (a minute at 1,900): callers skip it above
    :data:`CHAIN_LIMIT`.
    """
    n, m = len(problem.firms), len(problem.programmes)
    none = m
    values = integer_values(problem.value).astype(float)
    held = np.flatnonzero(chosen)
    unheld = np.flatnonzero(~chosen)
    count = np.bincount(problem.firm[held], minlength=n)
    gains = np.full((m + 1, m + 1), -np.inf)
    # firm k leaves a (one of its seats) for b (one it does not hold)
    reps = count[problem.firm[unheld]]
    moves = np.repeat(unheld, reps)
    offset = np.arange(len(moves)) - np.repeat(np.cumsum(reps) - reps, reps)
    first_held = np.searchsorted(problem.firm[held], np.arange(n))
    leaves = held[first_held[problem.firm[moves]] + offset]
    np.maximum.at(
        gains, (problem.programme[leaves], problem.programme[moves]), values[moves] - values[leaves]
    )
    # a seat at a ends the chain: it was free, or its weakest holder gives it up
    filled = np.bincount(problem.programme[held], minlength=m)
    weakest = np.full(m, np.inf)
    np.minimum.at(weakest, problem.programme[held], values[held])
    gains[:m, none] = np.where(filled < problem.seats(), 0.0, -weakest)
    # a seat at b starts the chain: a firm with room takes it, or it stays empty
    room = unheld[count[problem.firm[unheld]] < problem.per_firm]
    np.maximum.at(gains[none], problem.programme[room], values[room])
    gains[none, :m] = np.where(filled > 0, np.maximum(gains[none, :m], 0.0), gains[none, :m])
    np.fill_diagonal(gains, 0.0)
    for k in range(m + 1):
        np.maximum(gains, gains[:, k, None] + gains[None, k, :], out=gains)
    return gains / SCALE
