"""Every assignment says why; every programme says what one more seat would add."""

from __future__ import annotations

import pandas as pd
import pytest

from recommender.allocate import (
    ALLOCATION_COLUMNS,
    PROGRAMME_COLUMNS,
    allocate,
    build_problem,
    parse_floor,
)
from tests.unit.allocation_cases import YEAR, frames, grid_problem


def reasons_by_firm(problem) -> dict[str, str]:
    rows = allocate(problem).assignments()
    return dict(zip(rows["firm_id"], rows["reason"], strict=True))


def test_the_hand_case_explains_the_top_pick_and_the_displaced_firm() -> None:
    problem = grid_problem([[3.0, 2.9], [2.0, 0.5]], capacity=[1, 1])
    reasons = reasons_by_firm(problem)
    assert reasons["F1"] == (
        "its top pick: expected outcome 2.00, the best of its 2 candidate programmes"
    )
    assert reasons["F0"] == (
        "its top pick P0 (Programme 0) is full; that seat adds more for "
        "other firms (moving this firm there would cost them 1.50); "
        "expected loss for this firm 0.10"
    )


def test_a_single_candidate_a_tie_and_applications_are_said_as_such() -> None:
    problem = grid_problem([[1.2, None], [2.0, 2.0], [3.0, None]], capacity=[1, 1])
    reasons = reasons_by_firm(problem)
    assert reasons["F2"] == "its only candidate programme: expected outcome 3.00"
    assert reasons["F1"] == (
        "its top pick P0 (Programme 0) ties with this seat (expected "
        "outcome 2.00); no expected loss for this firm"
    )
    scored, firms, programmes = frames([[1.0, 2.0]], capacity=[1, 1])
    applied = pd.DataFrame({"firm_id": ["F0"], "year": [YEAR], "programme_id": ["P1"]})
    problem = build_problem(scored, firms, programmes, year=YEAR, applications=applied)
    assert reasons_by_firm(problem)["F0"] == (
        "the only programme it applied for: expected outcome 2.00"
    )


def test_with_several_seats_per_firm_the_missed_pick_is_named_by_rank() -> None:
    grid = [[3.0, 2.0, 1.0], [2.5, 0.2, 0.1], [None, 1.5, 1.4]]
    rows = allocate(grid_problem(grid, capacity=[1, 1, 2], per_firm=2)).assignments()
    f0 = rows[rows["firm_id"] == "F0"].set_index("programme_id")["reason"]
    assert f0["P1"] == "one of its top 2 picks (#2): expected outcome 2.00"
    assert f0["P2"].startswith("its top pick P0 (Programme 0) is full; that seat adds more")
    assert f0["P2"].endswith("expected loss for this firm 2.00")


def test_the_output_has_the_exact_columns_and_one_row_per_assignment() -> None:
    problem = grid_problem([[3.0, 2.9], [2.0, 0.5], [1.0, 1.0]], capacity=[1, 1])
    allocation = allocate(problem)
    rows = allocation.assignments()
    assert (
        tuple(rows.columns)
        == ALLOCATION_COLUMNS
        == ("firm_id", "year", "programme_id", "expected_outcome", "score", "reason")
    )
    assert len(rows) == int(allocation.chosen.sum()) == 2
    assert (rows["year"] == YEAR).all()
    assert rows["expected_outcome"].tolist() == rows["score"].tolist()
    assert rows["reason"].str.len().gt(20).all()


def test_the_programme_table_reports_demand_assignments_and_seat_values() -> None:
    problem = grid_problem([[3.0, 2.9], [2.0, 0.5], [1.0, None]], capacity=[1, None])
    table = allocate(problem).programme_table().set_index("programme_id")
    assert tuple(table.reset_index().columns) == PROGRAMME_COLUMNS
    assert table.loc["P0", "top_pick_firms"] == 3
    # F1 takes P0 (2.0), F0 P1 (2.9); F2 can only join P0 and gets nothing
    assert table.loc["P0", "assigned"] == 1 and table.loc["P1", "assigned"] == 1
    assert pd.isna(table.loc["P1", "capacity"]) and table.loc["P1", "seat_value"] == 0.0
    # a second P0 seat would go to F2 (+1.0), more than F0 moving back (+0.1)
    assert table.loc["P0", "seat_value"] == pytest.approx(1.0)
    assert table.loc["P0", "mean_expected_outcome"] == pytest.approx(2.0)


def test_above_the_chain_limit_the_sentence_keeps_its_claim_without_the_figure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("recommender.allocate.solve.CHAIN_LIMIT", 1)
    problem = grid_problem([[3.0, 2.9], [2.0, 0.5]], capacity=[1, 1])
    assert reasons_by_firm(problem)["F0"] == (
        "its top pick P0 (Programme 0) is full; that seat adds more for other firms; "
        "expected loss for this firm 0.10"
    )


def test_with_floors_a_displaced_firm_is_told_the_seat_value_instead() -> None:
    problem = grid_problem([[3.0, 2.9], [2.0, 0.5]], capacity=[1, 1], regions=["busan", "seoul"])
    rows = allocate(problem, floors=[parse_floor("region:busan=0.5")]).assignments()
    reasons = dict(zip(rows["firm_id"], rows["reason"], strict=True))
    assert reasons["F0"].startswith(
        "its top pick P0 (Programme 0) is full (one more seat there is worth "
    )
    assert reasons["F0"].endswith(
        "expected loss for this firm 0.10; counts towards the floor region:busan=0.5"
    )
