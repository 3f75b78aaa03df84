"""Batch scoring on one machine: the contract's score output, reasons on request, and a
failed run that leaves the previous output as it was."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import batch.local
from batch.output import REASONS, SCORE_COLUMNS
from recommender.adapters.files import write_data_dir
from recommender.adapters.registry import Registry
from recommender.contract.canonical import Dataset
from recommender.errors import DataValidationError
from recommender.simulate import World

YEAR = 2024


@pytest.fixture(scope="module")
def data_dir(small_world: World, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("batch-data")
    write_data_dir(small_world.dataset, out, fmt="csv")
    return out


def test_scores_every_firm_row_against_its_years_programmes(
    data_dir: Path, small_world: World, small_registry: Registry, tmp_path: Path
) -> None:
    out = tmp_path / "scores.csv"
    run = batch.local.score(data_dir, registry=small_registry, out=out, year=YEAR)
    scored = pd.read_csv(out)
    assert list(scored.columns) == list(SCORE_COLUMNS)
    firms = small_world.dataset.firms
    programmes = small_world.dataset.programmes
    n_firms = int((firms["year"] == YEAR).sum())
    assert run.firm_rows == n_firms and run.rows == len(scored)
    assert len(scored) == n_firms * int((programmes["year"] == YEAR).sum())
    assert (run.version, run.out, run.files) == ("small", out, 1)
    ranked = scored[scored["rank"].notna()]
    assert not ranked.empty and ranked["eligible"].all()


def test_reasons_are_added_for_each_firm_rows_top_programmes(
    data_dir: Path, small_registry: Registry, tmp_path: Path
) -> None:
    out = tmp_path / "explained.csv"
    batch.local.score(data_dir, registry=small_registry, out=out, year=YEAR, explain_top=2)
    scored = pd.read_csv(out)
    top = scored["rank"].le(2).fillna(False).to_numpy(bool)
    assert top.any()
    assert scored.loc[top, REASONS].str.len().gt(0).all()
    assert scored.loc[~top, REASONS].isna().all()


def test_a_failed_run_leaves_the_previous_output(
    small_world: World, small_registry: Registry, tmp_path: Path
) -> None:
    out = tmp_path / "scores.csv"
    out.write_text("previous\n")
    firms = small_world.dataset.firms.copy()
    firms.loc[3, "employees"] = -1
    bad = tmp_path / "bad"
    ds = small_world.dataset
    write_data_dir(Dataset(firms, ds.programmes, ds.outcomes), bad)
    with pytest.raises(DataValidationError):
        batch.local.score(bad, registry=small_registry, out=out)
    assert out.read_text() == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad", "scores.csv"]
