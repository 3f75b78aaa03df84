"""The contract's rules, cell by cell and across tables, on in-memory raw frames.

Frames here hold strings, as a CSV file does; rows are numbered as in a CSV file
(header = line 1), so row 2 is the first data row.
"""

from __future__ import annotations

import math

import pandas as pd
import pandera.pandas as pa
import pytest

from recommender.constants import CAPABILITIES
from recommender.contract.canonical import Dataset
from recommender.contract.cells import parse_column
from recommender.contract.columns import (
    APPLICATIONS_SCHEMA,
    FIRMS_SCHEMA,
    OUTCOMES_SCHEMA,
    PROGRAMMES_SCHEMA,
)
from recommender.contract.datasets import validate_frames
from recommender.contract.fields import FIRM_COLUMNS, OPTIONAL_PROGRAMME_COLUMNS
from recommender.contract.raw import RawTable
from recommender.contract.tables import check_table
from recommender.errors import DataValidationError, Problem
from tests.data.factories import text_tables, valid_dataset


@pytest.fixture
def raw() -> dict[str, pd.DataFrame]:
    return text_tables()


def problems_of(raw: dict[str, pd.DataFrame], **kwargs: object) -> DataValidationError:
    with pytest.raises(DataValidationError) as caught:
        validate_frames(raw["firms"], raw["programmes"], raw.get("outcomes"), **kwargs)
    return caught.value


def assert_reported(
    exc: DataValidationError, file: str, row: int | None, column: str, value: object
) -> Problem:
    """The problem is in the list and its file, row, column and value are in the message."""
    matching = [
        p for p in exc.problems if (p.file, p.row, p.column, p.value) == (file, row, column, value)
    ]
    assert matching, f"no problem at {file} row {row} column {column} in:\n{exc}"
    where = file + (f", row {row}" if row is not None else "") + f", column {column}"
    assert where in str(exc)
    if value is not None:
        assert f"got {value!r}" in str(exc)
    return matching[0]


def put(frame: pd.DataFrame, row: int, column: str, value: str) -> None:
    frame.loc[row - 2, column] = value


def test_valid_text_tables_parse_to_the_canonical_dataset(raw: dict[str, pd.DataFrame]) -> None:
    assert validate_frames(raw["firms"], raw["programmes"], raw["outcomes"]) == valid_dataset()


def test_typed_canonical_frames_validate_unchanged() -> None:
    ds = valid_dataset()
    assert validate_frames(ds.firms, ds.programmes, ds.outcomes) == ds


def test_outcomes_are_optional(raw: dict[str, pd.DataFrame]) -> None:
    assert validate_frames(raw["firms"], raw["programmes"]).outcomes is None


# --- firms ---------------------------------------------------------------------------------
def test_unknown_region_names_the_allowed_values(raw: dict[str, pd.DataFrame]) -> None:
    put(raw["firms"], 3, "region", "mars")
    problem = assert_reported(problems_of(raw), "firms", 3, "region", "mars")
    assert problem.expected.startswith("one of: seoul, busan, daegu")


def test_enums_ignore_case_and_surrounding_blanks(raw: dict[str, pd.DataFrame]) -> None:
    put(raw["firms"], 2, "region", "  Seoul ")
    put(raw["firms"], 2, "sector", "MFG_HIGH_TECH")
    assert validate_frames(raw["firms"], raw["programmes"]).firms.loc[0, "region"] == "seoul"


@pytest.mark.parametrize("value", ["7", "0", "3.5", "high"])
def test_capability_outside_one_to_five_is_reported(
    raw: dict[str, pd.DataFrame], value: str
) -> None:
    put(raw["firms"], 4, "cap_marketing", value)
    problem = assert_reported(problems_of(raw), "firms", 4, "cap_marketing", value)
    assert problem.expected == "an integer from 1 to 5 or empty"


def test_missing_capability_is_allowed(raw: dict[str, pd.DataFrame]) -> None:
    for cap in CAPABILITIES:
        put(raw["firms"], 5, cap, "")
    firms = validate_frames(raw["firms"], raw["programmes"]).firms
    assert firms.loc[3, list(CAPABILITIES)].isna().all()


