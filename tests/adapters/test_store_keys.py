"""API keys: shown once, stored hashed, revocable; and the store's CLI commands."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, select
from typer.testing import CliRunner

from cli import app
from recommender.adapters.files import read_data_dir, write_data_dir
from recommender.adapters.store import (
    authenticate,
    create_key,
    export_dataset,
    get_engine,
    head_revision,
    list_keys,
    revoke_key,
    session_scope,
)
from recommender.adapters.store.keys import hash_key
from recommender.adapters.store.tables import ApiKey, Feedback
from recommender.errors import ConflictError, DataValidationError, NotFoundError
from recommender.settings import get_settings
from tests.data.factories import valid_dataset


def test_a_created_key_authenticates_with_its_name_and_role(engine: Engine) -> None:
    with session_scope(engine) as s:
        key = create_key(s, name="gangnam-office", role="caseworker")
    assert key.startswith("rk_") and len(key) > 40
    with session_scope(engine) as s:
        info = authenticate(s, key)
        assert info is not None and (info.name, info.role) == ("gangnam-office", "caseworker")
        assert authenticate(s, key + "x") is None
        assert authenticate(s, "") is None


def test_keys_are_random_and_stored_only_as_hashes(engine: Engine) -> None:
    with session_scope(engine) as s:
        keys = [create_key(s, name=f"k{i}", role="partner") for i in range(3)]
    assert len(set(keys)) == 3
    with session_scope(engine) as s:
        rows = s.execute(select(ApiKey)).scalars().all()
        stored = {str(getattr(r, c.key)) for r in rows for c in ApiKey.__table__.columns}
    assert not any(k in value for k in keys for value in stored)
    assert {r.key_hash for r in rows} == {hash_key(k) for k in keys}


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # a file to read
def test_keys_are_not_even_in_the_raw_database_pages(engine: Engine, db_url: str) -> None:
    with session_scope(engine) as s:
        keys = [create_key(s, name=f"k{i}", role="partner") for i in range(3)]
    engine.dispose()
    files = Path(db_url.removeprefix("sqlite:///")).parent.glob("recommender.db*")
    raw = b"".join(f.read_bytes() for f in files)
    assert raw and not any(k.encode() in raw for k in keys)


def test_revoked_keys_no_longer_authenticate(engine: Engine) -> None:
    with session_scope(engine) as s:
        key = create_key(s, name="partner-x", role="partner")
        other = create_key(s, name="partner-y", role="partner")
    with session_scope(engine) as s:
        revoke_key(s, "partner-x")
    with session_scope(engine) as s:
        assert authenticate(s, key) is None
        assert authenticate(s, other) is not None
        listed = {k.name: k.active for k in list_keys(s)}
        assert listed == {"partner-x": False, "partner-y": True}
        with pytest.raises(NotFoundError, match="'nobody'"):
            revoke_key(s, "nobody")


def test_duplicate_names_and_unknown_roles_are_refused(engine: Engine) -> None:
    with session_scope(engine) as s:
        create_key(s, name="analyst-1", role="analyst")
    with pytest.raises(ConflictError, match="'analyst-1'"), session_scope(engine) as s:
        create_key(s, name="analyst-1", role="caseworker")
    with (
        pytest.raises(DataValidationError, match="caseworker, partner, analyst"),
        session_scope(engine) as s,
    ):
        create_key(s, name="boss", role="admin")
    with session_scope(engine) as s:
        assert [k.name for k in list_keys(s)] == ["analyst-1"]


# --- CLI ------------------------------------------------------------------------------
@pytest.fixture
def cli_db(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The CLI's configured database is ``db_url``."""
    monkeypatch.setenv("RECOMMENDER_DATABASE_URL", db_url)
    get_settings.cache_clear()
    yield db_url
    get_settings.cache_clear()


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_cli_keys_create_prints_the_key_once_as_the_last_line(cli_db: str) -> None:
    code, out, _ = run("keys", "create", "--role", "caseworker", "--name", "desk-7")
    assert code == 0
    key = out.strip().splitlines()[-1]
    assert out.count(key) == 1
    with session_scope(get_engine(cli_db)) as s:
        info = authenticate(s, key)
    assert info is not None and info.role == "caseworker"
    code, listing, _ = run("keys", "list")
    assert code == 0 and "desk-7" in listing and "caseworker" in listing
    assert key not in listing and hash_key(key) not in listing


def test_cli_keys_refuses_an_unknown_role_and_a_duplicate_name(cli_db: str) -> None:
    code, out, err = run("keys", "create", "--role", "boss", "--name", "x")
    said = " ".join(err.replace("│", " ").split())  # the message box may wrap
    assert code == 2 and "'boss' is not one of caseworker, partner, analyst" in said
    assert "rk_" not in out
    assert run("keys", "create", "--role", "analyst", "--name", "x")[0] == 0
    code, _, err = run("keys", "create", "--role", "analyst", "--name", "x")
    assert code == 2 and "already exists" in err


