"""``recommender validate --data DIR``: every problem on stderr, exit code 2, no traceback;
and the command's output reads the same whatever the terminal."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
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
    done = subprocess.run(
        [sys.executable, "-m", "cli", "validate", "--data", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "firms.csv, row 2" in done.stderr and "UTF-8" in done.stderr
    assert "Traceback" not in done.stderr


# --- output that does not depend on the terminal -------------------------------------------
TERMINAL_VARIABLES = ("COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR", "TERM", "TERMINAL_WIDTH")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def command_env(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in TERMINAL_VARIABLES}
    return {**env, **settings}


def validate_piped(data_dir: Path, **settings: str) -> tuple[int, str, str]:
    """``validate`` with stdout and stderr piped (no terminal)."""
    done = subprocess.run(
        [sys.executable, "-m", "cli", "validate", "--data", str(data_dir)],
        env=command_env(**settings),
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.returncode, done.stdout, done.stderr


def validate_in_terminal(data_dir: Path, *, columns: int) -> tuple[int, str]:
    """``validate`` in a pseudo-terminal ``columns`` wide: its exit code and what it showed
    (colours stripped, line ends as ``\\n``)."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli", "validate", "--data", str(data_dir)],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=command_env(TERM="xterm-256color"),
    )
    os.close(follower)
    shown = bytearray()
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], max(0.0, deadline - time.monotonic()))
            try:
                chunk = os.read(leader, 4096) if ready else b""
            except OSError:  # the command closed the terminal
                break
            if not chunk:
                break
            shown += chunk
        code = proc.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        os.close(leader)
        if proc.poll() is None:
            proc.kill()
    return code, ANSI.sub("", shown.decode("utf-8")).replace("\r\n", "\n")


@pytest.fixture(params=["valid", "broken"])
def any_data_dir(request: pytest.FixtureRequest, data_dir: Path) -> Path:
    """A directory whose report is long lines on stdout (valid) or stderr (broken)."""
    if request.param == "broken":
        set_cell(data_dir / "firms.csv", 4, "employees", "abc")
        set_cell(data_dir / "programmes.csv", 5, "sectors", "mfg_high_tech;farming")
    return data_dir


def test_output_is_the_same_at_any_width_with_or_without_colour(any_data_dir: Path) -> None:
    narrow = validate_piped(any_data_dir, COLUMNS="40")
    wide = validate_piped(any_data_dir, COLUMNS="250")
    plain = validate_piped(any_data_dir, COLUMNS="40", NO_COLOR="1")
    unset = validate_piped(any_data_dir)
    assert narrow == wide == plain == unset
    lines = (narrow[1] + narrow[2]).splitlines()
    assert any(len(line) > 40 for line in lines), lines  # long lines were not cut at 40


def test_a_narrow_terminal_shows_the_same_lines_as_a_pipe(any_data_dir: Path) -> None:
    code, shown = validate_in_terminal(any_data_dir, columns=40)
    piped_code, out, err = validate_piped(any_data_dir)
    assert code == piped_code
    assert shown == out + err