def test_text_in_a_number_column_is_reported_per_cell(raw: dict[str, pd.DataFrame]) -> None:
    put(raw["firms"], 5, "employees", "abc")
    put(raw["firms"], 7, "employees", "0")
    put(raw["firms"], 8, "revenue_krw_m", "1,000")
    exc = problems_of(raw)
    assert_reported(exc, "firms", 5, "employees", "abc")
    assert assert_reported(exc, "firms", 7, "employees", "0").expected == "an integer >= 1"
    assert assert_reported(exc, "firms", 8, "revenue_krw_m", "1,000").expected == "a number >= 0"
    assert len(exc.problems) == 3  # 'abc' is not also reported as a missing value


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("export_share", "1.5"),
        ("export_share", "-0.1"),
        ("revenue_krw_m", "-1"),
        ("rnd_spend_krw_m", "inf"),
        ("researchers", "-2"),
        ("patents", "2.5"),
        ("year", "twenty"),
    ],
)
def test_numbers_out_of_range_or_not_whole(
    raw: dict[str, pd.DataFrame], column: str, value: str
) -> None:
    put(raw["firms"], 6, column, value)
    assert_reported(problems_of(raw), "firms", 6, column, value)


def test_whole_numbers_written_with_a_decimal_point_are_integers(
    raw: dict[str, pd.DataFrame],
) -> None:
    put(raw["firms"], 2, "employees", "45.0")
    firms = validate_frames(raw["firms"], raw["programmes"]).firms
    assert firms.loc[0, "employees"] == 45 and firms["employees"].dtype == "int64"


def test_required_cell_left_empty(raw: dict[str, pd.DataFrame]) -> None:
    put(raw["firms"], 9, "sector", "")
    problem = assert_reported(problems_of(raw), "firms", 9, "sector", "")
    assert "expected one of: mfg_high_tech" in str(problem)


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("true", True),
        ("TRUE", True),
        ("yes", True),
        ("Yes", True),
        ("1", True),
        (True, True),
        ("false", False),
        ("False", False),
        ("no", False),
        ("NO", False),
        ("0", False),
        (False, False),
    ],
)
def test_booleans_accept_common_spellings(
    raw: dict[str, pd.DataFrame], token: object, expected: bool
) -> None:
    raw["firms"]["has_rnd_lab"] = raw["firms"]["has_rnd_lab"].astype(object)
    put(raw["firms"], 2, "has_rnd_lab", token)  # type: ignore[arg-type]
    firms = validate_frames(raw["firms"], raw["programmes"]).firms
    assert firms["has_rnd_lab"].dtype == bool and firms.loc[0, "has_rnd_lab"] == expected


def test_unknown_boolean_is_reported(raw: dict[str, pd.DataFrame]) -> None:
    put(raw["firms"], 7, "has_rnd_lab", "maybe")
    assert_reported(problems_of(raw), "firms", 7, "has_rnd_lab", "maybe")


def test_founded_after_the_profile_year(raw: dict[str, pd.DataFrame]) -> None:
    put(raw["firms"], 6, "founded_year", "2030")
    problem = assert_reported(problems_of(raw), "firms", 6, "founded_year", "2030")
    assert "2024" in problem.expected


def test_each_missing_column_is_one_problem(raw: dict[str, pd.DataFrame]) -> None:
    raw["firms"] = raw["firms"].drop(columns=["sector", "patents"])
    exc = problems_of(raw)
    assert [(p.file, p.row, p.column) for p in exc.problems] == [
        ("firms", None, "sector"),
        ("firms", None, "patents"),
    ]
    assert "firms, column sector; expected a column named sector" in str(exc)


def test_missing_column_does_not_hide_bad_cells_elsewhere(raw: dict[str, pd.DataFrame]) -> None:
    raw["firms"] = raw["firms"].drop(columns=["year"])
    put(raw["firms"], 3, "employees", "many")
    exc = problems_of(raw)
    assert_reported(exc, "firms", None, "year", None)
    assert_reported(exc, "firms", 3, "employees", "many")


def test_extra_columns_are_dropped(raw: dict[str, pd.DataFrame]) -> None:
    raw["firms"]["notes"] = "anything"
    firms = validate_frames(raw["firms"], raw["programmes"]).firms
    assert tuple(firms.columns) == FIRM_COLUMNS


def test_duplicate_firm_profile(raw: dict[str, pd.DataFrame]) -> None:
    put(raw["firms"], 9, "firm_id", "F001")  # F004 2024 becomes a second F001 2024
    problem = assert_reported(problems_of(raw), "firms", 9, "firm_id", "F001")
    assert "row 6 already has F001, 2024" in problem.expected


# --- programmes ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("row", "column", "value"),
    [
        (2, "programme_type", "loans"),
        (3, "targets", "cap_rnd_execution;cap_luck"),
        (4, "sectors", "kbs_ict;mining"),
        (5, "regions", "*;seoul"),
        (2, "duration_months", "0"),
        (3, "capacity", "0"),
        (4, "support_krw_m", "-5"),
        (5, "max_revenue_krw_m", "lots"),
        (6, "requires_rnd_lab", "sometimes"),
        (2, "apply_start", "2023-13-01"),
        (2, "apply_end", "2023-02-30"),
        (2, "apply_start", "1 March 2023"),
        (3, "min_employees", "-1"),
    ],
)
def test_programme_cells(raw: dict[str, pd.DataFrame], row: int, column: str, value: str) -> None:
    put(raw["programmes"], row, column, value)
    assert_reported(problems_of(raw), "programmes", row, column, value)


