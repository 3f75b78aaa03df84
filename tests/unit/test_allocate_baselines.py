"""The baselines an allocation is measured against, and the measurement itself."""

from __future__ import annotations

import pandas as pd
import pytest

from recommender.allocate.baselines import greedy, status_quo
from recommender.allocate.evaluate import METHODS, compare
from recommender.errors import AllocationError
from tests.unit.allocation_cases import YEAR, assigned, grid_problem

HAND = [[3.0, 2.9], [2.0, 0.5]]


def test_status_quo_serves_top_picks_first_come_and_turns_the_rest_away() -> None:
    problem = grid_problem(HAND, capacity=[1, 1])
    outcomes = {frozenset(assigned(problem, status_quo(problem, seed=s))) for s in range(20)}
    # both apply to P0; whoever comes first gets it, the other gets nothing
    assert outcomes == {frozenset({("F0", "P0")}), frozenset({("F1", "P0")})}


def test_greedy_takes_pairs_by_falling_score() -> None:
    problem = grid_problem(HAND, capacity=[1, 1])
    assert assigned(problem, greedy(problem)) == {("F0", "P0"), ("F1", "P1")}
    problem = grid_problem([[3.0, 2.9, 1.0]], capacity=[1, 1, 1], per_firm=2)
    assert assigned(problem, greedy(problem)) == {("F0", "P0"), ("F0", "P1")}


def test_compare_reports_each_method_against_the_oracle_and_the_model_optimum() -> None:
    problem = grid_problem(HAND, capacity=[1, 1])
    # the truth disagrees with the model about F1: P1 is what it really needs
    oracle = pd.DataFrame(
        {
            "firm_id": ["F0", "F0", "F1", "F1"],
            "year": YEAR,
            "programme_id": ["P0", "P1", "P0", "P1"],
            "expected_outcome": [3.0, 2.9, 1.0, 2.5],
        }
    )
    table = compare(problem, oracle, seed=0).set_index("method")
    assert tuple(table.index) == METHODS
    exact, best = table.loc[METHODS[2]], table.loc[METHODS[3]]
    assert exact["model_expected_outcome"] == pytest.approx(4.9)
    assert exact["share_of_model_optimum"] == pytest.approx(1.0)
    assert exact["true_expected_outcome"] == pytest.approx(2.9 + 1.0)
    assert best["true_expected_outcome"] == pytest.approx(3.0 + 2.5)
    assert exact["share_of_oracle_optimum"] == pytest.approx(3.9 / 5.5)
    assert table.loc[METHODS[1], "true_expected_outcome"] == pytest.approx(5.5)


def test_compare_refuses_an_oracle_missing_a_candidate_pair() -> None:
    problem = grid_problem(HAND, capacity=[1, 1])
    oracle = pd.DataFrame(
        {"firm_id": ["F0"], "year": YEAR, "programme_id": ["P0"], "expected_outcome": [3.0]}
    )
    with pytest.raises(AllocationError, match="no expected outcome for firm 'F0' in 'P1'"):
        compare(problem, oracle)
