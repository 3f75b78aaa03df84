"""``recommender validate --data DIR``: every problem on stderr, exit code 2, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from recommender.adapters.files import write_data_dir
from tests.data.factories import set_cell, valid_dataset


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    write_data_dir(valid_dataset(), target)
    return target


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_valid_directory_is_ok(data_dir: Path) -> None:
    code, out, err = run("validate", "--data", str(data_dir))
    assert (code, err) == (0, "")
    assert "ok: 8 firm profiles, 5 programmes, 4 outcomes" in out


def test_every_problem_is_listed_on_stderr_with_exit_code_2(data_dir: Path) -> None:
    set_cell(data_dir / "firms.csv", 4, "employees", "abc")
    set_cell(data_dir / "programmes.csv", 5, "sectors", "mfg_high_tech;farming")
    set_cell(data_dir / "outcomes.csv", 3, "year", "2024")
    code, out, err = run("validate", "--data", str(data_dir))
    assert code == 2 and out == ""
    assert "3 problems in the data" in err
    assert "firms.csv, row 4, column employees: got 'abc'; expected an integer >= 1" in err
    assert "programmes.csv, row 5, column sectors: got 'mfg_high_tech;farming'" in err
    assert "outcomes.csv, row 3, column year: got '2024'; expected 2023" in err
    assert "Traceback" not in err + out


def test_values_that_look_like_markup_are_printed_as_they_are(data_dir: Path) -> None:
    set_cell(data_dir / "firms.csv", 2, "region", "[/bold]seoul")
    code, _, err = run("validate", "--data", str(data_dir))
    assert code == 2 and "got '[/bold]seoul'" in err


def test_missing_directory_exits_2(tmp_path: Path) -> None:
    code, _, err = run("validate", "--data", str(tmp_path / "absent"))
    assert code == 2 and "absent" in err and "an existing directory" in err


def test_command_line_process_reports_a_cp949_file_without_a_traceback(data_dir: Path) -> None:
    path = data_dir / "firms.csv"
    path.write_bytes(path.read_text(encoding="utf-8").replace("seoul", "서울").encode("cp949"))
    done = subprocess.run([sys.executable, "-m", "cli", "validate", "--data",
                           str(data_dir)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "firms.csv, row 2" in done.stderr and "UTF-8" in done.stderr
    assert "Traceback" not in done.stderr