def test_cli_keys_revoke(cli_db: str) -> None:
    key = run("keys", "create", "--role", "partner", "--name", "p1")[1].strip().splitlines()[-1]
    assert run("keys", "revoke", "p1")[0] == 0
    with session_scope(get_engine(cli_db)) as s:
        assert authenticate(s, key) is None
    code, _, err = run("keys", "revoke", "nobody")
    assert code == 2 and "nobody" in err


def test_cli_import_then_export_round_trips(cli_db: str, tmp_path: Path) -> None:
    write_data_dir(valid_dataset(), tmp_path / "in")
    code, out, _ = run("import", "--data", str(tmp_path / "in"))
    assert code == 0 and "firms: 8 added" in out and "outcomes: 4 added" in out
    code, out, _ = run("import", "--data", str(tmp_path / "in"))
    assert code == 0 and "firms: 0 added, 0 updated, 8 unchanged" in out
    code, out, _ = run("export", "--out", str(tmp_path / "out"))
    assert code == 0 and "8 firm profiles" in out
    assert run("validate", "--data", str(tmp_path / "out"))[0] == 0
    back = read_data_dir(tmp_path / "out")
    assert len(back.firms) == 8 and back.outcomes is not None and len(back.outcomes) == 4


def test_cli_import_of_a_bad_directory_changes_nothing(
    cli_db: str, engine: Engine, tmp_path: Path
) -> None:
    write_data_dir(valid_dataset(), tmp_path / "in")
    assert run("import", "--data", str(tmp_path / "in"))[0] == 0
    firms = tmp_path / "in" / "firms.csv"
    firms.write_text(firms.read_text().replace("45", "46").replace("seoul", "atlantis", 1))
    code, _, err = run("import", "--data", str(tmp_path / "in"))
    assert code == 2 and "atlantis" in err
    stored = export_dataset(engine)
    assert stored.firms.sort_values(["firm_id", "year"], ignore_index=True).equals(
        valid_dataset().firms.sort_values(["firm_id", "year"], ignore_index=True)
    )


def test_cli_db_upgrade_reports_the_revision(cli_db: str) -> None:
    code, out, _ = run("db", "upgrade")
    assert code == 0 and f"database at revision {head_revision()}" in out


def test_cli_export_writes_feedback_beside_outcomes_and_import_reads_it_back(
    cli_db: str, tmp_path: Path
) -> None:
    from recommender.adapters.store import list_feedback, record_feedback

    ds = valid_dataset()
    write_data_dir(ds, tmp_path / "in")
    assert run("import", "--data", str(tmp_path / "in"))[0] == 0
    outcome = ds.outcomes.iloc[0] if ds.outcomes is not None else None
    assert outcome is not None
    firm, year, programme = str(outcome["firm_id"]), int(outcome["year"]), outcome["programme_id"]
    with session_scope(get_engine(cli_db)) as s:
        for action in ("contacted", "applied"):
            record_feedback(
                s,
                request_id="r-1",
                programme_id=str(programme),
                action=action,
                key_name="desk-1",
                firm_id=firm,
                note="called" if action == "contacted" else None,
                year=year,
            )
        # a partner's inline profile is not stored: its feedback is not contract data
        record_feedback(
            s,
            request_id="r-2",
            programme_id=str(programme),
            action="joined",
            key_name="p",
            firm_id="INLINE-1",
            year=year,
        )
    code, out, err = run("export", "--out", str(tmp_path / "out"))
    assert code == 0 and "2 feedback rows" in out and "1 feedback rows" in err
    assert (tmp_path / "out" / "feedback.csv").is_file()
    code, out, _ = run("validate", "--data", str(tmp_path / "out"))
    assert code == 0 and "2 feedback rows" in out
    back = read_data_dir(tmp_path / "out").feedback
    assert back is not None
    assert list(back["status"]) == ["contacted", "applied"]
    assert list(back["note"]) == ["called", None]
    code, out, _ = run("import", "--data", str(tmp_path / "out"))
    assert code == 0 and "feedback: 0 added, 0 updated, 2 unchanged" in out
    with session_scope(get_engine(cli_db)) as s:
        s.execute(delete(Feedback))  # an empty store's feedback, then the file's
    code, out, _ = run("import", "--data", str(tmp_path / "out"))
    assert code == 0 and "feedback: 2 added" in out
    with session_scope(get_engine(cli_db)) as s:
        again = list_feedback(s, request_id="r-1")
    assert sorted((f.action, f.year, f.key_name) for f in again) == [
        ("applied", year, "import"),
        ("contacted", year, "import"),
    ]
