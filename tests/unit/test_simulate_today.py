"""The demo world placed around a pinned day: its years end at that year, this year's
windows are open, upcoming and closed on the day, and nothing else changes."""

from __future__ import annotations

from datetime import date

import pytest

from recommender.contract.canonical import Dataset, canonical_firms, canonical_programmes
from recommender.simulate import placed_around, simulate_world
from recommender.simulate.today import window_around

TODAY = date(2026, 12, 2)


@pytest.fixture(scope="module")
def worlds() -> tuple[Dataset, Dataset]:
    ds = simulate_world(n_firms=400, years=(2022, 2024), seed=5).dataset
    return ds, placed_around(ds, TODAY)


def test_the_years_end_at_the_current_year_and_ages_are_kept(worlds) -> None:
    ds, placed = worlds
    assert sorted(placed.firms["year"].unique()) == [2024, 2025, 2026]
    assert sorted(placed.programmes["year"].unique()) == [2024, 2025, 2026]
    assert sorted(placed.outcomes["year"].unique()) == [2024, 2025, 2026]
    age = ds.firms["year"] - ds.firms["founded_year"]
    assert (placed.firms["year"] - placed.firms["founded_year"]).equals(age)
    assert (
        placed.programmes["programme_id"]
        .str.startswith(tuple(f"P{y}-" for y in (2024, 2025, 2026)))
        .all()
    )
    known = set(placed.programmes["programme_id"])
    assert set(placed.outcomes["programme_id"]) <= known
    assert placed.outcomes["outcome"].equals(ds.outcomes["outcome"])


def test_this_years_windows_are_open_upcoming_and_closed_today(worlds) -> None:
    _, placed = worlds
    now = placed.programmes[placed.programmes["year"] == TODAY.year]
    starts = now["apply_start"].map(date.fromisoformat)
    ends = now["apply_end"].map(date.fromisoformat)
    assert (starts <= ends).all()
    open_now = ((starts <= TODAY) & (ends >= TODAY)).sum()
    upcoming = (starts > TODAY).sum()
    closed = (ends < TODAY).sum()
    assert open_now >= 5 and upcoming >= 5 and closed >= 5
    assert open_now + upcoming + closed == len(now)


def test_earlier_windows_move_by_whole_years(worlds) -> None:
    ds, placed = worlds
    before = ds.programmes[ds.programmes["year"] == 2023]
    after = placed.programmes[placed.programmes["year"] == 2025]
    assert len(before) == len(after) > 0
    assert [d.replace("2023-", "2025-", 1) for d in before["apply_start"]] == list(
        after["apply_start"]
    )


def test_the_placed_world_is_still_valid_contract_data(worlds) -> None:
    _, placed = worlds
    assert len(canonical_programmes(placed.programmes)) == len(placed.programmes)
    assert len(canonical_firms(placed.firms)) == len(placed.firms)


@pytest.mark.parametrize(("k", "phase"), [(0, "open"), (1, "upcoming"), (2, "closed")])
def test_each_window_is_in_its_phase(k: int, phase: str) -> None:
    start, end = window_around(TODAY, k, 30)
    state = "open" if start <= TODAY <= end else "upcoming" if start > TODAY else "closed"
    assert state == phase
