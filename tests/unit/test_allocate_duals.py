"""Seat values are what one more seat adds; chain values what a forced move costs others."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest

from recommender.allocate.duals import chain_values, seat_values
from recommender.allocate.flow import solve_flow
from tests.unit.allocation_cases import grid_problem, random_problem


def optimum(problem) -> float:
    return float(problem.value[solve_flow(problem).chosen].sum())


def with_one_more_seat(problem, j: int):
    programmes = problem.programmes.copy()
    programmes.loc[j, "capacity"] += 1
    return replace(problem, programmes=programmes)


def test_the_solver_reports_the_same_seat_values_as_the_whole_problem_has() -> None:
    problem = random_problem(np.random.default_rng(3), n=40, m=5, density=0.7)
    flow = solve_flow(problem, depth=0, full_below=0)  # solved on a few pairs, proven on all
    assert flow.pairs_solved < problem.n_pairs
    assert flow.prices / 1e6 == pytest.approx(seat_values(problem, flow.chosen), abs=1e-12)


def test_hand_solved_seat_values() -> None:
    # optimum F0->P1 (2.9), F1->P0 (2.0); a second P0 seat lets F0 move back (+0.1)
    problem = grid_problem([[3.0, 2.9], [2.0, 0.5]], capacity=[1, 1])
    values = seat_values(problem, solve_flow(problem).chosen)
    assert values == pytest.approx([0.1, 0.0])


def test_a_programme_with_free_seats_or_no_limit_has_no_seat_value() -> None:
    problem = grid_problem([[3.0, 1.0, 2.0], [2.5, 1.0, 2.0]], capacity=[1, 5, None])
    values = seat_values(problem, solve_flow(problem).chosen)
    assert values[1] == 0.0 and values[2] == 0.0
    assert values[0] == pytest.approx(0.5)  # the firm in P2 (2.0) would take it (2.5)


@pytest.mark.parametrize("seed", range(30))
def test_seat_values_equal_the_gain_of_resolving_with_one_more_seat(seed: int) -> None:
    rng = np.random.default_rng(seed)
    problem = random_problem(rng, n=12, m=4, per_firm=1 + seed % 2)
    values = seat_values(problem, solve_flow(problem).chosen)
    limited = np.flatnonzero(problem.programmes["capacity"].notna().to_numpy())
    assert len(limited) > 0
    base = optimum(problem)
    for j in limited:
        assert values[j] == pytest.approx(optimum(with_one_more_seat(problem, j)) - base, abs=1e-9)


def best_with(problem, firm: int, programme: int) -> float:
    """Best total when ``firm`` must hold a seat at ``programme`` (per_firm = 1)."""
    by_firm = [list(np.flatnonzero(problem.firm == i)) + [None] for i in range(len(problem.firms))]
    forced = [p for p in by_firm[firm] if p is not None and problem.programme[p] == programme]
    by_firm[firm] = forced
    seats = problem.seats()
    best = -np.inf
    for choice in itertools.product(*by_firm):
        pairs = np.array([p for p in choice if p is not None], dtype=np.int64)
        used = np.bincount(problem.programme[pairs], minlength=len(seats))
        if (used <= seats).all():
            best = max(best, float(problem.value[pairs].sum()))
    return best


def test_hand_solved_chain_value() -> None:
    problem = grid_problem([[3.0, 2.9], [2.0, 0.5]], capacity=[1, 1])
    chains = chain_values(problem, solve_flow(problem).chosen)
    # F0 taking P0 from F1 and leaving P1: F1 moves to P1, losing 2.0 - 0.5
    assert -chains[0, 1] == pytest.approx(1.5)


def test_chain_values_are_what_a_forced_swap_costs_the_other_firms() -> None:
    expected, got = [], []
    for seed in range(30):
        problem = random_problem(np.random.default_rng(50 + seed), n=6, m=3, per_firm=1)
        chosen = solve_flow(problem).chosen
        chains = chain_values(problem, chosen)
        base = float(problem.value[chosen].sum())
        for pair in np.flatnonzero(chosen):
            i, j = int(problem.firm[pair]), int(problem.programme[pair])
            for other in np.flatnonzero((problem.firm == i) & ~chosen):
                others_before = base - problem.value[pair]
                others_after = (
                    best_with(problem, i, int(problem.programme[other])) - problem.value[other]
                )
                expected.append(others_before - others_after)
                got.append(-chains[int(problem.programme[other]), j])
    assert len(got) > 30
    assert got == pytest.approx(expected, abs=1e-9)
