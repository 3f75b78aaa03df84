"""The allocation is exact: limits hold, only candidates are assigned, optimum is known."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from recommender.allocate import FLOW_SOLVER, allocate
from recommender.allocate.flow import max_seats, solve_flow
from recommender.allocate.mip import solve_mip
from tests.unit.allocation_cases import assigned, grid_problem, random_problem


def brute_force_optimum(problem) -> float:
    """Best total value by trying every choice of every firm (tiny problems only)."""
    by_firm = [np.flatnonzero(problem.firm == i) for i in range(len(problem.firms))]
    options = [
        [c for r in range(problem.per_firm + 1) for c in itertools.combinations(p, r)]
        for p in by_firm
    ]
    seats = problem.seats()
    best = 0.0
    for choice in itertools.product(*options):
        pairs = np.array([p for c in choice for p in c], dtype=np.int64)
        used = np.bincount(problem.programme[pairs], minlength=len(seats))
        if (used <= seats).all():
            best = max(best, float(problem.value[pairs].sum()))
    return best


def test_a_hand_solved_case_reaches_its_known_optimum() -> None:
    # Both firms' top pick is P0; F0 loses little by taking P1, F1 a lot.
    problem = grid_problem([[3.0, 2.9], [2.0, 0.5]], capacity=[1, 1])
    allocation = allocate(problem)
    assert assigned(problem, allocation.chosen) == {("F0", "P1"), ("F1", "P0")}
    assert allocation.total_expected_outcome == pytest.approx(4.9)
    assert allocation.solver == FLOW_SOLVER


def test_a_hand_solved_case_with_two_seats_per_firm() -> None:
    grid = [[3.0, 2.0, 1.0], [2.5, 0.2, 0.1], [None, 1.5, 1.4]]
    problem = grid_problem(grid, capacity=[1, 1, 2], per_firm=2)
    allocation = allocate(problem)
    # F1 needs P0 most; F0 takes P1 and P2; F2 then only fits P2
    assert assigned(problem, allocation.chosen) == {
        ("F0", "P1"),
        ("F0", "P2"),
        ("F1", "P0"),
        ("F2", "P2"),
    }
    assert allocation.total_expected_outcome == pytest.approx(2.0 + 1.0 + 2.5 + 1.4)


@pytest.mark.parametrize("seed", range(40))
def test_random_problems_reach_the_brute_force_optimum(seed: int) -> None:
    rng = np.random.default_rng(seed)
    problem = random_problem(rng, n=5, m=3, per_firm=1 + seed % 2)
    chosen = solve_flow(problem).chosen
    assert problem.value[chosen].sum() == pytest.approx(brute_force_optimum(problem), abs=1e-9)


@pytest.mark.parametrize("seed", range(20))
def test_starting_from_few_pairs_per_firm_still_proves_the_optimum_over_all(seed: int) -> None:
    rng = np.random.default_rng(300 + seed)
    problem = random_problem(rng, n=25, m=6, per_firm=1 + seed % 3, density=0.8)
    full = solve_flow(problem, depth=problem.n_pairs)
    pruned = solve_flow(problem, depth=0, full_below=0)
    assert full.rounds == 1 and full.pairs_solved == int((problem.value > 0).sum())
    assert problem.value[pruned.chosen].sum() == pytest.approx(
        problem.value[full.chosen].sum(), abs=1e-9
    )
    assert (pruned.prices == full.prices).all()


@pytest.mark.parametrize("seed", range(20))
def test_capacities_per_firm_limits_and_candidates_hold(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    per_firm = int(rng.integers(1, 4))
    problem = random_problem(rng, n=30, m=6, per_firm=per_firm, density=0.4)
    allocation = allocate(problem)
    rows = allocation.assignments()
    assert (rows.groupby("firm_id").size() <= per_firm).all()
    taken = rows.groupby("programme_id").size()
    capacity = problem.programmes.set_index("programme_id")["capacity"]
    assert (taken <= capacity.reindex(taken.index).fillna(np.inf)).all()
    candidates = assigned(problem, np.ones(problem.n_pairs, bool))
    assert set(zip(rows["firm_id"], rows["programme_id"], strict=True)) <= candidates


def test_ineligible_pairs_are_never_assigned_even_when_seats_stay_empty() -> None:
    # F1 is eligible for nothing but P0, which F0 values more; P1 has room for everyone
    problem = grid_problem([[2.0, 1.5], [1.0, None]], capacity=[1, None])
    allocation = allocate(problem)
    assert assigned(problem, allocation.chosen) == {("F0", "P1"), ("F1", "P0")}
    problem = grid_problem([[None, None], [1.0, None]], capacity=[5, 5])
    assert assigned(problem, allocate(problem).chosen) == {("F1", "P0")}


def test_unlimited_capacity_takes_every_firm_that_gains_most_there() -> None:
    problem = grid_problem([[1.0, 2.0], [1.0, 2.0], [1.0, 2.0]], capacity=[1, None])
    rows = allocate(problem).assignments()
    assert sorted(rows["programme_id"]) == ["P1", "P1", "P1"]


def test_a_programme_of_zero_capacity_gets_nobody() -> None:
    problem = grid_problem([[3.0, 1.0]], capacity=[0, 1])
    assert assigned(problem, allocate(problem).chosen) == {("F0", "P1")}


def test_pairs_of_no_value_are_not_assigned() -> None:
    problem = grid_problem([[0.0, -0.5], [1.0, None]], capacity=[2, 2])
    assert assigned(problem, allocate(problem).chosen) == {("F1", "P0")}


@pytest.mark.parametrize("seed", range(10))
def test_the_network_and_the_mip_solvers_agree(seed: int) -> None:
    rng = np.random.default_rng(200 + seed)
    problem = random_problem(rng, n=40, m=5, per_firm=1 + seed % 3, density=0.5)
    flow = solve_flow(problem).chosen
    mip = solve_mip(problem, [])
    assert mip is not None
    assert problem.value[flow].sum() == pytest.approx(problem.value[mip].sum(), abs=1e-6)


def test_max_seats_counts_what_a_group_can_fill_at_most() -> None:
    problem = grid_problem([[1.0, 1.0], [1.0, None], [None, 1.0]], capacity=[1, 5])
    everyone = np.ones(3, dtype=bool)
    assert max_seats(problem, everyone) == 3  # F1 in P0, F0 and F2 in P1
    assert max_seats(problem, np.array([False, True, False])) == 1
    assert max_seats(problem, np.zeros(3, dtype=bool)) == 0
