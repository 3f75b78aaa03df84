"""Announcements -> contract programme rows; re-import into a catalogue."""

from __future__ import annotations

from functools import partial

import pandas as pd
import pytest

from recommender.adapters.bizinfo.feed import read_announcements
from recommender.adapters.bizinfo.rules import load_type_rules
from recommender.bizinfo.importer import (
    EVIDENCE_COLUMNS,
    announcements_to_programmes,
    merge_catalogue,
    validate_programmes,
)
from recommender.contract.fields import OPTIONAL_PROGRAMME_COLUMNS, PROGRAMME_COLUMNS
from recommender.errors import DataValidationError
from recommender.settings import PROJECT_ROOT

SHIPPED = PROJECT_ROOT / "recommender" / "data" / "bizinfo" / "announcements-2023-2025.csv"
# the import under test, with the shipped type rules
to_programmes = partial(announcements_to_programmes, rules=load_type_rules())


def announcement(**values: str) -> dict[str, str]:
    row = {
        "id": "PBLN_000000000000001",
        "title": "[경기] 2025년 수출 컨설팅 지원사업 공고",
        "link": "/web/lay1/view.do?pblancId=PBLN_000000000000001",
        "author": "경기도",
        "excInsttNm": "경기테크노파크",
        "lcategory": "수출",
        "pubDate": "2025-03-02",
        "apply_start": "",
        "apply_end": "",
        "trgetNm": "중소기업",
        "description": "<p>개요</p><p>☞ 도내 상시근로자 5인 이상 제조기업</p>"
        "<p>☞ 해외 바이어 상담 지원</p>",
    }
    row.update(values)
    return row