def test_min_above_max_is_reported_on_the_minimum(raw: dict[str, pd.DataFrame]) -> None:
    put(raw["programmes"], 2, "min_employees", "500")  # max_employees is 299
    put(raw["programmes"], 3, "min_firm_age", "20")  # max_firm_age is 10
    exc = problems_of(raw)
    assert (
        "max_employees (299)"
        in assert_reported(exc, "programmes", 2, "min_employees", "500").expected
    )
    assert_reported(exc, "programmes", 3, "min_firm_age", "20")


def test_application_window_must_not_end_before_it_starts(raw: dict[str, pd.DataFrame]) -> None:
    put(raw["programmes"], 2, "apply_end", "2023-01-15")  # apply_start is 2023-02-01
    problem = assert_reported(problems_of(raw), "programmes", 2, "apply_end", "2023-01-15")
    assert "2023-02-01" in problem.expected


def test_lists_and_wildcards_are_normalised(raw: dict[str, pd.DataFrame]) -> None:
    put(raw["programmes"], 2, "sectors", " KBS_ICT ; mfg_low_tech ;")
    put(raw["programmes"], 2, "targets", "")
    programmes = validate_frames(raw["firms"], raw["programmes"]).programmes
    assert programmes.loc[0, "sectors"] == "kbs_ict;mfg_low_tech"
    assert programmes.loc[0, "targets"] is None and programmes.loc[0, "regions"] == "*"


def test_iso_dates_with_a_midnight_time_are_dates(raw: dict[str, pd.DataFrame]) -> None:
    put(raw["programmes"], 2, "apply_start", "2023-02-01T00:00:00")
    programmes = validate_frames(raw["firms"], raw["programmes"]).programmes
    assert programmes.loc[0, "apply_start"] == "2023-02-01"


def test_optional_programme_columns_may_be_absent(raw: dict[str, pd.DataFrame]) -> None:
    raw["programmes"] = raw["programmes"].drop(columns=list(OPTIONAL_PROGRAMME_COLUMNS))
    programmes = validate_frames(raw["firms"], raw["programmes"]).programmes
    assert programmes[list(OPTIONAL_PROGRAMME_COLUMNS)].map(lambda v: v is None).all().all()


def test_duplicate_programme_id(raw: dict[str, pd.DataFrame]) -> None:
    put(raw["programmes"], 6, "programme_id", "P23-CONS")
    problem = assert_reported(problems_of(raw), "programmes", 6, "programme_id", "P23-CONS")
    assert "row 2 already has it" in problem.expected


# --- outcomes and references ---------------------------------------------------------------
def test_outcome_grade_outside_zero_to_three(raw: dict[str, pd.DataFrame]) -> None:
    put(raw["outcomes"], 5, "outcome", "4")
    put(raw["outcomes"], 4, "outcome", "good")
    exc = problems_of(raw)
    assert_reported(exc, "outcomes", 5, "outcome", "4")
    assert_reported(exc, "outcomes", 4, "outcome", "good")


def test_outcome_of_an_unknown_firm(raw: dict[str, pd.DataFrame]) -> None:
    put(raw["outcomes"], 2, "firm_id", "F999")
    problem = assert_reported(problems_of(raw), "outcomes", 2, "firm_id", "F999")
    assert problem.expected == "a firm_id that has a profile in firms"


def test_outcome_of_an_unknown_programme(raw: dict[str, pd.DataFrame]) -> None:
    put(raw["outcomes"], 4, "programme_id", "P-NOPE")
    assert_reported(problems_of(raw), "outcomes", 4, "programme_id", "P-NOPE")


def test_outcome_for_a_programme_not_running_that_year(raw: dict[str, pd.DataFrame]) -> None:
    put(raw["outcomes"], 3, "year", "2024")  # F002 has a 2024 profile; P23-RND ran in 2023
    exc = problems_of(raw)
    assert len(exc.problems) == 1
    problem = assert_reported(exc, "outcomes", 3, "year", "2024")
    assert problem.expected == "2023, the year programme P23-RND runs in programmes"


def test_outcome_without_a_profile_that_year(raw: dict[str, pd.DataFrame]) -> None:
    put(raw["outcomes"], 2, "year", "2022")
    exc = problems_of(raw)
    texts = [p.expected for p in exc.problems if (p.row, p.column) == (2, "year")]
    assert "a year with a profile of F001 in firms (has: 2023, 2024)" in texts
    assert "2023, the year programme P23-CONS runs in programmes" in texts


