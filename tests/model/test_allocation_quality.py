"""On a simulated world with its oracle, deciding seats jointly beats first come, first
served, and the allocation is the exact optimum over the model's own scores."""

from __future__ import annotations

import pandas as pd
import pytest

from recommender.adapters.artefact import load_recommender
from recommender.adapters.registry import Registry
from recommender.allocate import AllocationProblem, allocate, build_problem, parse_floor
from recommender.allocate.cohort import candidate_scores
from recommender.allocate.evaluate import METHODS, compare, true_values
from recommender.allocate.mip import solve_mip
from recommender.eligibility import eligibility_mask
from recommender.simulate import World, simulate_world

YEAR = 2024


@pytest.fixture(scope="module")
def world() -> World:
    """A world the model (``small_registry``, trained on seed 11) has not seen."""
    return simulate_world(n_firms=3000, years=(2022, YEAR), seed=7)


@pytest.fixture(scope="module")
def problem(world: World, small_registry: Registry) -> AllocationProblem:
    ds = world.dataset
    rec = load_recommender(small_registry, programmes=ds.programmes)
    cohort = ds.firms[ds.firms["year"] == YEAR]
    return build_problem(
        candidate_scores(rec, cohort, ds.outcomes), ds.firms, ds.programmes, year=YEAR
    )


@pytest.fixture(scope="module")
def table(problem: AllocationProblem, world: World) -> pd.DataFrame:
    return compare(problem, world.oracle, seed=7).set_index("method")


def test_the_allocation_reaches_the_exact_optimum_over_its_own_scores(
    problem: AllocationProblem,
) -> None:
    reference = solve_mip(problem, [])  # a second, independent exact solver
    assert reference is not None
    ours = allocate(problem).total_expected_outcome
    assert ours >= 0.99 * float(problem.value[reference].sum())
    assert ours == pytest.approx(float(problem.value[reference].sum()), abs=1e-3)


def test_deciding_seats_jointly_beats_first_come_top_picks_by_a_wide_margin(
    table: pd.DataFrame,
) -> None:
    status_quo, greedy, exact, oracle = (table.loc[m, "true_expected_outcome"] for m in METHODS)
    assert exact >= 1.15 * status_quo
    assert exact >= 0.99 * greedy
    assert oracle >= max(status_quo, greedy, exact)
    assert table.loc[METHODS[2], "share_of_oracle_optimum"] >= 0.75


def test_capacities_limits_and_eligibility_hold_on_the_world(
    problem: AllocationProblem, world: World
) -> None:
    rows = allocate(problem, floors=[parse_floor("region:not:seoul,gyeonggi=0.5")]).assignments()
    assert rows["firm_id"].is_unique
    programmes = world.dataset.programmes.set_index("programme_id")
    taken = rows.groupby("programme_id").size()
    assert (taken <= programmes.loc[taken.index, "capacity"]).all()
    firms = world.dataset.firms[world.dataset.firms["year"] == YEAR].reset_index(drop=True)
    year = world.dataset.programmes[world.dataset.programmes["year"] == YEAR]
    mask = eligibility_mask(firms, year.reset_index(drop=True))
    f = pd.Index(firms["firm_id"]).get_indexer(rows["firm_id"])
    p = pd.Index(year["programme_id"]).get_indexer(rows["programme_id"])
    assert (f >= 0).all() and (p >= 0).all()
    assert mask[f, p].all()


def test_a_binding_floor_holds_and_costs_no_more_than_it_must(
    problem: AllocationProblem, world: World, table: pd.DataFrame
) -> None:
    floor = parse_floor("region:not:seoul,gyeonggi=0.55")
    free, held = allocate(problem), allocate(problem, floors=[floor])
    members = floor.members(problem.firms)
    needed = floor.required(problem.seats_on_offer())
    assert members[problem.firm[free.chosen]].sum() < needed  # the floor binds
    assert members[problem.firm[held.chosen]].sum() >= needed
    assert held.total_expected_outcome <= free.total_expected_outcome
    assert held.total_expected_outcome >= 0.95 * free.total_expected_outcome
    truth = true_values(problem, world.oracle)
    assert truth[held.chosen].sum() >= 1.15 * table.loc[METHODS[0], "true_expected_outcome"]
