"""Reading and writing data directories: formats, encodings, row numbers, atomic writes."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from recommender.adapters.files import read_data_dir, write_data_dir
from recommender.contract.canonical import Dataset
from recommender.contract.datasets import validate_frames
from recommender.contract.fields import (
    FIRM_COLUMNS,
    OPTIONAL_PROGRAMME_COLUMNS,
    OUTCOME_COLUMNS,
    PROGRAMME_COLUMNS,
)
from recommender.errors import DataValidationError, Problem, RecommenderError
from tests.data.factories import set_cell, valid_dataset


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    write_data_dir(valid_dataset(), target)
    return target


def read_problems(path: Path, **kwargs: bool) -> list[Problem]:
    with pytest.raises(DataValidationError) as caught:
        read_data_dir(path, **kwargs)
    return caught.value.problems


def located(problems: list[Problem]) -> list[tuple[str, int | None, str | None, object]]:
    return [(p.file, p.row, p.column, p.value) for p in problems]


# --- round trips and canonical dtypes --------------------------------------------------------
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_write_then_read_gives_the_same_dataset(tmp_path: Path, fmt: str) -> None:
    ds = valid_dataset()
    write_data_dir(ds, tmp_path / "d", fmt=fmt)  # type: ignore[arg-type]
    assert sorted(p.name for p in (tmp_path / "d").iterdir()) == [
        f"firms.{fmt}",
        f"outcomes.{fmt}",
        f"programmes.{fmt}",
    ]
    assert read_data_dir(tmp_path / "d") == ds


def test_round_trip_keeps_full_float_precision(tmp_path: Path) -> None:
    ds = valid_dataset()
    firms = ds.firms.copy()
    firms["revenue_growth"] = np.random.default_rng(7).normal(size=len(firms))
    write_data_dir(Dataset(firms, ds.programmes, ds.outcomes), tmp_path / "d")
    assert (
        read_data_dir(tmp_path / "d").firms["revenue_growth"].tolist()
        == firms["revenue_growth"].tolist()
    )


def test_canonical_frames_have_the_documented_columns_and_dtypes(data_dir: Path) -> None:
    ds = read_data_dir(data_dir)
    assert tuple(ds.firms.columns) == FIRM_COLUMNS
    assert tuple(ds.programmes.columns) == PROGRAMME_COLUMNS + OPTIONAL_PROGRAMME_COLUMNS
    assert ds.outcomes is not None and tuple(ds.outcomes.columns) == OUTCOME_COLUMNS
    firms, progs = ds.firms.dtypes, ds.programmes.dtypes
    assert {
        c: str(firms[c])
        for c in ("firm_id", "year", "employees", "revenue_growth", "cap_feedback", "has_rnd_lab")
    } == {
        "firm_id": "object",
        "year": "int64",
        "employees": "int64",
        "revenue_growth": "float64",
        "cap_feedback": "float64",
        "has_rnd_lab": "bool",
    }
    assert {
        c: str(progs[c])
        for c in (
            "name",
            "agency",
            "year",
            "min_employees",
            "capacity",
            "requires_rnd_lab",
            "apply_start",
        )
    } == {
        "name": "object",
        "agency": "object",
        "year": "int64",
        "min_employees": "float64",
        "capacity": "float64",
        "requires_rnd_lab": "object",
        "apply_start": "object",
    }
    assert ds.programmes["requires_rnd_lab"].tolist() == [None, True, False, None, None]
    assert ds.programmes.loc[1, "apply_start"] is None
    assert ds.outcomes.dtypes.astype(str).tolist() == ["object", "int64", "object", "int64"]


def test_csv_is_written_for_people(data_dir: Path) -> None:
    lines = (data_dir / "programmes.csv").read_text(encoding="utf-8").splitlines()
    assert lines[2].startswith(
        "P23-RND,R&D planning support,rnd_planning,KEIT,cap_rnd_execution,2023,,,3,10,"
    )  # whole numbers, no '.0'
    assert ",true,50000.0," in lines[2]
    assert ",false,,," in lines[3]  # booleans as true/false, missing as empty
    assert not (data_dir / "programmes.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_outcomes_are_optional_unless_required(data_dir: Path) -> None:
    (data_dir / "outcomes.csv").unlink()
    assert read_data_dir(data_dir).outcomes is None
    assert located(read_problems(data_dir, require_outcomes=True)) == [
        ("outcomes.csv", None, None, None)
    ]


def test_header_only_outcomes_file_is_an_empty_table(data_dir: Path) -> None:
    (data_dir / "outcomes.csv").write_text("firm_id,year,programme_id,outcome\n")
    outcomes = read_data_dir(data_dir).outcomes
    assert outcomes is not None and len(outcomes) == 0
    assert outcomes.dtypes.astype(str).tolist() == ["object", "int64", "object", "int64"]


# --- the directory -----------------------------------------------------------------------------
def test_missing_directory(tmp_path: Path) -> None:
    problems = read_problems(tmp_path / "nowhere")
    assert len(problems) == 1 and problems[0].file == str(tmp_path / "nowhere")
    assert "an existing directory" in problems[0].expected


def test_missing_tables_are_all_reported(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert [p.file for p in read_problems(tmp_path / "empty")] == ["firms.csv", "programmes.csv"]


def test_one_table_in_two_formats_is_refused(data_dir: Path) -> None:
    valid_dataset().firms.to_parquet(data_dir / "firms.parquet")
    (problem,) = read_problems(data_dir)
    assert problem.file == "firms.csv" and "both are present" in problem.expected


# --- CSV and Parquet report the same problems at the same rows --------------------------------
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_bad_cells_are_located_in_both_formats(tmp_path: Path, fmt: str) -> None:
    ds = valid_dataset()
    firms = ds.firms.astype({"employees": str})  # a text column, as a spreadsheet may give
    firms.loc[2, "employees"] = "abc"  # row 4
    firms.loc[5, "region"] = "atlantis"  # row 7
    outcomes = ds.outcomes.copy()  # type: ignore[union-attr]
    outcomes.loc[1, "year"] = 2024  # row 3: P23-RND ran in 2023
    target = tmp_path / "d"
    target.mkdir()
    for name, frame in {"firms": firms, "programmes": ds.programmes, "outcomes": outcomes}.items():
        if fmt == "csv":
            frame.to_csv(target / f"{name}.csv", index=False)
        else:
            frame.to_parquet(target / f"{name}.parquet", index=False)
    assert located(read_problems(target)) == [
        (f"firms.{fmt}", 4, "employees", "abc"),
        (f"firms.{fmt}", 7, "region", "atlantis"),
        (f"outcomes.{fmt}", 3, "year", 2024 if fmt == "parquet" else "2024"),
    ]


def test_one_error_covers_all_three_files(data_dir: Path) -> None:
    set_cell(data_dir / "firms.csv", 5, "cap_marketing", "9")
    set_cell(data_dir / "programmes.csv", 3, "min_employees", "400")
    set_cell(data_dir / "programmes.csv", 3, "max_employees", "40")
    set_cell(data_dir / "outcomes.csv", 2, "firm_id", "F404")
    with pytest.raises(DataValidationError) as caught:
        read_data_dir(data_dir)
    assert located(caught.value.problems) == [
        ("firms.csv", 5, "cap_marketing", "9"),
        ("programmes.csv", 3, "min_employees", "400"),
        ("outcomes.csv", 2, "firm_id", "F404"),
    ]
    message = str(caught.value)
    for text in (
        "firms.csv, row 5, column cap_marketing: got '9'",
        "programmes.csv, row 3, column min_employees: got '400'",
        "outcomes.csv, row 2, column firm_id: got 'F404'",
    ):
        assert text in message


def test_missing_column_in_a_file(data_dir: Path) -> None:
    firms = pd.read_csv(data_dir / "firms.csv", dtype=str, keep_default_na=False)
    firms.drop(columns=["export_share"]).to_csv(data_dir / "firms.csv", index=False)
    assert located(read_problems(data_dir)) == [("firms.csv", None, "export_share", None)]


def test_repeated_header_column_is_reported(data_dir: Path) -> None:
    text = (data_dir / "outcomes.csv").read_text()
    lines = text.splitlines()
    lines[0] = lines[0].replace("outcome", "year", 1).replace("programme_id,year", "year,year")
    (data_dir / "outcomes.csv").write_text("\n".join(lines) + "\n")
    assert ("outcomes.csv", None, "year", None) in located(read_problems(data_dir))


# --- row numbers as a person counts lines -------------------------------------------------------
def test_blank_lines_are_skipped_but_counted(data_dir: Path) -> None:
    lines = (data_dir / "outcomes.csv").read_text().splitlines()
    lines.insert(2, "")  # blank line 3
    lines.insert(4, ",,,")  # a row of empty cells, line 5
    lines[5] = lines[5].replace("P24-EDU", "P-X")  # the third outcome, now on line 6
    (data_dir / "outcomes.csv").write_text("\n".join(lines) + "\n")
    assert located(read_problems(data_dir)) == [("outcomes.csv", 6, "programme_id", "P-X")]


def test_quoted_cells_spanning_lines_shift_later_rows(data_dir: Path) -> None:
    set_cell(data_dir / "programmes.csv", 2, "description", "line one\nline two\nline three")
    set_cell(data_dir / "programmes.csv", 4, "capacity", "none")
    assert located(read_problems(data_dir)) == [("programmes.csv", 6, "capacity", "none")]


def test_row_with_more_cells_than_the_header(data_dir: Path) -> None:
    path = data_dir / "outcomes.csv"
    path.write_text(path.read_text().replace("F002,2023,P23-RND,0", "F002,2023,P23-RND,0,9"))
    (problem,) = read_problems(data_dir)
    assert (problem.file, problem.row) == ("outcomes.csv", 3)
    assert "has 5" in problem.expected


def test_unclosed_quote_points_at_the_row_it_opens(data_dir: Path) -> None:
    path = data_dir / "outcomes.csv"
    path.write_text(path.read_text() + 'F004,2024,"P24-OTH,1\n')
    (problem,) = read_problems(data_dir)
    assert (problem.file, problem.row) == ("outcomes.csv", 6)
    assert "closing double quote" in problem.expected


# --- encodings and empty files -----------------------------------------------------------------
def test_utf8_with_bom_is_read(data_dir: Path) -> None:
    path = data_dir / "programmes.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert read_data_dir(data_dir) == valid_dataset()


def test_non_utf8_file_is_a_problem_naming_the_file(data_dir: Path) -> None:
    path = data_dir / "programmes.csv"
    set_cell(path, 4, "name", "기술인력 양성")  # Korean, as Excel saves it: cp949
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp949"))
    set_cell(data_dir / "firms.csv", 2, "employees", "-3")
    with pytest.raises(DataValidationError) as caught:
        read_data_dir(data_dir)
    assert located(caught.value.problems) == [
        ("firms.csv", 2, "employees", "-3"),
        ("programmes.csv", 4, None, None),
    ]
    assert "UTF-8" in str(caught.value) and "cp949" in str(caught.value)


@pytest.mark.parametrize("content", [b"", b"\n\n", b"\xef\xbb\xbf"])
def test_empty_csv_file_is_a_problem(data_dir: Path, content: bytes) -> None:
    (data_dir / "firms.csv").write_bytes(content)
    problems = read_problems(data_dir)
    assert [(p.file, p.row) for p in problems] == [("firms.csv", None)]
    assert "empty" in problems[0].expected


def test_empty_or_broken_parquet_file_is_a_problem(data_dir: Path) -> None:
    (data_dir / "firms.csv").unlink()
    (data_dir / "firms.parquet").write_bytes(b"")
    (data_dir / "outcomes.csv").unlink()
    (data_dir / "outcomes.parquet").write_bytes(b"not parquet at all")
    assert [(p.file, p.row) for p in read_problems(data_dir)] == [
        ("firms.parquet", None),
        ("outcomes.parquet", None),
    ]


# --- writing -----------------------------------------------------------------------------------
def test_writing_over_a_directory_replaces_the_other_format(data_dir: Path) -> None:
    ds = valid_dataset()
    write_data_dir(Dataset(ds.firms, ds.programmes, None), data_dir, fmt="parquet")
    assert sorted(p.name for p in data_dir.iterdir()) == ["firms.parquet", "programmes.parquet"]
    assert read_data_dir(data_dir) == Dataset(ds.firms, ds.programmes, None)


def test_failed_write_leaves_the_directory_as_it_was(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = {p.name: p.read_bytes() for p in data_dir.iterdir()}
    real = pd.DataFrame.to_parquet

    def fail_on_outcomes(self: pd.DataFrame, path: Path, **kwargs: object) -> None:
        if Path(path).name.startswith("outcomes"):
            raise OSError("disk full")
        real(self, path, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pd.DataFrame, "to_parquet", fail_on_outcomes)
    with pytest.raises(OSError, match="disk full"):
        write_data_dir(valid_dataset(), data_dir, fmt="parquet")
    assert {p.name: p.read_bytes() for p in data_dir.iterdir()} == before
    assert [p.name for p in data_dir.parent.iterdir()] == ["data"]  # no staging left behind


def test_failed_write_to_a_new_directory_creates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        pd.DataFrame, "to_csv", lambda *a, **k: (_ for _ in ()).throw(OSError("disk full"))
    )
    with pytest.raises(OSError):
        write_data_dir(valid_dataset(), tmp_path / "new")
    assert list(tmp_path.iterdir()) == []


def test_writing_onto_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(RecommenderError, match="not a directory"):
        write_data_dir(valid_dataset(), tmp_path / "f")


# --- speed -------------------------------------------------------------------------------------
def test_validating_100k_firm_rows_takes_seconds_not_minutes(tmp_path: Path) -> None:
    ds = valid_dataset()
    firms = ds.firms.sample(100_000, replace=True, random_state=0).reset_index(drop=True)
    firms["firm_id"] = [f"F{i:06d}" for i in range(len(firms))]
    write_data_dir(Dataset(firms, ds.programmes, None), tmp_path / "big")
    raw = pd.read_csv(tmp_path / "big" / "firms.csv", dtype=str, keep_default_na=False)
    start = time.perf_counter()
    checked = validate_frames(raw, ds.programmes)
    in_memory = time.perf_counter() - start
    start = time.perf_counter()
    read = read_data_dir(tmp_path / "big")
    from_disk = time.perf_counter() - start
    print(f"\n100k firm rows: validate_frames {in_memory:.2f} s, read_data_dir {from_disk:.2f} s")
    assert len(checked.firms) == len(read.firms) == 100_000
    assert in_memory < 30 and from_disk < 30  # generous: a sanity bound, not a benchmark
