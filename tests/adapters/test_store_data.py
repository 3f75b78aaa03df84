"""Firms, programmes and outcomes in the store: import, export, reads, upserts, conflicts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, func, select

from recommender.adapters.files import read_data_dir, write_data_dir
from recommender.adapters.store import (
    add_outcomes,
    export_dataset,
    get_firm,
    get_programme,
    import_dataset,
    load_applications,
    load_firms,
    load_outcomes,
    load_programmes,
    load_type_overrides,
    session_scope,
    set_type_override,
    upsert_programmes,
)
from recommender.adapters.store.tables import Application, Firm, Outcome, Programme
from recommender.contract.canonical import Dataset, canonical_outcomes
from recommender.errors import ConflictError, DataValidationError, NotFoundError
from tests.data.factories import valid_dataset, valid_dataset_v2

KEYS = {
    "firms": ["firm_id", "year"],
    "programmes": ["programme_id"],
    "outcomes": ["firm_id", "year", "programme_id"],
    "applications": ["firm_id", "year", "programme_id"],
}


def _sorted(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    return frame.sort_values(KEYS[table], ignore_index=True)


def assert_same_dataset(got: Dataset, want: Dataset) -> None:
    for table in KEYS:
        a, b = getattr(got, table), getattr(want, table)
        assert (a is None) == (b is None), table
        if a is not None:
            pd.testing.assert_frame_equal(_sorted(a, table), _sorted(b, table))


def outcomes_of(ds: Dataset) -> pd.DataFrame:
    assert ds.outcomes is not None
    return ds.outcomes


def count(engine: Engine, mapped: type) -> int:
    with session_scope(engine) as s:
        return int(s.execute(select(func.count()).select_from(mapped)).scalar_one())


# --- import / export ------------------------------------------------------------------
def test_import_then_export_round_trips_the_dataset(engine: Engine) -> None:
    ds = valid_dataset()
    counts = import_dataset(engine, ds)
    assert counts == {
        "firms": {"added": 8, "updated": 0, "unchanged": 0},
        "programmes": {"added": 5, "updated": 0, "unchanged": 0},
        "outcomes": {"added": 4, "updated": 0, "unchanged": 0},
    }
    assert_same_dataset(export_dataset(engine), ds)


def test_applications_are_stored_once_and_exported_with_the_dataset(
    engine: Engine, tmp_path
) -> None:
    ds = valid_dataset_v2()
    assert import_dataset(engine, ds)["applications"] == {"added": 3, "updated": 0, "unchanged": 0}
    assert import_dataset(engine, ds)["applications"] == {"added": 0, "updated": 0, "unchanged": 3}
    assert count(engine, Application) == 3
    assert_same_dataset(export_dataset(engine), ds)
    write_data_dir(export_dataset(engine), tmp_path / "out")
    assert_same_dataset(read_data_dir(tmp_path / "out"), ds)
    with session_scope(engine) as session:
        assert (
            len(load_applications(session, years=[2024]))
            == len(
                ds.applications[ds.applications["year"] == 2024]  # type: ignore[index]
            )
            > 0
        )
        assert load_applications(session, years=[1990]).empty


def test_export_writes_a_directory_the_contract_reader_accepts(engine: Engine, tmp_path) -> None:
    ds = valid_dataset()
    import_dataset(engine, ds)
    write_data_dir(export_dataset(engine), tmp_path / "out")
    assert_same_dataset(read_data_dir(tmp_path / "out"), ds)


def test_reimporting_the_same_dataset_changes_nothing(engine: Engine) -> None:
    ds = valid_dataset()
    import_dataset(engine, ds)
    again = import_dataset(engine, ds)
    assert again == {
        "firms": {"added": 0, "updated": 0, "unchanged": 8},
        "programmes": {"added": 0, "updated": 0, "unchanged": 5},
        "outcomes": {"added": 0, "updated": 0, "unchanged": 4},
    }
    assert (count(engine, Firm), count(engine, Programme), count(engine, Outcome)) == (8, 5, 4)


def test_reimport_updates_changed_rows_by_key(engine: Engine) -> None:
    ds = valid_dataset()
    import_dataset(engine, ds)
    firms = ds.firms.copy()
    firms.loc[0, "employees"] = 999
    firms.loc[1, "cap_marketing"] = np.nan
    outcomes = outcomes_of(ds).copy()
    outcomes.loc[0, "outcome"] = 3
    counts = import_dataset(engine, Dataset(firms, ds.programmes, outcomes))
    assert counts["firms"] == {"added": 0, "updated": 2, "unchanged": 6}
    assert counts["outcomes"] == {"added": 0, "updated": 1, "unchanged": 3}
    assert_same_dataset(export_dataset(engine), Dataset(firms, ds.programmes, outcomes))


def test_a_failing_import_changes_nothing(engine: Engine) -> None:
    ds = valid_dataset()
    bad_outcomes = canonical_outcomes(
        pd.concat(
            [
                ds.outcomes,
                pd.DataFrame(
                    [
                        {
                            "firm_id": "F001",
                            "year": 2024,
                            "programme_id": "NO-SUCH-PROGRAMME",
                            "outcome": 1,
                        }
                    ]
                ),
            ],
            ignore_index=True,
        )
    )
    with pytest.raises(ConflictError, match="nothing was changed"):
        import_dataset(engine, Dataset(ds.firms, ds.programmes, bad_outcomes))
    assert (count(engine, Firm), count(engine, Programme), count(engine, Outcome)) == (0, 0, 0)


def test_a_failing_reimport_keeps_the_previous_data(engine: Engine) -> None:
    ds = valid_dataset()
    import_dataset(engine, ds)
    firms = ds.firms.copy()
    firms["employees"] = firms["employees"] + 100
    bad_outcomes = outcomes_of(ds).copy()
    bad_outcomes.loc[0, "programme_id"] = "NO-SUCH-PROGRAMME"
    with pytest.raises(ConflictError):
        import_dataset(engine, Dataset(firms, ds.programmes, bad_outcomes))
    assert_same_dataset(export_dataset(engine), ds)


def test_import_refuses_duplicate_keys_in_its_input(engine: Engine) -> None:
    ds = valid_dataset()
    firms = pd.concat([ds.firms, ds.firms.iloc[[0]]], ignore_index=True)
    with pytest.raises(ConflictError, match="firm_id='F001', year=2023"):
        import_dataset(engine, Dataset(firms, ds.programmes, ds.outcomes))
    assert count(engine, Firm) == 0


def test_export_of_an_empty_store_has_no_outcomes(engine: Engine) -> None:
    ds = export_dataset(engine)
    assert ds.firms.empty and ds.programmes.empty and ds.outcomes is None
    assert list(ds.firms.columns) == list(valid_dataset().firms.columns)


# --- reads ----------------------------------------------------------------------------
def test_loaded_frames_have_the_canonical_dtypes(engine: Engine) -> None:
    ds = valid_dataset()
    import_dataset(engine, ds)
    with session_scope(engine) as s:
        firms, programmes, outcomes = load_firms(s), load_programmes(s), load_outcomes(s)
    assert firms.dtypes.equals(ds.firms.dtypes)
    assert programmes.dtypes.equals(ds.programmes.dtypes)
    assert ds.outcomes is not None and outcomes.dtypes.equals(ds.outcomes.dtypes)
    assert programmes["requires_rnd_lab"].tolist().count(None) == 3
    assert programmes["apply_start"].iloc[0] == "2023-02-01"


def test_load_firms_filters_by_year_and_firm(engine: Engine) -> None:
    import_dataset(engine, valid_dataset())
    with session_scope(engine) as s:
        assert load_firms(s, year=2024)["year"].unique().tolist() == [2024]
        picked = load_firms(s, firm_ids=["F002", "F004", "nobody"])
        assert picked["firm_id"].tolist() == ["F002", "F002", "F004", "F004"]
        one = load_firms(s, year=2023, firm_ids=["F003"])
        assert one.shape == (1, 30)  # 25 v1 columns, 5 optional v2 ones


def test_get_firm_returns_the_latest_profile_unless_a_year_is_given(engine: Engine) -> None:
    import_dataset(engine, valid_dataset())
    with session_scope(engine) as s:
        latest = get_firm(s, "F002")
        assert latest["year"] == 2024 and latest["employees"] == 14
        assert latest["revenue_growth"] is None  # missing as None, JSON-friendly
        assert get_firm(s, "F002", 2023)["employees"] == 12
        with pytest.raises(NotFoundError, match="'F999'"):
            get_firm(s, "F999")
        with pytest.raises(NotFoundError, match="'F002' has no profile for year 2030"):
            get_firm(s, "F002", 2030)


def test_get_programme_and_missing_programme(engine: Engine) -> None:
    import_dataset(engine, valid_dataset())
    with session_scope(engine) as s:
        p = get_programme(s, "P23-RND")
        assert p["programme_type"] == "rnd_planning" and p["requires_rnd_lab"] is True
        assert p["min_employees"] is None and p["duration_months"] == 12.0
        assert p["type_overridden"] is False
        with pytest.raises(NotFoundError, match="'NOPE'"):
            get_programme(s, "NOPE")


def test_load_programmes_filters_by_year_and_type(engine: Engine) -> None:
    import_dataset(engine, valid_dataset())
    with session_scope(engine) as s:
        assert load_programmes(s, year=2024)["programme_id"].tolist() == [
            "P24-EDU",
            "P24-GLOB",
            "P24-OTH",
        ]
        assert load_programmes(s, programme_type="education")["programme_id"].tolist() == [
            "P24-EDU"
        ]


# --- type overrides -------------------------------------------------------------------
def test_type_override_wins_and_survives_a_catalogue_reimport(engine: Engine) -> None:
    ds = valid_dataset()
    import_dataset(engine, ds)
    with session_scope(engine) as s:
        set_type_override(s, "P24-OTH", "consulting", set_by="analyst-1")
    import_dataset(engine, ds)
    with session_scope(engine) as s:
        assert load_type_overrides(s) == {"P24-OTH": "consulting"}
        assert get_programme(s, "P24-OTH")["programme_type"] == "consulting"
        assert get_programme(s, "P24-OTH")["type_overridden"] is True
        consulting = load_programmes(s, programme_type="consulting")["programme_id"].tolist()
        assert consulting == ["P23-CONS", "P24-OTH"]
        raw = load_programmes(s, apply_overrides=False, programme_type="other")
        assert raw["programme_id"].tolist() == ["P24-OTH"]


def test_type_override_refuses_unknown_types_and_programmes(engine: Engine) -> None:
    import_dataset(engine, valid_dataset())
    with session_scope(engine) as s:
        with pytest.raises(DataValidationError, match="programme_type"):
            set_type_override(s, "P24-OTH", "astrology", set_by="a")
        with pytest.raises(NotFoundError):
            set_type_override(s, "NOPE", "consulting", set_by="a")


# --- catalogue upserts ----------------------------------------------------------------
def test_upsert_programmes_counts_and_never_duplicates(engine: Engine) -> None:
    ds = valid_dataset()
    with session_scope(engine) as s:
        assert upsert_programmes(s, ds.programmes) == {"added": 5, "updated": 0, "unchanged": 0}
    changed = ds.programmes.copy()
    changed.loc[changed["programme_id"] == "P24-EDU", "name"] = "Engineer training II"
    changed["type_method"] = "keywords"
    changed["type_confidence"] = 0.5
    changed["type_evidence"] = None
    extra = changed.iloc[[0]].assign(programme_id="P24-NEW", year=2024)
    with session_scope(engine) as s:
        counts = upsert_programmes(s, pd.concat([changed, extra], ignore_index=True))
    assert counts == {"added": 1, "updated": 5, "unchanged": 0}  # type_method set on all
    with session_scope(engine) as s:
        stored = load_programmes(s, with_type_evidence=True)
        assert len(stored) == 6 and stored["programme_id"].is_unique
        assert stored.set_index("programme_id").loc["P24-EDU", "name"] == "Engineer training II"
        assert stored["type_method"].eq("keywords").all()
        with pytest.raises(ConflictError, match="P24-EDU"):
            upsert_programmes(s, pd.concat([ds.programmes, ds.programmes.iloc[[2]]]))


# --- outcomes posted through the API --------------------------------------------------
def _outcome(firm: str, year: int, programme: str, grade: int) -> dict[str, object]:
    return {"firm_id": firm, "year": year, "programme_id": programme, "outcome": grade}


def test_add_outcomes_stores_new_ones_and_export_includes_them(engine: Engine) -> None:
    import_dataset(engine, valid_dataset())
    new = canonical_outcomes(pd.DataFrame([_outcome("F004", 2024, "P24-OTH", 2)]))
    with session_scope(engine) as s:
        assert add_outcomes(s, new) == 1
    with session_scope(engine) as s:
        assert len(load_outcomes(s, source="api")) == 1
    exported = export_dataset(engine).outcomes
    assert exported is not None and len(exported) == 5
    assert ("F004", 2024, "P24-OTH", 2) in set(exported.itertuples(index=False, name=None))


def test_add_outcomes_refuses_duplicates_and_writes_nothing(engine: Engine) -> None:
    import_dataset(engine, valid_dataset())
    batch = canonical_outcomes(
        pd.DataFrame([_outcome("F004", 2024, "P24-OTH", 2), _outcome("F001", 2023, "P23-CONS", 1)])
    )
    clash = "firm_id='F001', year=2023, programme_id='P23-CONS'"
    with pytest.raises(ConflictError, match=clash), session_scope(engine) as s:
        add_outcomes(s, batch)
    twice = canonical_outcomes(pd.DataFrame([_outcome("F004", 2024, "P24-OTH", 2)] * 2))
    with pytest.raises(ConflictError, match="F004"), session_scope(engine) as s:
        add_outcomes(s, twice)
    assert count(engine, Outcome) == 4
    with session_scope(engine) as s:
        assert load_outcomes(s, source="api").empty


def test_contract_v2_announcement_and_firm_columns_round_trip(engine: Engine) -> None:
    ds = valid_dataset()
    given = {
        "districts": ["포천시", "*", None, "화성시;용인시", None],
        "target_groups": ["small_merchant", None, "women_owned;social_enterprise", None, None],
        "industries": ["27", None, None, "10;11", None],
        "support_kind": ["grant", None, "loan", None, None],
        "offers_nothing": [False, None, None, None, True],
    }
    programmes = ds.programmes.copy()
    for column, values in given.items():
        programmes[column] = pd.Series(values, dtype=object)
    firms = ds.firms.copy()
    firms["industry_code"] = "27112"
    firms["business_description"] = "체외진단 의료기기 제조"
    firms["firm_flags"] = "women_owned;innobiz"
    import_dataset(engine, Dataset(firms, programmes, ds.outcomes))
    assert given
    with session_scope(engine) as s:
        got_p = load_programmes(s).set_index("programme_id").loc[programmes["programme_id"]]
        got_f = load_firms(s)
    for column, values in given.items():
        assert got_p[column].tolist() == values, column
    assert set(got_f["industry_code"]) == {"27112"}
    assert set(got_f["firm_flags"]) == {"women_owned;innobiz"}
    assert set(got_f["business_description"]) == {"체외진단 의료기기 제조"}
