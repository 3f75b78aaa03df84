"""Identifiers (``firm_id``, ``programme_id``) follow one rule everywhere: the contract's
character set and length, checked in files (so ``recommender validate`` and
``recommender import`` refuse them, storing nothing) and at the API, so every stored id
can be named in an API path."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cli import app
from recommender.adapters.files import read_data_dir, write_data_dir
from recommender.contract.datasets import validate_frames
from recommender.contract.fields import CONTRACT, ID_PATTERN, ID_RULE, MAX_ID_LENGTH
from recommender.errors import DataValidationError
from recommender.settings import PROJECT_ROOT
from tests.data.factories import set_cell, text_tables, valid_dataset

UNADDRESSABLE = {
    "slash": "F/001",
    "space": "F 001",
    "nul": "F\x00001",
    "tab": "F\t001",
    "newline": "F001\nF002",
    "dot-dot": "..",
    "leading-dash": "-F001",
    "too-long": "F" * (MAX_ID_LENGTH + 1),
    "hangul": "기업001",
    "percent": "F%2F001",
}
ID_COLUMNS = [
    (table, field.name)
    for table, spec in CONTRACT.items()
    for field in spec.fields
    if field.name in {"firm_id", "programme_id"}
]


def test_every_id_column_carries_the_rule() -> None:
    assert len(ID_COLUMNS) == 8  # firms, programmes, outcomes, applications, feedback
    specs = [CONTRACT[t].field(c) for t, c in ID_COLUMNS]
    assert {(f.pattern, f.max_length) for f in specs} == {(ID_PATTERN, MAX_ID_LENGTH)}
    assert all(ID_RULE in f.expected for f in specs)


@pytest.mark.parametrize("bad", list(UNADDRESSABLE.values()), ids=list(UNADDRESSABLE))
@pytest.mark.parametrize("column", ["firm_id", "programme_id"])
def test_an_id_the_api_cannot_address_is_refused_in_a_file(column: str, bad: str) -> None:
    raw = text_tables()
    table = "firms" if column == "firm_id" else "programmes"
    raw[table].loc[0, column] = bad
    with pytest.raises(DataValidationError) as caught:
        validate_frames(raw["firms"], raw["programmes"], raw["outcomes"])
    found = [(p.row, p.value, p.expected) for p in caught.value.problems if p.column == column]
    assert (2, bad, f"a {column.split('_')[0]} identifier ({ID_RULE})") in found


def test_ids_of_the_longest_length_and_every_allowed_character_pass() -> None:
    raw = text_tables()
    old = raw["firms"].loc[0, "firm_id"]
    new = ("Az09._:~-" * 20)[:MAX_ID_LENGTH]
    for name in ("firms", "outcomes"):
        raw[name]["firm_id"] = raw[name]["firm_id"].replace(old, new)
    ds = validate_frames(raw["firms"], raw["programmes"], raw["outcomes"])
    assert new in set(ds.firms["firm_id"])


def test_the_shipped_catalogue_and_demo_ids_follow_the_rule() -> None:
    catalogue = pd.read_csv(
        PROJECT_ROOT / "recommender/data/bizinfo/announcements-2023-2025.csv", usecols=["id"]
    )
    ids = catalogue["id"].astype(str)
    assert len(ids) > 1000
    assert ids.str.fullmatch(ID_PATTERN).all() and (ids.str.len() <= MAX_ID_LENGTH).all()


def test_validate_and_import_refuse_a_file_with_a_slash_in_an_id(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_data_dir(valid_dataset(), data)
    set_cell(data / "firms.csv", 2, "firm_id", "F/../../etc")
    result = CliRunner().invoke(app, ["validate", "--data", str(data)])
    assert result.exit_code == 2
    assert "firms.csv, row 2, column firm_id: got 'F/../../etc'; expected a firm" in result.stderr
    with pytest.raises(DataValidationError):  # `recommender import` reads the same way
        read_data_dir(data)