def test_duplicate_outcome(raw: dict[str, pd.DataFrame]) -> None:
    raw["outcomes"] = pd.concat([raw["outcomes"], raw["outcomes"].iloc[[2]]], ignore_index=True)
    problem = assert_reported(problems_of(raw), "outcomes", 6, "firm_id", "F001")
    assert "row 4 already has F001, 2024, P24-EDU" in problem.expected


def test_one_error_lists_problems_of_every_table(raw: dict[str, pd.DataFrame]) -> None:
    put(raw["firms"], 3, "employees", "abc")
    put(raw["programmes"], 4, "programme_type", "grants")
    put(raw["outcomes"], 5, "programme_id", "P-GONE")
    exc = problems_of(raw)
    assert [(p.file, p.row, p.column) for p in exc.problems] == [
        ("firms", 3, "employees"),
        ("programmes", 4, "programme_type"),
        ("outcomes", 5, "programme_id"),
    ]
    assert str(exc).startswith("3 problems in the data:")


def test_upload_names_and_row_numbers_are_the_callers(raw: dict[str, pd.DataFrame]) -> None:
    ds = valid_dataset()
    upload = pd.DataFrame(
        [
            {"firm_id": "F002", "year": 2024, "programme_id": "P24-OTH", "outcome": 1},
            {"firm_id": "F002", "year": 2024, "programme_id": "P-NEW", "outcome": 2},
        ]
    )
    with pytest.raises(DataValidationError) as caught:
        validate_frames(ds.firms, ds.programmes, upload, names={"outcomes": "upload"}, row_offset=0)
    assert [(p.file, p.row, p.column, p.value) for p in caught.value.problems] == [
        ("upload", 1, "programme_id", "P-NEW")
    ]


def test_json_like_typed_values_are_checked_too() -> None:
    ds = valid_dataset()
    upload = pd.DataFrame(
        {"firm_id": ["F001"], "year": [2024], "programme_id": ["P24-GLOB"], "outcome": [2.5]}
    )
    with pytest.raises(DataValidationError) as caught:
        validate_frames(ds.firms, ds.programmes, upload)
    assert_reported(caught.value, "outcomes", 2, "outcome", 2.5)


# --- the pieces ----------------------------------------------------------------------------
def test_schemas_are_pandera_schemas_describing_every_column() -> None:
    for schema in (FIRMS_SCHEMA, PROGRAMMES_SCHEMA, OUTCOMES_SCHEMA, APPLICATIONS_SCHEMA):
        assert isinstance(schema, pa.DataFrameSchema)
        assert all(column.description for column in schema.columns.values())


def test_check_table_returns_parsed_cells_and_blanks_out_bad_ones() -> None:
    frame = pd.DataFrame(
        {
            "firm_id": ["A", "B"],
            "year": ["2024", "x"],
            "programme_id": ["P", "P"],
            "outcome": ["3", "1"],
        }
    )
    parsed, problems = check_table("outcomes", RawTable.numbered(frame, "o.csv"))
    assert parsed["year"].tolist()[0] == 2024 and pd.isna(parsed["year"].iloc[1])
    assert problems == [Problem("o.csv", 3, "year", "x", "a whole-number year")]


def test_parse_column_reports_only_given_cells_it_cannot_read() -> None:
    parsed, bad = parse_column(pd.Series(["1.5", "", None, "nan", " 2 "], dtype=object), "float")
    assert bad.tolist() == [False, False, False, True, False]
    assert parsed.iloc[0] == 1.5 and parsed.iloc[4] == 2.0
    assert all(math.isnan(v) for v in parsed.iloc[1:4])


def test_dataset_equality_compares_frames() -> None:
    ds = valid_dataset()
    changed = ds.firms.copy()
    changed.loc[0, "employees"] = 46
    assert ds == valid_dataset()
    assert ds != Dataset(changed, ds.programmes, ds.outcomes)
    assert ds != Dataset(ds.firms, ds.programmes, None)


def test_column_names_are_read_without_surrounding_blanks(raw: dict[str, pd.DataFrame]) -> None:
    raw["outcomes"].columns = [f" {c} " for c in raw["outcomes"].columns]
    raw["outcomes"] = pd.concat([raw["outcomes"], raw["outcomes"].iloc[[0]]], ignore_index=True)
    assert_reported(problems_of(raw), "outcomes", 6, "firm_id", "F001")


def test_a_column_given_twice_is_reported_once(raw: dict[str, pd.DataFrame]) -> None:
    twice = pd.concat([raw["outcomes"], raw["outcomes"][["outcome"]]], axis=1)
    exc = problems_of({**raw, "outcomes": twice})
    assert [(p.file, p.row, p.column) for p in exc.problems] == [("outcomes", None, "outcome")]
