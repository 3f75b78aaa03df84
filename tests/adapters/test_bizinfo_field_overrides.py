"""Caseworkers correct the fields the readers fill, in ``overrides.csv``: the correction
wins on every re-import, says it was set by a caseworker, and a bad cell is refused by
file, row and column with nothing written."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from cli import app
from recommender.adapters.bizinfo.dbstore import import_into_store, set_field_in_store
from recommender.adapters.bizinfo.filestore import (
    PROGRAMMES_FILE,
    import_into_dir,
    read_catalogue,
    set_type_in_dir,
)
from recommender.adapters.bizinfo.overrides import OVERRIDES_FILE, read_all_overrides
from recommender.adapters.files import read_data_dir
from recommender.adapters.store import get_programme, load_field_overrides, session_scope
from recommender.bizinfo.overrides import SET_BY_CASEWORKER
from recommender.constants import CAPABILITIES
from recommender.errors import DataValidationError, NotFoundError
from tests.adapters.test_bizinfo_filestore import EXPORT, LOAN, feed  # noqa: F401 (fixture)

HEADER = (
    "id,type,districts,target_groups,industries,support_kind,support_krw_m,offers_nothing,"
    "requires_rnd_lab,requires_patent\n"
)


def write(folder: Path, rows: str, header: str = HEADER) -> None:
    folder.mkdir(exist_ok=True)
    (folder / OVERRIDES_FILE).write_text(header + rows, encoding="utf-8")


def test_every_field_a_caseworker_sets_wins_over_the_readers_on_each_import(
    feed: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    out = tmp_path / "catalogue"
    write(out, f'{EXPORT},,포항시;경주시,women_owned,27;26,voucher,"1,500",false,true,true\n')
    for _ in range(2):  # the first import and a re-import
        import_into_dir(feed, out)
        row = read_catalogue(out).set_index("programme_id").loc[EXPORT]
        assert (row["districts"], row["target_groups"], row["industries"]) == (
            "포항시;경주시",
            "women_owned",
            "27;26",
        )
        assert (row["support_kind"], float(row["support_krw_m"])) == ("voucher", 1500.0)
        assert row["offers_nothing"] in ("False", "false")
        assert row["requires_rnd_lab"] in ("True", "true")
        assert row["requires_patent"] in ("True", "true")
        assert row["requires_patent_evidence"].startswith(SET_BY_CASEWORKER)
        assert row["district_evidence"].startswith(f"{SET_BY_CASEWORKER}; readers said: ")
        assert row["support_amount_evidence"].startswith(SET_BY_CASEWORKER)
        assert row["type_method"] == "rules"  # the type was not corrected
    loan = read_catalogue(out).set_index("programme_id").loc[LOAN]
    assert not str(loan["district_evidence"]).startswith(SET_BY_CASEWORKER)
    caps = ",".join(CAPABILITIES)
    (out / "firms.csv").write_text(
        "firm_id,year,region,sector,founded_year,employees,revenue_krw_m,revenue_growth,"
        f"export_share,rnd_spend_krw_m,researchers,patents,has_rnd_lab,{caps}\n"
        "F1,2025,gyeongbuk,mfg_low_tech,2010,12,900,,0.1,10,1,0,false" + "," * 12 + "\n",
        encoding="utf-8",
    )
    assert set(read_data_dir(out).programmes["programme_id"]) == {LOAN, EXPORT}


def test_a_star_sets_none_and_offers_nothing_can_be_set(
    feed: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    out = tmp_path / "catalogue"
    write(out, f"{LOAN},,*,*,*,*,*,true,false,false\n")
    import_into_dir(feed, out)
    row = read_catalogue(out).set_index("programme_id").loc[LOAN]
    assert row["districts"] == "*"
    assert (row["target_groups"], row["industries"], row["support_kind"]) == ("", "", "")
    assert row["support_krw_m"] == "" and row["offers_nothing"] in ("True", "true")
    assert (row["requires_rnd_lab"], row["requires_patent"]) == ("", "")  # not required
    assert row["offers_nothing_evidence"].startswith(SET_BY_CASEWORKER)


def test_the_old_two_column_file_still_reads(feed: Path, tmp_path: Path) -> None:  # noqa: F811
    out = tmp_path / "catalogue"
    write(out, f"{LOAN},consulting\n", header="id,type\n")
    import_into_dir(feed, out)
    row = read_catalogue(out).set_index("programme_id").loc[LOAN]
    assert (row["programme_type"], row["type_method"]) == ("consulting", "override")


@pytest.mark.parametrize(
    ("cells", "column", "value"),
    [
        (",포천구,,,,,", "districts", "포천구"),
        (",,martians,,,,", "target_groups", "martians"),
        (",,,C27,,,", "industries", "C27"),
        (",,,,cash,,", "support_kind", "cash"),
        (",,,,,-5,", "support_krw_m", "-5"),
        (",,,,,lots,", "support_krw_m", "lots"),
        (",,,,,,maybe", "offers_nothing", "maybe"),
        ("exporting,,,,,,", "type", "exporting"),
        (",,,,,,", "type", ""),  # a row that corrects nothing
    ],
)
def test_a_bad_cell_is_named_by_file_row_and_column_and_nothing_is_written(
    feed: Path,  # noqa: F811
    tmp_path: Path,
    cells: str,
    column: str,
    value: str,
) -> None:
    out = tmp_path / "catalogue"
    write(out, f"{LOAN},consulting,,,,,,\n{EXPORT},{cells}\n")
    with pytest.raises(DataValidationError) as caught:
        import_into_dir(feed, out)
    assert [(p.file, p.row, p.column, p.value) for p in caught.value.problems] == [
        (OVERRIDES_FILE, 3, column, value)
    ]
    assert not (out / PROGRAMMES_FILE).exists()


def test_an_unknown_column_is_refused_by_name(feed: Path, tmp_path: Path) -> None:  # noqa: F811
    out = tmp_path / "catalogue"
    write(out, f"{LOAN},consulting,x\n", header="id,type,regions\n")
    with pytest.raises(DataValidationError) as caught:
        import_into_dir(feed, out)
    assert [(p.file, p.column) for p in caught.value.problems] == [(OVERRIDES_FILE, "regions")]


def test_setting_a_type_keeps_the_rows_field_corrections(
    feed: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    out = tmp_path / "catalogue"
    write(out, f"{EXPORT},,,,27,,,\n")
    import_into_dir(feed, out)
    set_type_in_dir(out, EXPORT, "consulting")
    kept = read_all_overrides(out / OVERRIDES_FILE)
    assert kept.types == {EXPORT: "consulting"} and kept.fields == {EXPORT: {"industries": "27"}}
    import_into_dir(feed, out)
    row = read_catalogue(out).set_index("programme_id").loc[EXPORT]
    assert (row["programme_type"], row["industries"]) == ("consulting", "27")
    written = pd.read_csv(out / OVERRIDES_FILE, dtype=str, keep_default_na=False)
    assert list(written.columns) == HEADER.strip().split(",")


def test_cli_set_field_keeps_the_correction_and_refuses_a_bad_value(
    feed: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    out = tmp_path / "catalogue"
    runner = CliRunner()
    runner.invoke(app, ["catalogue", "import-bizinfo", str(feed), "--out", str(out)])
    args = ["catalogue", "set-field", LOAN, "districts", "포항시", "--out", str(out)]
    done = runner.invoke(app, args)
    assert done.exit_code == 0, done.output
    assert "districts is now 포항시 (set by caseworker)" in done.output
    runner.invoke(app, ["catalogue", "import-bizinfo", str(feed), "--out", str(out)])
    row = read_catalogue(out).set_index("programme_id").loc[LOAN]
    assert row["districts"] == "포항시" and row["district_evidence"].startswith(SET_BY_CASEWORKER)
    before = (out / PROGRAMMES_FILE).read_bytes()
    bad = runner.invoke(
        app, ["catalogue", "set-field", LOAN, "support_krw_m", "x", "--out", str(out)]
    )
    assert bad.exit_code == 2 and "support_krw_m" in bad.output
    unknown = runner.invoke(
        app, ["catalogue", "set-field", LOAN, "regions", "*", "--out", str(out)]
    )
    assert unknown.exit_code == 2 and "regions" in unknown.output
    assert (out / PROGRAMMES_FILE).read_bytes() == before


def test_the_store_keeps_field_corrections_across_re_imports(
    feed: Path,  # noqa: F811
    engine: Engine,
) -> None:
    with session_scope(engine) as session:
        import_into_store(session, feed)
        row = set_field_in_store(session, EXPORT, "industries", "27;26", set_by="kim")
        assert row["industries"] == "27;26"
        set_field_in_store(session, EXPORT, "offers_nothing", "true", set_by="kim")
    with session_scope(engine) as session:
        import_into_store(session, feed)  # the readers say otherwise; the correction wins
        stored = get_programme(session, EXPORT)
        assert (stored["industries"], stored["offers_nothing"]) == ("27;26", True)
        assert load_field_overrides(session) == {
            EXPORT: {"industries": "27;26", "offers_nothing": "true"}
        }
        with pytest.raises(DataValidationError) as caught:
            set_field_in_store(session, EXPORT, "districts", "포천구", set_by="kim")
        assert [(p.column, p.value) for p in caught.value.problems] == [("districts", "포천구")]
        with pytest.raises(NotFoundError):
            set_field_in_store(session, "PBLN_nope", "districts", "*", set_by="kim")
