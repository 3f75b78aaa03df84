"""Minimum shares: the syntax, floors that hold, and floors that cannot with how far off."""

from __future__ import annotations

import numpy as np
import pytest

from recommender.allocate import MIP_SOLVER, Floor, allocate, parse_floor, parse_floors
from recommender.errors import AllocationError, InfeasibleAllocationError
from tests.unit.allocation_cases import assigned, grid_problem

REGIONS = ["seoul", "seoul", "gyeonggi", "busan", "jeju"]
# capital-area firms gain most everywhere; three seats in all (P0 two, P1 one)
GRID = [[3.0, 2.5], [2.9, 2.7], [2.8, 2.7], [1.0, 0.9], [0.8, 0.5]]


def test_the_syntax_reads_fields_negation_values_and_shares() -> None:
    assert parse_floor("region:not:seoul,gyeonggi=0.30") == Floor(
        "region", ("seoul", "gyeonggi"), True, 0.3
    )
    assert parse_floor("size_band:micro=20%") == Floor("size_band", ("micro",), False, 0.2)
    assert parse_floor(" sector : kbs_ict , kbs_content = 1 ").values == ("kbs_ict", "kbs_content")
    assert str(parse_floor("region:not:seoul=30%")) == "region:not:seoul=0.3"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("region=0.3", "expected FIELD:VALUES=SHARE"),
        ("colour:red=0.3", "unknown field 'colour'"),
        ("region:atlantis=0.3", "unknown region value(s) 'atlantis'"),
        ("region:seoul=0", "share must be a fraction in (0, 1]"),
        ("region:seoul=1.5", "share must be a fraction in (0, 1]"),
        ("region:seoul=150%", "share must be a fraction in (0, 1]"),
        ("region:seoul=0.1.2", "share must be a fraction in (0, 1]"),
    ],
)
def test_a_bad_floor_is_refused_naming_the_option_and_what_is_wrong(text: str, says: str) -> None:
    with pytest.raises(AllocationError) as caught:
        parse_floor(text)
    assert f"minimum share {text!r}" in str(caught.value)
    assert says in str(caught.value)


def test_the_same_group_twice_is_refused() -> None:
    with pytest.raises(AllocationError, match="same group twice"):
        parse_floors(["region:seoul,busan=0.2", "region:busan,seoul=0.3"])


def test_a_floor_holds_and_costs_what_it_must() -> None:
    problem = grid_problem(GRID, capacity=[2, 1], regions=REGIONS)
    free = allocate(problem)
    assert assigned(problem, free.chosen) == {("F0", "P0"), ("F1", "P0"), ("F2", "P1")}
    floor = parse_floor("region:not:seoul,gyeonggi=0.6")  # 0.6 x 3 seats = 2 seats
    held = allocate(problem, floors=[floor])
    rows = held.assignments()
    outside = rows["firm_id"].isin(["F3", "F4"])
    assert outside.sum() == 2
    assert held.solver == MIP_SOLVER
    # the best way to give them two seats: F0 keeps P0, F4 takes the other, F3 P1
    assert assigned(problem, held.chosen) == {("F0", "P0"), ("F4", "P0"), ("F3", "P1")}
    assert held.total_expected_outcome == pytest.approx(3.0 + 0.8 + 0.9)
    assert held.floors[0].required == 2 and held.floors[0].assigned == 2
    assert (
        rows.loc[outside, "reason"]
        .str.contains("counts towards the floor region:not:seoul,gyeonggi=0.6")
        .all()
    )


def test_floors_on_two_overlapping_groups_hold_together() -> None:
    problem = grid_problem(GRID, capacity=[2, 1], regions=REGIONS, employees=[5, 200, 5, 200, 5])
    floors = parse_floors(["region:not:seoul,gyeonggi=0.3", "size_band:micro=0.6"])
    rows = allocate(problem, floors=floors).assignments()
    micro = {"F0", "F2", "F4"}
    assert rows["firm_id"].isin(["F3", "F4"]).sum() >= 1
    assert rows["firm_id"].isin(micro).sum() >= 2


def test_a_floor_the_group_cannot_fill_names_itself_and_how_far_off_it_is() -> None:
    problem = grid_problem(GRID, capacity=[2, 1], regions=REGIONS, per_firm=1)
    floor = parse_floor("region:jeju=1.0")  # all 3 seats for the one firm in Jeju
    with pytest.raises(InfeasibleAllocationError) as caught:
        allocate(problem, floors=[floor])
    message = str(caught.value)
    assert "floor region:jeju=1 cannot be met" in message
    assert "needs 3 of the 3 seats on offer for firms in jeju (by region)" in message
    assert "at most 1 can go to them (33.3%); 2 seats short" in message


def test_floors_that_hold_alone_but_not_together_say_by_how_much() -> None:
    problem = grid_problem([[1.0], [1.0], [1.0]], capacity=[2], regions=["seoul", "busan", "jeju"])
    floors = parse_floors(["region:seoul=0.5", "region:busan=0.5", "region:jeju=0.5"])
    with pytest.raises(InfeasibleAllocationError) as caught:
        allocate(problem, floors=floors)
    assert "can each be met alone but not together" in str(caught.value)
    assert "(1 seats in total)" in str(caught.value)


def test_floor_members_follow_field_and_negation() -> None:
    problem = grid_problem(GRID, capacity=[2, 1], regions=REGIONS, employees=[5, 20, 100, 400, 9])
    firms = problem.firms
    assert parse_floor("region:not:seoul,gyeonggi=0.1").members(firms).tolist() == [
        False,
        False,
        False,
        True,
        True,
    ]
    assert parse_floor("size_band:micro=0.1").members(firms).tolist() == [
        True,
        False,
        False,
        False,
        True,
    ]
    assert np.flatnonzero(parse_floor("size_band:large=0.1").members(firms)).tolist() == [3]
