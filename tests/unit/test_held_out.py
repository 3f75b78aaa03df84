"""Holding out the last year for the promotion gate: what is kept, and what is refused."""

from __future__ import annotations

import pandas as pd
import pytest

from recommender import DataValidationError
from recommender.contract.canonical import Dataset
from training.held_out import hold_out_last_year


def _dataset(firm_years: list[int], outcome_years: list[int]) -> Dataset:
    firms = pd.DataFrame({"firm_id": [f"F{i}" for i in range(len(firm_years))], "year": firm_years})
    programmes = pd.DataFrame({"programme_id": ["P1", "P2"], "year": [2023, 2024]})
    outcomes = pd.DataFrame({"firm_id": "F0", "year": outcome_years, "programme_id": "P1"})
    return Dataset(firms, programmes, outcomes)


def test_every_table_keeps_the_years_before_the_last_which_is_returned() -> None:
    kept, year = hold_out_last_year(_dataset([2022, 2023, 2024, 2024], [2023, 2024]))
    assert year == 2024
    assert kept.firms["year"].tolist() == [2022, 2023]
    assert kept.programmes["programme_id"].tolist() == ["P1"]
    assert kept.outcomes is not None and kept.outcomes["year"].tolist() == [2023]


def test_a_last_year_without_outcomes_is_refused_naming_it() -> None:
    with pytest.raises(DataValidationError, match="outcomes of 2024, the year to hold out"):
        hold_out_last_year(_dataset([2023, 2024], [2023]))


def test_a_single_year_is_refused_naming_it() -> None:
    with pytest.raises(DataValidationError, match="firm profiles before 2024 to train on"):
        hold_out_last_year(_dataset([2024, 2024], [2024]))
