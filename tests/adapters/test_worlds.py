"""Demo worlds on disk: ``write_world``, ``read_oracle`` and ``recommender simulate``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cli import app
from recommender import World, simulate_world
from recommender.adapters.files import read_data_dir
from recommender.adapters.worlds import ORACLE_FILE, read_oracle, write_world


@pytest.fixture(scope="module")
def world() -> World:
    return simulate_world(n_firms=400, years=(2023, 2024), seed=11)


def test_the_same_seed_writes_byte_identical_files_and_another_seed_does_not(
    tmp_path: Path,
) -> None:
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        write_world(simulate_world(n_firms=300, seed=seed), tmp_path / name)
    files = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert files == ["firms.csv", ORACLE_FILE, "outcomes.csv", "programmes.csv"]
    for file in files:
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes()
    other = (tmp_path / "c" / "firms.csv").read_bytes()
    assert (tmp_path / "a" / "firms.csv").read_bytes() != other


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_written_world_passes_validation_and_reads_back_equal(
    world: World, tmp_path: Path, fmt: str
) -> None:
    write_world(world, tmp_path / "w", fmt=fmt)  # type: ignore[arg-type]
    back = read_data_dir(tmp_path / "w", require_outcomes=True)
    assert back == world.dataset
    oracle = read_oracle(tmp_path / "w")
    assert oracle is not None
    assert list(oracle.columns) == ["firm_id", "year", "programme_id", "expected_outcome"]
    assert len(oracle) == len(world.oracle)
    assert oracle["expected_outcome"].to_numpy() == pytest.approx(
        world.oracle["expected_outcome"].to_numpy(), abs=1e-9
    )


def test_a_directory_without_an_oracle_reads_as_none(tmp_path: Path) -> None:
    assert read_oracle(tmp_path) is None


def test_ids_of_the_oracle_read_back_as_text(tmp_path: Path) -> None:
    pd.DataFrame(
        {"firm_id": ["007"], "year": [2024], "programme_id": ["0012"], "expected_outcome": [1.5]}
    ).to_csv(tmp_path / ORACLE_FILE, index=False)
    oracle = read_oracle(tmp_path)
    assert oracle is not None
    assert oracle.loc[0, ["firm_id", "programme_id"]].tolist() == ["007", "0012"]


# --- the command -------------------------------------------------------------------------
def test_simulate_command_writes_a_valid_directory(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "simulate",
            "--out",
            str(tmp_path / "demo"),
            "--firms",
            "200",
            "--years",
            "2023-2024",
            "--seed",
            "3",
        ],
    )
    assert result.exit_code == 0, result.output
    ds = read_data_dir(tmp_path / "demo", require_outcomes=True)
    assert set(ds.firms["year"]) == {2023, 2024}
    assert ds.firms["firm_id"].nunique() == 200
    assert (tmp_path / "demo" / ORACLE_FILE).is_file()


@pytest.mark.parametrize(
    "args",
    [["--years", "twenty"], ["--years", "2024-2022"], ["--format", "xlsx"], ["--firms", "0"]],
)
def test_simulate_command_refuses_bad_options_without_writing(
    tmp_path: Path, args: list[str]
) -> None:
    result = CliRunner().invoke(app, ["simulate", "--out", str(tmp_path / "demo"), *args])
    assert result.exit_code == 2
    assert not (tmp_path / "demo").exists()
