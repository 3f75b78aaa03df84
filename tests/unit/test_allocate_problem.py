"""Which pairs are candidates, how seats are counted, and what input is refused."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from recommender.allocate import build_problem
from recommender.errors import AllocationError
from tests.unit.allocation_cases import YEAR, assigned, frames

GRID = [[2.0, 1.0, None], [1.5, 0.5, 1.0]]


def problem_of(**changes: object):
    scored, firms, programmes = frames(GRID, capacity=[1, 5, None])
    options = {"year": YEAR, **changes}
    return build_problem(scored, firms, programmes, **options)


def test_candidates_are_the_eligible_scored_pairs_of_the_year() -> None:
    problem = problem_of()
    every = assigned(problem, np.ones(problem.n_pairs, bool))
    assert every == {("F0", "P0"), ("F0", "P1"), ("F1", "P0"), ("F1", "P1"), ("F1", "P2")}
    assert problem.per_firm == 1 and not problem.applications


def test_seats_are_capacity_or_candidates_when_fewer_or_unlimited() -> None:
    problem = problem_of()
    assert problem.candidates().tolist() == [2, 2, 1]
    assert problem.seats().tolist() == [1, 2, 1]
    assert problem.seats_on_offer() == 4


def test_other_programmes_and_other_years_are_not_in_scope() -> None:
    scored, firms, programmes = frames(GRID, capacity=[1, 5, None])
    programmes.loc[2, "programme_type"] = "other"
    later = programmes.iloc[[0]].assign(programme_id="P9", year=YEAR + 1)
    problem = build_problem(scored, firms, pd.concat([programmes, later]), year=YEAR)
    assert problem.programmes["programme_id"].tolist() == ["P0", "P1"]


def test_as_of_keeps_only_programmes_open_that_day() -> None:
    scored, firms, programmes = frames(GRID, capacity=[1, 5, None])
    programmes["apply_start"] = ["2024-01-01", "2024-03-01", None]
    programmes["apply_end"] = ["2024-01-31", None, "2024-02-15"]
    problem = build_problem(scored, firms, programmes, year=YEAR, as_of=date(2024, 2, 10))
    assert problem.programmes["programme_id"].tolist() == ["P2"]
    with pytest.raises(AllocationError, match="no scored programme of 2024 open on 2024-12-31"):
        build_problem(scored, firms, programmes.iloc[[0, 2]], year=YEAR, as_of=date(2024, 12, 31))


def test_applications_restrict_each_firm_to_what_it_applied_for() -> None:
    applications = pd.DataFrame(
        {
            "firm_id": ["F0", "F1", "F1", "F1"],
            "year": [YEAR, YEAR, YEAR, YEAR - 1],
            "programme_id": ["P1", "P2", "P2", "P0"],
        }
    )
    problem = problem_of(applications=applications)
    assert assigned(problem, np.ones(problem.n_pairs, bool)) == {("F0", "P1"), ("F1", "P2")}
    assert problem.applications


def test_an_application_for_a_pair_that_is_not_eligible_is_not_a_candidate() -> None:
    applications = pd.DataFrame({"firm_id": ["F0"], "year": [YEAR], "programme_id": ["P2"]})
    assert problem_of(applications=applications).n_pairs == 0


def test_the_expected_outcome_column_is_maximised_and_the_score_kept_beside_it() -> None:
    scored, firms, programmes = frames(GRID, capacity=[1, 5, None])
    scored["expected_outcome"] = scored["score"] * 0.5
    problem = build_problem(scored, firms, programmes, year=YEAR)
    assert problem.value == pytest.approx(problem.score * 0.5)


@pytest.mark.parametrize("per_firm", [0, -1, 1.5, True, "2"])
def test_per_firm_must_be_a_whole_number_of_at_least_one(per_firm: object) -> None:
    with pytest.raises(AllocationError, match="--per-firm must be a whole number >= 1"):
        problem_of(per_firm=per_firm)


def test_a_year_without_programmes_or_firms_is_refused() -> None:
    with pytest.raises(AllocationError, match="no scored programme of 2030"):
        problem_of(year=2030)
    scored, firms, programmes = frames(GRID, capacity=[1, 5, None])
    with pytest.raises(AllocationError, match="no firm profiles of 2024"):
        build_problem(scored, firms.iloc[:0], programmes, year=YEAR)


def test_a_negative_capacity_and_a_twice_profiled_firm_are_refused() -> None:
    scored, firms, programmes = frames(GRID, capacity=[1, -2, None])
    with pytest.raises(AllocationError, match="programme 'P1' has a negative capacity"):
        build_problem(scored, firms, programmes, year=YEAR)
    scored, firms, programmes = frames(GRID, capacity=[1, 5, None])
    with pytest.raises(AllocationError, match="firm 'F1' has more than one profile of 2024"):
        build_problem(scored, pd.concat([firms, firms.iloc[[1]]]), programmes, year=YEAR)


def test_a_pair_scored_twice_is_refused() -> None:
    scored, firms, programmes = frames(GRID, capacity=[1, 5, None])
    twice = pd.concat([scored, scored.iloc[[4]]], ignore_index=True)
    with pytest.raises(AllocationError, match="firm 'F1' is scored twice for programme 'P1'"):
        build_problem(twice, firms, programmes, year=YEAR)


def test_scores_in_any_order_give_pairs_sorted_by_firm_then_programme() -> None:
    scored, firms, programmes = frames(GRID, capacity=[1, 5, None])
    problem = build_problem(scored.iloc[::-1], firms, programmes, year=YEAR)
    assert problem.firm.tolist() == [0, 0, 1, 1, 1]
    assert problem.programme.tolist() == [0, 1, 0, 1, 2]
    assert problem.value.tolist() == [2.0, 1.0, 1.5, 0.5, 1.0]
