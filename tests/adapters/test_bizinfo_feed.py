"""Reading the Bizinfo files: the announcements feed and the programme-type rules file."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

from recommender.adapters.bizinfo.feed import read_announcements
from recommender.adapters.bizinfo.rules import RULES_FILE, load_type_rules
from recommender.bizinfo.classify import parse_type_rules
from recommender.errors import DataValidationError


def announcement(**values: str) -> dict[str, str]:
    row = {
        "id": "PBLN_000000000000001",
        "title": "[경기] 2025년 수출 컨설팅 지원사업 공고",
        "lcategory": "수출",
        "pubDate": "2025-03-02",
        "apply_start": "",
        "description": "<p>개요</p><p>☞ 도내 제조기업</p><p>☞ 해외 바이어 상담 지원</p>",
    }
    row.update(values)
    return row


def write_feed(path: Path, *rows: dict[str, str]) -> Path:
    pd.DataFrame(list(rows)).to_csv(path, index=False)
    return path


# --- the feed ----------------------------------------------------------------------------
def test_every_cell_is_read_as_text_with_blanks_as_empty_strings(tmp_path: Path) -> None:
    feed = write_feed(tmp_path / "feed.csv", announcement(id="0001"))
    raw = read_announcements(feed)
    assert raw.loc[0, "id"] == "0001" and raw.loc[0, "apply_start"] == ""


def test_missing_required_columns_are_named_with_the_file(tmp_path: Path) -> None:
    path = tmp_path / "feed.csv"
    pd.DataFrame([announcement()]).drop(columns=["pubDate", "lcategory"]).to_csv(path, index=False)
    with pytest.raises(DataValidationError) as caught:
        read_announcements(path)
    found = {(p.file, p.row, p.column) for p in caught.value.problems}
    assert found == {("feed.csv", None, "pubDate"), ("feed.csv", None, "lcategory")}


def test_a_row_without_id_or_readable_date_is_named_by_row_and_column(tmp_path: Path) -> None:
    feed = write_feed(tmp_path / "feed.csv", announcement(), announcement(id="", pubDate="어제"))
    with pytest.raises(DataValidationError) as caught:
        read_announcements(feed)
    found = {(p.file, p.row, p.column) for p in caught.value.problems}
    assert found == {("feed.csv", 3, "id"), ("feed.csv", 3, "pubDate")}


def test_an_unreadable_file_is_a_validation_error(tmp_path: Path) -> None:
    with pytest.raises(DataValidationError, match="missing.csv"):
        read_announcements(tmp_path / "missing.csv")
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\xff\xfe\x00\x81garbage")
    with pytest.raises(DataValidationError, match="binary.csv"):
        read_announcements(binary)


# --- the type rules file -----------------------------------------------------------------
def test_the_shipped_rules_are_the_packaged_rules_file_parsed() -> None:
    text = (resources.files("recommender.bizinfo") / RULES_FILE).read_text(encoding="utf-8")
    rules = load_type_rules()
    assert rules == parse_type_rules(tomllib.loads(text))
    assert rules.source == RULES_FILE and len(rules.rules) > 0


def test_a_rules_file_given_by_path_is_read_and_named_in_its_problems(tmp_path: Path) -> None:
    own = tmp_path / "my_rules.toml"
    own.write_text('[[rule]]\nname = "x"\ntype = "marketing"\nkeywords = ["a"]\n', encoding="utf-8")
    with pytest.raises(DataValidationError) as caught:
        load_type_rules(own)
    assert [p.file for p in caught.value.problems] == ["my_rules.toml"]
    assert "rule 1 (x)" in str(caught.value)


def test_an_unreadable_rules_file_is_a_validation_error(tmp_path: Path) -> None:
    bad = tmp_path / "broken.toml"
    bad.write_text("[[rule]\nname = ", encoding="utf-8")
    with pytest.raises(DataValidationError, match="broken.toml"):
        load_type_rules(bad)
    with pytest.raises(DataValidationError, match="absent.toml"):
        load_type_rules(tmp_path / "absent.toml")
