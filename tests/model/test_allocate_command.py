"""`recommender allocate` on a data directory: the files it writes, and what it refuses."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from recommender.adapters.registry import Registry
from recommender.adapters.worlds import write_world
from recommender.allocate import ALLOCATION_COLUMNS, PROGRAMME_COLUMNS
from recommender.simulate import simulate_world
from tests.signing import TEST_SIGNING_KEY

YEAR = 2024


@pytest.fixture(scope="module")
def world_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("world")
    write_world(simulate_world(n_firms=1200, years=(2022, YEAR), seed=5), out)
    return out


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory, small_registry: Registry) -> Path:
    root = tmp_path_factory.mktemp("models") / "models"
    shutil.copytree(small_registry.root, root)
    return root


def allocate(models: Path, data: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "RECOMMENDER_MODELS_DIR": str(models),
        "RECOMMENDER_SIGNING_KEY": TEST_SIGNING_KEY,
    }
    args = [
        "allocate",
        "--data",
        str(data),
        "--year",
        str(YEAR),
        "--model",
        "champion",
        "--out",
        str(out),
        *extra,
    ]
    return subprocess.run(
        [sys.executable, "-m", "cli", *args], env=env, capture_output=True, text=True, timeout=600
    )


def test_allocate_writes_one_row_per_assignment_and_a_programme_table(
    models: Path, world_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "cohort.csv"
    done = allocate(models, world_dir, out, "--per-firm", "2")
    assert done.returncode == 0, done.stderr
    rows = pd.read_csv(out)
    table = pd.read_csv(tmp_path / "cohort.programmes.csv")
    assert tuple(rows.columns) == ALLOCATION_COLUMNS
    assert tuple(table.columns) == PROGRAMME_COLUMNS
    assert len(rows) > 100 and not rows.duplicated(["firm_id", "programme_id"]).any()
    assert (rows["year"] == YEAR).all() and rows["reason"].notna().all()
    assert rows.groupby("firm_id").size().max() <= 2
    taken = rows.groupby("programme_id").size()
    capacity = table.set_index("programme_id")["capacity"]
    assert (taken <= capacity.reindex(taken.index)).all()
    assert table["assigned"].sum() == len(rows)
    assert (table["seat_value"] >= 0).all() and (table["seat_value"] > 0).any()
    oracle = pd.read_csv(world_dir / "oracle.csv")
    eligible = set(zip(oracle["firm_id"], oracle["programme_id"], strict=True))
    assert set(zip(rows["firm_id"], rows["programme_id"], strict=True)) <= eligible
    assert f"allocated {len(rows):,} seats" in done.stdout
    assert "min-cost flow (OR-Tools)" in done.stdout
    best = table.nlargest(1, "seat_value")["programme_id"].iloc[0]
    assert f"one more seat would add most at: {best} (+" in done.stdout


def test_as_of_and_applications_narrow_the_candidates(
    models: Path, world_dir: Path, tmp_path: Path
) -> None:
    programmes = pd.read_csv(world_dir / "programmes.csv")
    year = programmes[programmes["year"] == YEAR]
    day = pd.to_datetime(year["apply_start"]).sort_values().iloc[len(year) // 2]
    open_ids = set(
        year.loc[
            (pd.to_datetime(year["apply_start"]) <= day)
            & (pd.to_datetime(year["apply_end"]) >= day),
            "programme_id",
        ]
    )
    assert 0 < len(open_ids) < len(year)
    out = tmp_path / "open.csv"
    done = allocate(models, world_dir, out, "--as-of", day.date().isoformat())
    assert done.returncode == 0, done.stderr
    assert set(pd.read_csv(out)["programme_id"]) <= open_ids
    oracle = pd.read_csv(world_dir / "oracle.csv")
    applied = oracle.sample(300, random_state=1)[["firm_id", "year", "programme_id"]]
    applied.to_csv(tmp_path / "applications.csv", index=False)
    out = tmp_path / "applied.csv"
    done = allocate(models, world_dir, out, "--applications", str(tmp_path / "applications.csv"))
    assert done.returncode == 0, done.stderr
    rows = pd.read_csv(out)
    assert len(rows) > 0
    asked = set(zip(applied["firm_id"], applied["programme_id"], strict=True))
    assert set(zip(rows["firm_id"], rows["programme_id"], strict=True)) <= asked


def test_an_infeasible_floor_fails_clearly_and_writes_nothing(
    models: Path, world_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "cohort.csv"
    out.write_text("the previous run\n")
    done = allocate(models, world_dir, out, "--min-share", "region:jeju=0.9")
    assert done.returncode == 2
    assert "floor region:jeju=0.9 cannot be met" in done.stderr
    assert "seats short" in done.stderr
    assert out.read_text() == "the previous run\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cohort.csv"]


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        (["--min-share", "region:mars=0.2"], "unknown region value(s) 'mars'"),
        (["--per-firm", "0"], "--per-firm must be a whole number >= 1"),
        (["--as-of", "2024-13-01"], "expected a date YYYY-MM-DD"),
        (["--applications", "MISSING"], "an applications file"),
    ],
)
def test_bad_options_name_what_is_wrong_and_write_nothing(
    models: Path, world_dir: Path, tmp_path: Path, extra: list[str], says: str
) -> None:
    out = tmp_path / "cohort.csv"
    done = allocate(models, world_dir, out, *extra)
    assert done.returncode == 2
    assert says in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_bad_applications_row_is_named_by_file_row_and_column(
    models: Path, world_dir: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "apps.csv"
    bad.write_text("firm_id,year,programme_id\nF000001,2024,NOPE\n")
    done = allocate(models, world_dir, tmp_path / "cohort.csv", "--applications", str(bad))
    assert done.returncode == 2
    assert "apps.csv, row 2, column programme_id: got 'NOPE'" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["apps.csv"]