def frame(*rows: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


@pytest.fixture(scope="module")
def shipped_raw() -> pd.DataFrame:
    return read_announcements(SHIPPED)


@pytest.fixture(scope="module")
def shipped(shipped_raw) -> pd.DataFrame:
    return to_programmes(shipped_raw)


# --- one row -----------------------------------------------------------------------------
def test_an_announcement_becomes_a_contract_row_with_what_it_states_and_nulls_elsewhere():
    row = to_programmes(frame(announcement())).iloc[0]
    assert row["programme_id"] == "PBLN_000000000000001"
    assert row["name"] == "[경기] 2025년 수출 컨설팅 지원사업 공고"
    assert row["programme_type"] == "globalization"
    assert row["regions"] == "gyeonggi"
    assert row["sectors"] == "mfg_high_tech;mfg_mid_tech;mfg_low_tech"
    assert row["min_employees"] == 5 and pd.isna(row["max_employees"])
    assert row["year"] == 2025
    assert row["agency"] == "경기테크노파크"
    assert row["url"] == "https://www.bizinfo.go.kr/web/lay1/view.do?pblancId=PBLN_000000000000001"
    assert row["source"] == "bizinfo"
    assert row["description"].startswith("개요\n☞ 도내")
    assert row["apply_start"] is None and row["apply_end"] is None
    for column in (
        "support_krw_m",
        "duration_months",
        "capacity",
        "min_firm_age",
        "max_firm_age",
        "max_revenue_krw_m",
    ):
        assert pd.isna(row[column]), column
    assert row["requires_rnd_lab"] is None
    assert row["type_method"] == "rules" and 0 < row["type_confidence"] <= 1
    assert row["target_group"] == "중소기업"


def test_columns_are_the_contract_ones_in_order_then_the_evidence():
    out = to_programmes(frame(announcement()))
    assert list(out.columns) == [*PROGRAMME_COLUMNS, *OPTIONAL_PROGRAMME_COLUMNS, *EVIDENCE_COLUMNS]
    assert out["year"].dtype == "int64" and out["min_employees"].dtype == "float64"


def test_small_merchant_targeting_is_kept_as_evidence_not_invented_as_a_rule():
    row = to_programmes(
        frame(
            announcement(
                trgetNm="소상공인", description="<p>☞ 관내 소상공인</p><p>☞ 카드수수료 지원</p>"
            )
        )
    ).iloc[0]
    assert row["target_group"] == "소상공인"
    assert pd.isna(row["max_employees"]) and row["sectors"] == "*"


def test_year_comes_from_the_window_when_there_is_one():
    row = to_programmes(
        frame(announcement(pubDate="2025-12-20", apply_start="2026-01-05", apply_end="2026-02-01"))
    ).iloc[0]
    assert (row["year"], row["apply_start"], row["apply_end"]) == (2026, "2026-01-05", "2026-02-01")


def test_an_unreadable_window_end_stays_null_and_is_explained():
    row = to_programmes(
        frame(announcement(apply_start="2025-04-01", apply_end="예산 소진시"))
    ).iloc[0]
    assert row["apply_end"] is None and "unreadable" in row["date_evidence"]


def test_an_id_listed_twice_keeps_its_latest_publication():
    out = to_programmes(
        frame(
            announcement(pubDate="2025-02-07", title="[경기] 새 제목"),
            announcement(pubDate="2025-02-06", title="[경기] 옛 제목"),
        )
    )
    assert len(out) == 1 and out.iloc[0]["name"] == "[경기] 새 제목"


def test_an_override_wins_is_marked_and_keeps_the_rules_opinion_as_evidence():
    out = to_programmes(frame(announcement()), overrides={"PBLN_000000000000001": "education"})
    row = out.iloc[0]
    assert (row["programme_type"], row["type_method"], row["type_confidence"]) == (
        "education",
        "override",
        1.0,
    )
    assert row["targets"] == "cap_hr_skills"
    assert "rules said globalization" in row["type_evidence"]


def test_an_override_with_an_unknown_type_is_refused():
    with pytest.raises(DataValidationError, match="marketing"):
        to_programmes(frame(announcement()), overrides={"PBLN_000000000000001": "marketing"})


# --- the shipped file --------------------------------------------------------------------
def test_every_shipped_announcement_becomes_one_valid_contract_row(shipped_raw, shipped):
    assert len(shipped) == shipped_raw["id"].nunique() == 1864
    assert shipped["programme_id"].is_unique
    validated = validate_programmes(shipped)
    assert len(validated) == len(shipped)


def test_shipped_import_uses_every_type_and_fills_windows_only_where_given(shipped_raw, shipped):
    assert set(shipped["programme_type"]) == {
        "consulting",
        "rnd_planning",
        "education",
        "industry_academic",
        "commercialization",
        "globalization",
        "finance",
        "workforce",
        "other",
    }
    with_window = set(shipped_raw.loc[shipped_raw["apply_start"] != "", "id"])
    assert set(shipped.loc[shipped["apply_start"].notna(), "programme_id"]) == with_window


def test_a_broken_row_fails_validation_with_its_row_and_column(shipped):
    broken = shipped.head(3).copy()
    broken.loc[1, "regions"] = "atlantis"
    with pytest.raises(DataValidationError) as caught:
        validate_programmes(broken, file="programmes.csv")
    assert [(p.file, p.row, p.column) for p in caught.value.problems] == [
        ("programmes.csv", 3, "regions")
    ]


# --- re-import ---------------------------------------------------------------------------
def test_importing_the_same_feed_twice_changes_nothing(shipped):
    once, first = merge_catalogue(shipped.iloc[:0], shipped)
    twice, second = merge_catalogue(once, shipped)
    assert first == {"added": len(shipped), "updated": 0, "unchanged": 0}
    assert second == {"added": 0, "updated": 0, "unchanged": len(shipped)}
    assert len(twice) == len(shipped) and twice["programme_id"].is_unique
    assert list(twice["programme_id"]) == list(once["programme_id"])


def test_a_changed_announcement_updates_in_place_and_a_new_one_is_added():
    old = to_programmes(frame(announcement(), announcement(id="PBLN_2", title="[서울] 교육")))
    new = to_programmes(
        frame(
            announcement(title="[경기] 2025년 수출 컨설팅 지원사업 변경 공고"),
            announcement(id="PBLN_2", title="[서울] 교육"),
            announcement(id="PBLN_3", title="[부산] 신규 공고"),
        )
    )
    merged, counts = merge_catalogue(old, new)
    assert counts == {"added": 1, "updated": 1, "unchanged": 1}
    assert list(merged["programme_id"]) == ["PBLN_000000000000001", "PBLN_2", "PBLN_3"]
    assert merged.loc[0, "name"].endswith("변경 공고")


def test_rows_the_new_import_does_not_mention_are_kept():
    old = to_programmes(frame(announcement(), announcement(id="PBLN_gone")))
    merged, counts = merge_catalogue(old, to_programmes(frame(announcement())))
    assert counts == {"added": 0, "updated": 0, "unchanged": 1}
    assert set(merged["programme_id"]) == {"PBLN_000000000000001", "PBLN_gone"}


def test_values_read_back_as_text_compare_equal_to_typed_ones():
    typed = to_programmes(frame(announcement()))
    as_text = typed.astype(object).where(typed.notna(), "").astype(str)
    assert merge_catalogue(as_text, typed)[1]["unchanged"] == 1


def test_a_new_import_with_a_duplicate_id_is_refused():
    new = to_programmes(frame(announcement()))
    with pytest.raises(DataValidationError, match="once"):
        merge_catalogue(new.iloc[:0], pd.concat([new, new]))
