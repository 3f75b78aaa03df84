"""Contract v2's first optional table, ``applications``: checked like outcomes, and every
v1 directory (without it) reads exactly as before.

Rows are numbered as in a CSV file (header = line 1): applications rows 2-4 are
F002/P23-CONS (2023), F002/P24-GLOB and F004/P24-OTH (2024).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from recommender.adapters.files import read_data_dir, write_data_dir
from recommender.contract.canonical import Dataset
from recommender.contract.datasets import validate_frames
from recommender.contract.fields import APPLICATION_COLUMNS, APPLICATIONS, CONTRACT
from recommender.errors import DataValidationError, Problem
from tests.data.factories import as_text, set_cell, valid_dataset, valid_dataset_v2


def problems(applications: pd.DataFrame) -> list[Problem]:
    ds = valid_dataset()
    with pytest.raises(DataValidationError) as caught:
        validate_frames(ds.firms, ds.programmes, ds.outcomes, applications=applications)
    return caught.value.problems


def located(found: list[Problem]) -> list[tuple[str, int | None, str | None, object]]:
    return [(p.file, p.row, p.column, p.value) for p in found]


@pytest.fixture
def applications() -> pd.DataFrame:
    ds = valid_dataset_v2()
    assert ds.applications is not None
    return as_text(ds.applications)


def put(frame: pd.DataFrame, row: int, column: str, value: str) -> None:
    frame.loc[row - 2, column] = value


def test_applications_are_an_optional_v2_table_keyed_like_outcomes() -> None:
    assert (APPLICATIONS.version, APPLICATIONS.required, APPLICATIONS.refers) == (2, False, True)
    assert APPLICATION_COLUMNS == ("firm_id", "year", "programme_id")
    assert APPLICATIONS.key == CONTRACT["outcomes"].key
    assert [t.name for t in CONTRACT.values() if t.version == 1] == [
        "firms",
        "programmes",
        "outcomes",
    ]


def test_valid_applications_become_a_canonical_frame(applications: pd.DataFrame) -> None:
    ds = valid_dataset()
    got = validate_frames(ds.firms, ds.programmes, ds.outcomes, applications=applications)
    assert got == valid_dataset_v2()
    assert got.applications is not None
    assert got.applications.dtypes.astype(str).tolist() == ["object", "int64", "object"]


def test_without_applications_a_dataset_has_none() -> None:
    ds = valid_dataset()
    assert validate_frames(ds.firms, ds.programmes, ds.outcomes).applications is None


def test_an_application_of_an_unknown_firm(applications: pd.DataFrame) -> None:
    put(applications, 3, "firm_id", "F999")
    found = problems(applications)
    assert located(found) == [("applications", 3, "firm_id", "F999")]
    assert found[0].expected == "a firm_id that has a profile in firms"


def test_an_application_for_an_unknown_programme(applications: pd.DataFrame) -> None:
    put(applications, 4, "programme_id", "P-NOPE")
    found = problems(applications)
    assert located(found) == [("applications", 4, "programme_id", "P-NOPE")]
    assert found[0].expected == "a programme_id listed in programmes"


def test_an_application_for_an_offering_of_another_year(applications: pd.DataFrame) -> None:
    put(applications, 2, "year", "2024")  # F002 has a 2024 profile; P23-CONS ran in 2023
    found = problems(applications)
    assert located(found) == [("applications", 2, "year", "2024")]
    assert found[0].expected == "2023, the year programme P23-CONS runs in programmes"


def test_an_application_without_a_profile_that_year(applications: pd.DataFrame) -> None:
    put(applications, 4, "year", "2022")  # F004 has profiles of 2023 and 2024 only
    texts = [p.expected for p in problems(applications) if (p.row, p.column) == (4, "year")]
    assert "a year with a profile of F004 in firms (has: 2023, 2024)" in texts
    assert "2024, the year programme P24-OTH runs in programmes" in texts


def test_a_duplicate_application(applications: pd.DataFrame) -> None:
    twice = pd.concat([applications, applications.iloc[[1]]], ignore_index=True)
    found = problems(twice)
    assert located(found) == [("applications", 5, "firm_id", "F002")]
    assert found[0].expected == (
        "one application per (firm_id, year, programme_id); row 3 already has F002, 2024, P24-GLOB"
    )


def test_bad_cells_and_a_missing_column_are_reported(applications: pd.DataFrame) -> None:
    put(applications, 3, "year", "soon")
    assert located(problems(applications)) == [("applications", 3, "year", "soon")]
    found = problems(applications.drop(columns=["programme_id"]))
    assert located(found) == [
        ("applications", None, "programme_id", None),
        ("applications", 3, "year", "soon"),
    ]


# --- data directories ---------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_directory_with_applications_round_trips(tmp_path: Path, fmt: str) -> None:
    write_data_dir(valid_dataset_v2(), tmp_path / "d", fmt=fmt)  # type: ignore[arg-type]
    assert (tmp_path / "d" / f"applications.{fmt}").is_file()
    assert read_data_dir(tmp_path / "d") == valid_dataset_v2()


def test_a_v1_directory_reads_unchanged(tmp_path: Path) -> None:
    write_data_dir(valid_dataset(), tmp_path / "v1")
    assert sorted(p.name for p in (tmp_path / "v1").iterdir()) == [
        "firms.csv",
        "outcomes.csv",
        "programmes.csv",
    ]
    ds = read_data_dir(tmp_path / "v1")
    assert ds.applications is None and ds == valid_dataset()


def test_writing_a_dataset_without_applications_removes_an_old_file(tmp_path: Path) -> None:
    write_data_dir(valid_dataset_v2(), tmp_path / "d")
    write_data_dir(valid_dataset(), tmp_path / "d")
    assert not (tmp_path / "d" / "applications.csv").exists()
    assert read_data_dir(tmp_path / "d") == valid_dataset()


def test_problems_in_an_applications_file_name_its_lines(tmp_path: Path) -> None:
    write_data_dir(valid_dataset_v2(), tmp_path / "d")
    set_cell(tmp_path / "d" / "applications.csv", 3, "programme_id", "P-GONE")
    set_cell(tmp_path / "d" / "firms.csv", 4, "employees", "many")
    with pytest.raises(DataValidationError) as caught:
        read_data_dir(tmp_path / "d")
    assert located(caught.value.problems) == [
        ("firms.csv", 4, "employees", "many"),
        ("applications.csv", 3, "programme_id", "P-GONE"),
    ]


def test_applications_are_never_required(tmp_path: Path) -> None:
    write_data_dir(valid_dataset(), tmp_path / "d")
    ds = read_data_dir(tmp_path / "d", require_outcomes=True)
    assert ds.applications is None
    assert Dataset(ds.firms, ds.programmes, ds.outcomes) == ds
