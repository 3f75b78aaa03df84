"""The catalogue directory behind `recommender catalogue`: imports, overrides, the CLI."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cli import app
from recommender.adapters.bizinfo.filestore import (
    EVIDENCE_FILE,
    PROGRAMMES_FILE,
    import_into_dir,
    read_catalogue,
    set_type_in_dir,
)
from recommender.adapters.bizinfo.overrides import OVERRIDES_FILE, read_overrides, record_override
from recommender.adapters.files import read_data_dir
from recommender.constants import CAPABILITIES
from recommender.errors import DataValidationError, NotFoundError

LOAN = "PBLN_000000000000001"
EXPORT = "PBLN_000000000000002"


def announcement(ident: str, title: str, support: str, category: str) -> dict[str, str]:
    return {
        "id": ident,
        "title": title,
        "link": f"/web/view.do?pblancId={ident}",
        "author": "경상북도",
        "excInsttNm": "경북경제진흥원",
        "lcategory": category,
        "pubDate": "2025-05-02",
        "apply_start": "2025-05-06",
        "apply_end": "2025-06-30",
        "trgetNm": "중소기업",
        "description": f"<p>개요</p><p>☞ 도내 중소기업</p><p>☞ {support}</p>",
    }


@pytest.fixture
def feed(tmp_path: Path) -> Path:
    path = tmp_path / "feed.csv"
    pd.DataFrame(
        [
            announcement(LOAN, "[경북] 2025년 중소기업 운전자금 융자 공고", "융자 지원", "금융"),
            announcement(
                EXPORT, "[경북] 2025년 해외 수출상담회 참가기업 모집", "바이어 상담", "수출"
            ),
        ]
    ).to_csv(path, index=False)
    return path


def test_import_writes_a_contract_valid_catalogue_with_evidence(feed: Path, tmp_path: Path):
    out = tmp_path / "catalogue"
    report = import_into_dir(feed, out)
    assert report.counts == {"added": 2, "updated": 0, "unchanged": 0}
    assert report.type_counts == {"finance": 1, "globalization": 1}
    evidence = pd.read_csv(out / EVIDENCE_FILE, dtype=str)
    assert list(evidence["programme_id"]) == [LOAN, EXPORT]
    assert evidence["type_evidence"].str.contains("->").all()
    # The programmes file reads back under the contract next to any firms file.
    caps = ",".join(CAPABILITIES)
    (out / "firms.csv").write_text(
        "firm_id,year,region,sector,founded_year,employees,revenue_krw_m,revenue_growth,"
        f"export_share,rnd_spend_krw_m,researchers,patents,has_rnd_lab,{caps}\n"
        "F1,2025,gyeongbuk,mfg_low_tech,2010,12,900,,0.1,10,1,0,false" + "," * 12 + "\n",
        encoding="utf-8",
    )
    ds = read_data_dir(out)
    assert set(ds.programmes["programme_id"]) == {LOAN, EXPORT}
    assert (ds.programmes["regions"] == "gyeongbuk").all()


def test_reimport_is_idempotent(feed: Path, tmp_path: Path):
    out = tmp_path / "catalogue"
    import_into_dir(feed, out)
    before = (out / PROGRAMMES_FILE).read_bytes()
    report = import_into_dir(feed, out)
    assert report.counts == {"added": 0, "updated": 0, "unchanged": 2}
    assert (out / PROGRAMMES_FILE).read_bytes() == before


def test_an_override_survives_reimport(feed: Path, tmp_path: Path):
    out = tmp_path / "catalogue"
    import_into_dir(feed, out)
    row = set_type_in_dir(out, EXPORT, "consulting")
    assert (row["programme_type"], row["type_method"]) == ("consulting", "override")
    assert read_overrides(out / OVERRIDES_FILE) == {EXPORT: "consulting"}
    report = import_into_dir(feed, out)
    assert report.counts["unchanged"] == 2 and report.overrides == 1
    catalogue = read_catalogue(out).set_index("programme_id")
    assert catalogue.at[EXPORT, "programme_type"] == "consulting"
    assert catalogue.at[EXPORT, "type_method"] == "override"
    assert "rules said globalization" in catalogue.at[EXPORT, "type_evidence"]
    assert catalogue.at[LOAN, "type_method"] == "rules"


def test_an_override_recorded_before_the_first_import_applies_to_it(feed: Path, tmp_path: Path):
    out = tmp_path / "catalogue"
    out.mkdir()
    record_override(out / OVERRIDES_FILE, LOAN, "other")
    import_into_dir(feed, out)
    assert read_catalogue(out).set_index("programme_id").at[LOAN, "type_method"] == "override"


def test_set_type_refuses_unknown_ids_and_types_and_changes_nothing(feed: Path, tmp_path: Path):
    out = tmp_path / "catalogue"
    import_into_dir(feed, out)
    before = (out / PROGRAMMES_FILE).read_bytes()
    with pytest.raises(NotFoundError):
        set_type_in_dir(out, "PBLN_nope", "consulting")
    with pytest.raises(DataValidationError, match="marketing"):
        set_type_in_dir(out, LOAN, "marketing")
    assert (out / PROGRAMMES_FILE).read_bytes() == before
    assert not (out / OVERRIDES_FILE).exists()


def test_a_bad_overrides_file_is_reported_by_row_and_column(feed: Path, tmp_path: Path):
    out = tmp_path / "catalogue"
    out.mkdir()
    (out / OVERRIDES_FILE).write_text(
        f"id,type\n{LOAN},other\n{EXPORT},exporting\n", encoding="utf-8"
    )
    with pytest.raises(DataValidationError) as caught:
        import_into_dir(feed, out)
    assert [(p.file, p.row, p.column) for p in caught.value.problems] == [
        (OVERRIDES_FILE, 3, "type")
    ]
    assert not (out / PROGRAMMES_FILE).exists()


def test_cli_import_and_set_type(feed: Path, tmp_path: Path):
    out = tmp_path / "catalogue"
    runner = CliRunner()
    first = runner.invoke(app, ["catalogue", "import-bizinfo", str(feed), "--out", str(out)])
    assert first.exit_code == 0, first.output
    assert "2 added" in first.output and "globalization" in first.output
    changed = runner.invoke(app, ["catalogue", "set-type", LOAN, "consulting", "--out", str(out)])
    assert changed.exit_code == 0, changed.output
    again = runner.invoke(app, ["catalogue", "import-bizinfo", str(feed), "--out", str(out)])
    assert "2 unchanged" in again.output and "1 overrides applied" in again.output
    bad = runner.invoke(app, ["catalogue", "set-type", "PBLN_nope", "other", "--out", str(out)])
    assert bad.exit_code == 2 and "PBLN_nope" in bad.output


def test_cli_reports_a_broken_feed_as_one_clear_error(tmp_path: Path):
    broken = tmp_path / "broken.csv"
    broken.write_text("id,title\nPBLN_1,공고\n", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["catalogue", "import-bizinfo", str(broken), "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 2
    assert "broken.csv" in result.output and "pubDate" in result.output
